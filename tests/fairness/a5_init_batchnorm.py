"""Fairness answers of a5 (weight initialization and batch normalization), for
tests/test_fairness.py: correct answers in other styles than the solution, which must get full
marks, and wrong answers, one per convention the text states, which must lose points (exactly
the points given, where a third value says how many)."""

CORRECT = {
    "ex1_hidden_units_identical": [
        ("a loop over the units with math.fabs, locals named like the tests' (_W1, _b1, _W2)",
         '''import math


def hidden_units_identical(W1, b1, W2, tol=1e-10):
    _W1, _b1, _W2 = np.asarray(W1), np.asarray(b1), np.asarray(W2)
    n0, n1 = _W1.shape
    for j in range(1, n1):
        for i in range(n0):
            if math.fabs(_W1[i, j] - _W1[i, 0]) > tol:
                return False
        if math.fabs(_b1[j] - _b1[0]) > tol:
            return False
        for k in range(_W2.shape[1]):
            if math.fabs(_W2[j, k] - _W2[0, k]) > tol:
                return False
    return True
'''),
        ("the units stacked as the rows of one matrix, np.allclose with rtol=0 and atol=tol",
         '''def hidden_units_identical(W1, b1, W2, tol=1e-10):
    units = np.hstack([np.transpose(W1), np.reshape(b1, (-1, 1)), W2])  # row j: unit j
    return np.allclose(units, units[0], rtol=0, atol=tol)
'''),
        ("the largest difference from unit 0, a helper, a NumPy bool returned, a print left in",
         '''def _spread(a, axis):
    """The largest difference from the first column (axis=1) or row (axis=0)."""
    a = np.asarray(a, dtype=float)
    return np.max(np.abs(a - a.take([0], axis=axis)), initial=0.0)


def hidden_units_identical(W1, b1, W2, tol=1e-10):
    print("checking", np.shape(W1)[1], "hidden units")
    worst = max(_spread(W1, 1), _spread(b1, 0), _spread(W2, 0))
    return np.bool_(worst <= tol)
'''),
        ("Python lists and all(), a docstring that mentions the autograder",
         '''def hidden_units_identical(W1, b1, W2, tol=1e-10):
    """Written for the autograder: True if every hidden unit is a copy of unit 0."""
    columns = list(zip(*np.asarray(W1).tolist()))  # the incoming weights of each unit
    biases = [float(v) for v in np.ravel(b1)]
    rows = np.asarray(W2).tolist()  # the outgoing weights of each unit

    def same(u, v):
        return all(abs(a - b) <= tol for a, b in zip(u, v))

    return all(same(columns[j], columns[0]) and abs(biases[j] - biases[0]) <= tol
               and same(rows[j], rows[0]) for j in range(len(biases)))
'''),
    ],
    "ex2_xavier": [
        ("rng.uniform(-r, r, size) and rng.standard_normal(...) * sigma, with math.sqrt",
         '''import math


def xavier_uniform(fan_in, fan_out, rng):
    r = math.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-r, r, (fan_in, fan_out))


def xavier_normal(fan_in, fan_out, rng):
    sigma = math.sqrt(2 / (fan_in + fan_out))
    return rng.standard_normal((fan_in, fan_out)) * sigma
'''),
        ("float32 weights, drawn in float32 (rng.random and rng.standard_normal, dtype=float32)",
         '''def xavier_uniform(fan_in, fan_out, rng):
    r = float(np.sqrt(3 / ((fan_in + fan_out) / 2)))
    return r * (2 * rng.random((fan_in, fan_out), dtype=np.float32) - 1)


def xavier_normal(fan_in, fan_out, rng):
    sigma = float(np.sqrt(1 / ((fan_in + fan_out) / 2)))
    return (rng.standard_normal((fan_in, fan_out), dtype=np.float32) * sigma).astype(np.float32)
'''),
        ("float32 weights cast after drawing in float64 (rng.uniform(...).astype(np.float32))",
         '''def xavier_uniform(fan_in, fan_out, rng):
    fan_avg = (fan_in + fan_out) / 2
    r = np.float32(np.sqrt(3 / fan_avg))
    return rng.uniform(-r, r, size=(fan_in, fan_out)).astype(np.float32)


def xavier_normal(fan_in, fan_out, rng):
    fan_avg = (fan_in + fan_out) / 2
    return rng.normal(0, np.sqrt(1 / fan_avg), (fan_in, fan_out)).astype(np.float32)
'''),
        ("row by row in loops (another random stream), np.random.default_rng(rng), _rng and _W",
         '''def xavier_uniform(fan_in, fan_out, rng):
    _rng = np.random.default_rng(rng)  # a Generator is returned as it is
    r = (3 / ((fan_in + fan_out) / 2)) ** 0.5
    _W = np.empty((fan_in, fan_out))
    for i in range(fan_in):
        _W[i] = _rng.uniform(-r, r, fan_out)
    return _W


def xavier_normal(fan_in, fan_out, rng):
    _rng = np.random.default_rng(rng)
    sigma = (2 / (fan_in + fan_out)) ** 0.5
    columns = [_rng.normal(loc=0.0, scale=sigma, size=fan_in) for _ in range(fan_out)]
    return np.array(columns).T
'''),
    ],
    "ex3_he": [
        ("rng.standard_normal(...) * sigma, r = sqrt(3 sigma^2), math.sqrt",
         '''import math


def he_normal(fan_in, fan_out, rng):
    sigma = math.sqrt(2 / fan_in)
    return sigma * rng.standard_normal(size=(fan_in, fan_out))


def he_uniform(fan_in, fan_out, rng):
    r = math.sqrt(3 * (2 / fan_in))
    return rng.uniform(low=-r, high=r, size=(fan_in, fan_out))
'''),
        ("float32 weights (dtype=np.float32 draws, r * (2u - 1))",
         '''def he_normal(fan_in, fan_out, rng):
    sigma = np.float32(np.sqrt(2 / fan_in))
    return rng.standard_normal((fan_in, fan_out), dtype=np.float32) * sigma


def he_uniform(fan_in, fan_out, rng):
    r = np.float32(np.sqrt(6 / fan_in))
    return (2 * rng.random((fan_in, fan_out), dtype=np.float32) - 1) * r
'''),
        ("one helper for both, the variance first (an extra function, keyword arguments)",
         '''def _he(fan_in, fan_out, rng, distribution):
    variance = 2.0 / fan_in
    if distribution == "normal":
        return rng.normal(loc=0.0, scale=np.sqrt(variance), size=(fan_in, fan_out))
    r = np.sqrt(3.0 * variance)
    return rng.uniform(low=-r, high=r, size=(fan_in, fan_out))


def he_normal(fan_in, fan_out, rng):
    return _he(fan_in, fan_out, rng, "normal")


def he_uniform(fan_in, fan_out, rng):
    return _he(fan_in, fan_out, rng, "uniform")
'''),
        ("row by row in a loop, locals _rng, _W, _sigma",
         '''def he_normal(fan_in, fan_out, rng):
    _rng, _sigma = rng, np.sqrt(2 / fan_in)
    _W = np.zeros((fan_in, fan_out))
    for i in range(fan_in):
        _W[i, :] = _rng.normal(0, _sigma, fan_out)
    return _W


def he_uniform(fan_in, fan_out, rng):
    _r = np.sqrt(6 / fan_in)
    return np.vstack([rng.uniform(-_r, _r, (1, fan_out)) for _ in range(fan_in)])
'''),
    ],
    "ex4_batchnorm_forward_train": [
        ("x.mean and x.var, locals _mu, _var, _x_hat (the issue's 0/20 case)",
         '''def batchnorm_forward_train(x, gamma, beta, eps=1e-5):
    _mu = x.mean(axis=0)
    _var = x.var(axis=0)
    _x_hat = (x - _mu) / np.sqrt(_var + eps)
    return gamma * _x_hat + beta, _mu, _var
'''),
        ("loops over the features and the samples, with math and Python sums",
         '''import math


def batchnorm_forward_train(x, gamma, beta, eps=1e-5):
    m, n = len(x), len(x[0])
    out = np.zeros((m, n))
    mu, var = np.zeros(n), np.zeros(n)
    for j in range(n):
        column = [float(x[i][j]) for i in range(m)]
        mu[j] = sum(column) / m
        var[j] = sum((v - mu[j]) ** 2 for v in column) / m
        std = math.sqrt(var[j] + eps)
        for i in range(m):
            out[i, j] = gamma[j] * (column[i] - mu[j]) / std + beta[j]
    return out, mu, var
'''),
        ("keepdims=True and reshapes, the variance as E[x^2] - mu^2, a list returned",
         '''def batchnorm_forward_train(x, gamma, beta, eps=1e-5):
    mu = np.mean(x, axis=0, keepdims=True)
    var = np.mean(x ** 2, axis=0, keepdims=True) - mu ** 2
    inv_std = 1.0 / np.sqrt(var + eps)
    out = (x - mu) * inv_std * gamma.reshape(1, -1) + beta.reshape(1, -1)
    return [out, mu.reshape(-1), var.reshape(-1)]
'''),
        ("computed in float32 throughout",
         '''def batchnorm_forward_train(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=np.float32)
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    x_hat = (x - mu) / np.sqrt(var + np.float32(eps))
    return gamma.astype(np.float32) * x_hat + beta.astype(np.float32), mu, var
'''),
    ],
    "ex5_batchnorm_backward_train": [
        ("the library's compact formula, locals _dout, _gamma, _mu, _var",
         '''def batchnorm_backward_train(dout, x, gamma, eps=1e-5):
    _dout, _gamma = np.asarray(dout), np.asarray(gamma)
    m = x.shape[0]
    _mu = x.mean(axis=0)
    _var = x.var(axis=0)
    inv_std = 1.0 / np.sqrt(_var + eps)
    x_hat = (x - _mu) * inv_std
    dbeta = _dout.sum(axis=0)
    dgamma = (_dout * x_hat).sum(axis=0)
    dx_hat = _dout * _gamma
    dx = inv_std / m * (m * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, dgamma, dbeta
'''),
        ("the computational graph backwards step by step (CS231n's staged backward pass)",
         '''def batchnorm_backward_train(dout, x, gamma, eps=1e-5):
    m = x.shape[0]
    mu = np.mean(x, axis=0)
    xmu = x - mu
    sq = xmu ** 2
    var = np.mean(sq, axis=0)
    sqrtvar = np.sqrt(var + eps)
    ivar = 1.0 / sqrtvar
    xhat = xmu * ivar
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * xhat, axis=0)
    dxhat = dout * gamma
    divar = np.sum(dxhat * xmu, axis=0)
    dxmu1 = dxhat * ivar
    dsqrtvar = -1.0 / (sqrtvar ** 2) * divar
    dvar = 0.5 / np.sqrt(var + eps) * dsqrtvar
    dsq = np.ones_like(dout) / m * dvar
    dxmu2 = 2 * xmu * dsq
    dx1 = dxmu1 + dxmu2
    dmu = -np.sum(dx1, axis=0)
    dx2 = np.ones_like(dout) / m * dmu
    return dx1 + dx2, dgamma, dbeta
'''),
        ("one feature at a time in a helper, with Python lists and sums",
         '''def _column_backward(g, v, gam, eps):
    """dx, dgamma, dbeta of one feature: g = dout[:, j], v = x[:, j], gam = gamma[j]."""
    m = len(v)
    mu = sum(v) / m
    var = sum((vi - mu) ** 2 for vi in v) / m
    std = (var + eps) ** 0.5
    xh = [(vi - mu) / std for vi in v]
    dbeta = sum(g)
    dgamma = sum(gi * xi for gi, xi in zip(g, xh))
    dx = [gam / (m * std) * (m * gi - dbeta - xi * dgamma) for gi, xi in zip(g, xh)]
    return dx, dgamma, dbeta


def batchnorm_backward_train(dout, x, gamma, eps=1e-5):
    m, n = np.shape(x)
    dx, dgamma, dbeta = np.zeros((m, n)), np.zeros(n), np.zeros(n)
    for j in range(n):
        column = _column_backward([float(v) for v in dout[:, j]], [float(v) for v in x[:, j]],
                                  float(gamma[j]), eps)
        dx[:, j], dgamma[j], dbeta[j] = column
    return dx, dgamma, dbeta
'''),
    ],
    "ex6_update_running_stats": [
        ("a local _var for the unbiased variance (the issue's 0/12 case)",
         '''def update_running_stats(running_mean, running_var, mu, var, momentum, m):
    _var = var * m / (m - 1)
    return (momentum * running_mean + (1 - momentum) * mu,
            momentum * running_var + (1 - momentum) * _var)
'''),
        ("in place on the inputs, as the library does, and returned",
         '''def update_running_stats(running_mean, running_var, mu, var, momentum, m):
    running_mean *= momentum
    running_mean += (1 - momentum) * mu
    running_var *= momentum
    running_var += (1 - momentum) * var * m / (m - 1)
    return running_mean, running_var
'''),
        ("a helper for the moving average, a loop over the features, a list returned",
         '''def _ema(old, new, momentum):
    return momentum * old + (1 - momentum) * new


def update_running_stats(running_mean, running_var, mu, var, momentum, m):
    correction = m / (m - 1)
    new_mean = np.array([_ema(a, b, momentum) for a, b in zip(running_mean, mu)])
    new_var = np.array([_ema(a, b * correction, momentum) for a, b in zip(running_var, var)])
    return [new_mean, new_var]
'''),
        ("the update as old + (1 - momentum) (new - old), on np.copy's",
         '''def update_running_stats(running_mean, running_var, mu, var, momentum, m):
    new_mean, new_var = np.copy(running_mean), np.copy(running_var)
    new_mean += (1 - momentum) * (mu - new_mean)
    new_var += (1 - momentum) * (var * (m / (m - 1)) - new_var)
    return new_mean, new_var
'''),
    ],
    "ex7_batchnorm_forward_eval": [
        ("computed in float32 throughout (the issue's 7.5/10 case)",
         '''def batchnorm_forward_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
    f32 = np.float32
    x, gamma, beta = x.astype(f32), gamma.astype(f32), beta.astype(f32)
    mean, var = running_mean.astype(f32), running_var.astype(f32)
    return gamma * (x - mean) / np.sqrt(var + f32(eps)) + beta
'''),
        ("one affine map: scale and shift folded, locals _scale and _shift",
         '''def batchnorm_forward_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
    _scale = gamma / np.sqrt(running_var + eps)
    _shift = beta - running_mean * _scale
    return x * _scale + _shift
'''),
        ("a loop over the samples and the features, with math",
         '''import math


def batchnorm_forward_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
    m, n = x.shape
    out = np.empty((m, n))
    for i in range(m):
        for j in range(n):
            x_hat = (x[i, j] - running_mean[j]) / math.sqrt(running_var[j] + eps)
            out[i, j] = gamma[j] * x_hat + beta[j]
    return out
'''),
    ],
}

WRONG = {
    "ex1_hidden_units_identical": [
        ("ignores b1 and W2: compares only the incoming weights",
         '''def hidden_units_identical(W1, b1, W2, tol=1e-10):
    return bool(np.all(np.abs(W1 - W1[:, :1]) <= tol))
''', 5.22),
        ("ignores W2: the outgoing weights",
         '''def hidden_units_identical(W1, b1, W2, tol=1e-10):
    same_incoming = np.all(np.abs(W1 - W1[:, :1]) <= tol)
    same_bias = np.all(np.abs(b1 - b1[0]) <= tol)
    return bool(same_incoming and same_bias)
'''),
        ("the rows of W1 instead of its columns",
         '''def hidden_units_identical(W1, b1, W2, tol=1e-10):
    same_incoming = np.all(np.abs(W1 - W1[:1, :]) <= tol)
    same_bias = np.all(np.abs(b1 - b1[0]) <= tol)
    same_outgoing = np.all(np.abs(W2 - W2[:1, :]) <= tol)
    return bool(same_incoming and same_bias and same_outgoing)
'''),
        ("exact equality: ignores tol (rounding)",
         '''def hidden_units_identical(W1, b1, W2, tol=1e-10):
    return bool(np.all(W1 == W1[:, :1]) and np.all(b1 == b1[0]) and np.all(W2 == W2[:1, :]))
'''),
        ("ignores the tol argument: always 1e-10",
         '''def hidden_units_identical(W1, b1, W2, tol=1e-10):
    tol = 1e-10
    same_incoming = np.all(np.abs(W1 - W1[:, :1]) <= tol)
    same_bias = np.all(np.abs(b1 - b1[0]) <= tol)
    same_outgoing = np.all(np.abs(W2 - W2[:1, :]) <= tol)
    return bool(same_incoming and same_bias and same_outgoing)
'''),
    ],
    "ex2_xavier": [
        ("Xavier uniform with the normal's sigma as the bound, r = sqrt(1 / fan_avg)",
         '''def xavier_uniform(fan_in, fan_out, rng):
    r = np.sqrt(1 / ((fan_in + fan_out) / 2))
    return rng.uniform(-r, r, size=(fan_in, fan_out))


def xavier_normal(fan_in, fan_out, rng):
    sigma = np.sqrt(1 / ((fan_in + fan_out) / 2))
    return rng.normal(0.0, sigma, size=(fan_in, fan_out))
''', 8.75),
        ("Xavier normal with the variance as NumPy's scale (sigma = 1 / fan_avg)",
         '''def xavier_uniform(fan_in, fan_out, rng):
    r = np.sqrt(3 / ((fan_in + fan_out) / 2))
    return rng.uniform(-r, r, size=(fan_in, fan_out))


def xavier_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, 1 / ((fan_in + fan_out) / 2), size=(fan_in, fan_out))
''', 8.75),
        ("fan_avg = fan_in + fan_out (the / 2 forgotten)",
         '''def xavier_uniform(fan_in, fan_out, rng):
    r = np.sqrt(3 / (fan_in + fan_out))
    return rng.uniform(-r, r, size=(fan_in, fan_out))


def xavier_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(1 / (fan_in + fan_out)), size=(fan_in, fan_out))
''', 3.5),
        ("ignores rng: draws from NumPy's global generator",
         '''def xavier_uniform(fan_in, fan_out, rng):
    r = np.sqrt(3 / ((fan_in + fan_out) / 2))
    np.random.seed(0)  # seeded, so the weights repeat, but not drawn from rng
    return np.random.uniform(-r, r, size=(fan_in, fan_out))


def xavier_normal(fan_in, fan_out, rng):
    np.random.seed(0)
    return np.random.normal(0.0, np.sqrt(2 / (fan_in + fan_out)), size=(fan_in, fan_out))
''', 0.0),
    ],
    "ex3_he": [
        ("fan_out where the text says fan_in (the slide's n^[l])",
         '''def he_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2 / fan_out), size=(fan_in, fan_out))


def he_uniform(fan_in, fan_out, rng):
    r = np.sqrt(6 / fan_out)
    return rng.uniform(-r, r, size=(fan_in, fan_out))
''', 5.0),
        ("He uniform with sigma as the bound, r = sqrt(2 / fan_in)",
         '''def he_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2 / fan_in), size=(fan_in, fan_out))


def he_uniform(fan_in, fan_out, rng):
    r = np.sqrt(2 / fan_in)
    return rng.uniform(-r, r, size=(fan_in, fan_out))
''', 6.25),
        ("He normal without the factor 2 (LeCun's 1 / fan_in)",
         '''def he_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(1 / fan_in), size=(fan_in, fan_out))


def he_uniform(fan_in, fan_out, rng):
    r = np.sqrt(6 / fan_in)
    return rng.uniform(-r, r, size=(fan_in, fan_out))
''', 6.25),
    ],
    "ex4_batchnorm_forward_train": [
        ("the unbiased variance, 1/(m-1) (np.var with ddof=1)",
         '''def batchnorm_forward_train(x, gamma, beta, eps=1e-5):
    mu = np.mean(x, axis=0)
    var = np.var(x, axis=0, ddof=1)
    out = gamma * (x - mu) / np.sqrt(var + eps) + beta
    return out, mu, var
''', 5.0),
        ("eps outside the square root, sqrt(var) + eps",
         '''def batchnorm_forward_train(x, gamma, beta, eps=1e-5):
    mu = np.mean(x, axis=0)
    var = np.var(x, axis=0)
    out = gamma * (x - mu) / (np.sqrt(var) + eps) + beta
    return out, mu, var
''', 10.0),
        ("the standard deviation returned in place of the variance",
         '''def batchnorm_forward_train(x, gamma, beta, eps=1e-5):
    mu = np.mean(x, axis=0)
    std = np.std(x, axis=0)
    out = gamma * (x - mu) / np.sqrt(std ** 2 + eps) + beta
    return out, mu, std
''', 15.0),
        ("normalizes each sample over the features (axis=1), not each feature over the batch",
         '''def batchnorm_forward_train(x, gamma, beta, eps=1e-5):
    mu = np.mean(x, axis=1, keepdims=True)
    var = np.var(x, axis=1, keepdims=True)
    out = gamma * (x - mu) / np.sqrt(var + eps) + beta
    return out, mu.ravel(), var.ravel()
''', 0.0),
    ],
    "ex5_batchnorm_backward_train": [
        ("dx treats mu_B and sigma_B^2 as constants (dgamma and dbeta right)",
         '''def batchnorm_backward_train(dout, x, gamma, eps=1e-5):
    mu, var = np.mean(x, axis=0), np.var(x, axis=0)
    x_hat = (x - mu) / np.sqrt(var + eps)
    dx = dout * gamma / np.sqrt(var + eps)
    return dx, np.sum(dout * x_hat, axis=0), np.sum(dout, axis=0)
''', 14.25),
        ("dgamma with x in place of x_hat",
         '''def batchnorm_backward_train(dout, x, gamma, eps=1e-5):
    m = x.shape[0]
    mu, var = np.mean(x, axis=0), np.var(x, axis=0)
    inv_std = 1 / np.sqrt(var + eps)
    x_hat = (x - mu) * inv_std
    dx_hat = dout * gamma
    dx = inv_std / m * (m * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, np.sum(dout * x, axis=0), np.sum(dout, axis=0)
''', 19.5),
        ("dbeta as the mean over the batch, not the sum",
         '''def batchnorm_backward_train(dout, x, gamma, eps=1e-5):
    m = x.shape[0]
    mu, var = np.mean(x, axis=0), np.var(x, axis=0)
    inv_std = 1 / np.sqrt(var + eps)
    x_hat = (x - mu) * inv_std
    dx_hat = dout * gamma
    dx = inv_std / m * (m * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, np.sum(dout * x_hat, axis=0), np.mean(dout, axis=0)
''', 19.5),
        ("sigma_B^2 recomputed with 1/(m-1)",
         '''def batchnorm_backward_train(dout, x, gamma, eps=1e-5):
    m = x.shape[0]
    mu, var = np.mean(x, axis=0), np.var(x, axis=0, ddof=1)
    inv_std = 1 / np.sqrt(var + eps)
    x_hat = (x - mu) * inv_std
    dx_hat = dout * gamma
    dx = inv_std / m * (m * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, np.sum(dout * x_hat, axis=0), np.sum(dout, axis=0)
''', 7.75),
        ("ignores eps: sqrt(sigma_B^2)",
         '''def batchnorm_backward_train(dout, x, gamma, eps=1e-5):
    m = x.shape[0]
    mu, var = np.mean(x, axis=0), np.var(x, axis=0)
    inv_std = 1 / np.sqrt(var)
    x_hat = (x - mu) * inv_std
    dx_hat = dout * gamma
    dx = inv_std / m * (m * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, np.sum(dout * x_hat, axis=0), np.sum(dout, axis=0)
'''),
    ],
    "ex6_update_running_stats": [
        ("forgets the unbiased correction m / (m - 1)",
         '''def update_running_stats(running_mean, running_var, mu, var, momentum, m):
    return (momentum * running_mean + (1 - momentum) * mu,
            momentum * running_var + (1 - momentum) * var)
''', 6.0),
        ("momentum on the wrong term (PyTorch's form with the course's number)",
         '''def update_running_stats(running_mean, running_var, mu, var, momentum, m):
    unbiased = var * m / (m - 1)
    return ((1 - momentum) * running_mean + momentum * mu,
            (1 - momentum) * running_var + momentum * unbiased)
''', 0.0),
        ("the correction the wrong way round, (m - 1) / m",
         '''def update_running_stats(running_mean, running_var, mu, var, momentum, m):
    return (momentum * running_mean + (1 - momentum) * mu,
            momentum * running_var + (1 - momentum) * var * (m - 1) / m)
''', 6.0),
    ],
    "ex7_batchnorm_forward_eval": [
        ("the batch statistics in place of the running ones",
         '''def batchnorm_forward_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
    mu, var = np.mean(x, axis=0), np.var(x, axis=0)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta
''', 0.0),
        ("eps outside the square root",
         '''def batchnorm_forward_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
    return gamma * (x - running_mean) / (np.sqrt(running_var) + eps) + beta
'''),
        ("divides by the variance, not the standard deviation",
         '''def batchnorm_forward_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
    return gamma * (x - running_mean) / (running_var + eps) + beta
'''),
    ],
}
