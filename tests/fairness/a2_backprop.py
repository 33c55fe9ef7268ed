"""Fairness answers of a2_backprop (read by tests/test_fairness.py).

CORRECT: answer cell grade_id -> [(style, full source of the answer cell)], each of which must
get the exercise's full points, graded and on the visible tests. WRONG: grade_id ->
[(the convention it breaks, source) or (convention, source, exact graded score)], each of which
must lose points, graded and on the visible tests. A source replaces the whole answer cell; the
other exercises keep the solution's answers.
"""

# ----------------------------------------------------------------------------------------------
# Exercise 1: add, mul, div, pow (4 points each; dx and dy half a case each)
# ----------------------------------------------------------------------------------------------
_EX1_ADD = r'''def add_backward(x, y, dout):
    return dout * np.ones_like(x), dout * np.ones_like(y)
'''
_EX1_MUL = r'''def mul_backward(x, y, dout):
    return dout * y, dout * x
'''
_EX1_DIV = r'''def div_backward(x, y, dout):
    return dout / y, -dout * x / y**2
'''
_EX1_POW = r'''def pow_backward(x, n, dout):
    return dout * n * x ** (n - 1)
'''


def _ex1(add=_EX1_ADD, mul=_EX1_MUL, div=_EX1_DIV, pow_=_EX1_POW):
    """The solution's four functions, with some of them replaced."""
    return "\n\n".join([add, mul, div, pow_])


_EX2_SIGMOID = r'''def sigmoid_backward(z, dout):
    s = sigmoid(z)
    return dout * s * (1 - s)
'''
_EX2_TANH = r'''def tanh_backward(z, dout):
    t = tanh(z)
    return dout * (1 - t**2)
'''
_EX2_RELU = r'''def relu_backward(z, dout):
    return dout * (np.asarray(z) > 0)
'''


def _ex2(sigmoid=_EX2_SIGMOID, tanh=_EX2_TANH, relu=_EX2_RELU):
    """The solution's three functions, with some of them replaced."""
    return "\n\n".join([sigmoid, tanh, relu])


CORRECT = {
    "ex1_local_rules": [
        ("dout itself for +, dy from dx for /, another order of factors",
         r'''def add_backward(x, y, dout):
    return dout, dout


def mul_backward(x, y, dout):
    return y * dout, x * dout


def div_backward(x, y, dout):
    dx = dout / y
    dy = -dx * x / y  # -dout x / y^2
    return dx, dy


def pow_backward(x, n, dout):
    return n * x ** (n - 1) * dout
'''),
        ("np.multiply, np.divide, np.power, lists, a helper, local names like the tests'",
         r'''import numpy as np


def _chain(dout, local):
    """dL/dinput = dL/dout * dout/dinput."""
    return np.multiply(dout, local)


def add_backward(x, y, dout):
    _x = np.ones_like(x, dtype=float)
    _y = np.ones_like(y, dtype=float)
    return [_chain(dout, _x), _chain(dout, _y)]


def mul_backward(x, y, dout):
    _x, _y = np.copy(x), np.copy(y)
    return [_chain(dout, _y), _chain(dout, _x)]


def div_backward(x, y, dout):
    _dout = np.asarray(dout, dtype=float)
    return [np.divide(_dout, y), np.negative(_dout) * np.divide(x, np.square(y))]


def pow_backward(x, n, dout):
    return _chain(dout, n * np.power(np.asarray(x, dtype=float), n - 1))
'''),
        ("float32 results, prints left in, a docstring that mentions the autograder",
         r'''def add_backward(x, y, dout):
    """The autograder checks this against the slides' numbers."""
    g = np.asarray(dout, dtype=np.float32)
    print("add_backward:", g)
    return g, g.copy()


def mul_backward(x, y, dout):
    x, y, dout = (np.asarray(a, dtype=np.float32) for a in (x, y, dout))
    print("mul_backward:", dout * y, dout * x)
    return dout * y, dout * x


def div_backward(x, y, dout):
    x, y, dout = (np.asarray(a, dtype=np.float32) for a in (x, y, dout))
    return dout / y, -dout * x / (y * y)


def pow_backward(x, n, dout):
    x, dout = np.asarray(x, dtype=np.float32), np.asarray(dout, dtype=np.float32)
    return dout * np.float32(n) * x ** np.float32(n - 1)
'''),
    ],
    "ex2_activation_rules": [
        ("sigmoid by hand, 1 / (1 + np.exp(-z)) (overflows for z = -800, still right), "
         "np.where for ReLU", r'''def _sig(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_backward(z, dout):
    s = _sig(np.asarray(z, dtype=float))
    return dout * s * (1 - s)


def tanh_backward(z, dout):
    return dout * (1 - np.tanh(z) ** 2)


def relu_backward(z, dout):
    return np.where(np.asarray(z) > 0, dout, 0.0)
'''),
        ("other formulas: sigmoid(z) sigmoid(-z), 1 / cosh(z)^2, (z > 0) as float",
         r'''def sigmoid_backward(z, dout):
    return dout * sigmoid(z) * sigmoid(-z)


def tanh_backward(z, dout):
    return dout / np.cosh(z) ** 2


def relu_backward(z, dout):
    return dout * (np.asarray(z) > 0).astype(float)
'''),
        ("math with np.vectorize, a stable sigmoid by branches, ReLU in place on a copy",
         r'''import math


def _sigmoid_number(t):
    if t >= 0:
        return 1.0 / (1.0 + math.exp(-t))
    e = math.exp(t)
    return e / (1.0 + e)


def sigmoid_backward(z, dout):
    s = np.vectorize(_sigmoid_number, otypes=[float])(z)
    return dout * s * (1.0 - s)


def tanh_backward(z, dout):
    t = np.vectorize(math.tanh, otypes=[float])(z)
    return dout * (1.0 - t * t)


def relu_backward(z, dout):
    grad = np.array(dout, dtype=float, copy=True)
    grad[np.asarray(z) <= 0] = 0.0
    return grad
'''),
        ("tanh as 2 sigmoid(2z) - 1, g - g^2, np.heaviside(z, 0), a docstring with autograder",
         r'''def sigmoid_backward(z, dout):
    """g'(z) = g - g^2; the autograder compares it with sigmoid_grad."""
    g = sigmoid(z)
    return np.multiply(dout, g - g**2)


def tanh_backward(z, dout):
    t = 2 * sigmoid(2 * np.asarray(z)) - 1
    return dout * (1 - t) * (1 + t)


def relu_backward(z, dout):
    return dout * np.heaviside(z, 0.0)
'''),
        ("float32 (z = 1e-30 is still above 0 in float32)", r'''def sigmoid_backward(z, dout):
    s = sigmoid(np.asarray(z, dtype=np.float32))
    return np.asarray(dout, dtype=np.float32) * s * (1 - s)


def tanh_backward(z, dout):
    t = np.tanh(np.asarray(z, dtype=np.float32))
    return np.asarray(dout, dtype=np.float32) * (1 - t * t)


def relu_backward(z, dout):
    z32, dout32 = np.asarray(z, dtype=np.float32), np.asarray(dout, dtype=np.float32)
    return dout32 * (z32 > 0)
'''),
    ],
    "ex3_slides_example": [
        ("math, a helper for the / module, a list", r'''import math


def _div_back(u, z, d):
    return d / z, -d * u / z**2


def f_and_grads(x, y, z):
    v = math.pow(x, 2)
    u = v * y
    f = u / z
    df_du, df_dz = _div_back(u, z, 1.0)
    df_dv, df_dy = df_du * y, df_du * v
    df_dx = df_dv * 2 * x
    return [f, df_dx, df_dy, df_dz]
'''),
        ("NumPy scalars, prints left in", r'''def f_and_grads(x, y, z):
    x, y, z = np.float64(x), np.float64(y), np.float64(z)
    v = np.square(x)
    u = np.multiply(v, y)
    f = np.divide(u, z)
    print("forward:", v, u, f)
    grad_f = np.float64(1.0)
    grad_u = grad_f / z
    grad_z = grad_f * (-u / z**2)
    grad_v = grad_u * y
    grad_y = grad_u * v
    grad_x = grad_v * 2 * x
    print("backward:", grad_x, grad_y, grad_z)
    return f, grad_x, grad_y, grad_z
'''),
        ("dicts of values and gradients, df/dz = -f/z, local names like the tests'",
         r'''def f_and_grads(x, y, z):
    _x, _y, _z = float(x), float(y), float(z)
    forward = {"v": _x**2}
    forward["u"] = forward["v"] * _y
    forward["f"] = forward["u"] / _z
    grads = {"f": 1.0}
    grads["u"] = grads["f"] / _z
    grads["z"] = grads["f"] * (-forward["f"] / _z)  # -u / z^2 = -f / z
    grads["v"] = grads["u"] * _y
    grads["y"] = grads["u"] * forward["v"]
    grads["x"] = grads["v"] * 2 * _x
    return forward["f"], grads["x"], grads["y"], grads["z"]
'''),
        ("np.float32 scalars", r'''def f_and_grads(x, y, z):
    x, y, z = np.float32(x), np.float32(y), np.float32(z)
    v = x * x
    u = v * y
    f = u / z
    df_du = np.float32(1) / z
    df_dz = -u / (z * z)
    df_dy = df_du * v
    df_dx = df_du * y * 2 * x
    return f, df_dx, df_dy, df_dz
'''),
    ],
    "ex4_dense_forward": [
        ("float32", r'''def dense_forward(X, W, b):
    X32, W32, b32 = (np.asarray(a, dtype=np.float32) for a in (X, W, b))
    return X32 @ W32 + b32
'''),
        ("three loops, a list of rows", r'''def dense_forward(X, W, b):
    m, fan_in = X.shape
    fan_out = W.shape[1]
    rows = []
    for k in range(m):
        row = []
        for j in range(fan_out):
            z = b[j]
            for i in range(fan_in):
                z += W[i, j] * X[k, i]
            row.append(z)
        rows.append(row)
    return np.array(rows)
'''),
        ("einsum and the bias as a row, local names like the tests'",
         r'''def dense_forward(X, W, b):
    _b = np.reshape(b, (1, -1))
    return np.einsum("ki,ij->kj", X, W) + _b
'''),
        ("np.dot, then the bias added in place to a copy", r'''def dense_forward(X, W, b):
    Z = np.dot(X, W).copy()
    Z += b
    return Z
'''),
    ],
    "ex5_dense_backward": [
        ("a loop over the samples: sums of outer products", r'''def dense_backward(X, W, dZ):
    m = X.shape[0]
    dX = np.zeros(X.shape)
    dW = np.zeros(W.shape)
    db = np.zeros(W.shape[1])
    for k in range(m):
        dW += np.outer(X[k], dZ[k])
        db += dZ[k]
        dX[k] = W @ dZ[k]
    return dX, dW, db
'''),
        ("einsum, a list, db as ones @ dZ", r'''def dense_backward(X, W, dZ):
    return [np.einsum("kj,ij->ki", dZ, W), np.einsum("ki,kj->ij", X, dZ),
            np.ones(len(dZ)) @ dZ]
'''),
        ("float32", r'''def dense_backward(X, W, dZ):
    X, W, dZ = X.astype(np.float32), W.astype(np.float32), dZ.astype(np.float32)
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)
'''),
        ("np.dot with transposes, np.sum, a print left in", r'''def dense_backward(X, W, dZ):
    dW = np.dot(np.transpose(X), dZ)
    db = np.sum(dZ, axis=0)
    dX = np.dot(dZ, np.transpose(W))
    print("shapes:", dX.shape, dW.shape, db.shape)
    return dX, dW, db
'''),
    ],
    "ex6_softmax_cross_entropy": [
        ("one_hot from the setup cell, the log-sum-exp with [:, None]",
         r'''def softmax_cross_entropy(logits, labels):
    m = logits.shape[0]
    Y = one_hot(labels, logits.shape[1])
    z = logits - np.max(logits, axis=1)[:, None]
    log_p = z - np.log(np.sum(np.exp(z), axis=1))[:, None]
    loss = -np.sum(Y * log_p) / m
    return loss, (np.exp(log_p) - Y) / m
'''),
        ("a loop over the samples with math and lists", r'''import math


def softmax_cross_entropy(logits, labels):
    m, K = logits.shape
    total = 0.0
    dlogits = np.zeros((m, K))
    for i in range(m):
        row = [float(v) for v in logits[i]]
        top = max(row)
        exps = [math.exp(v - top) for v in row]
        s = sum(exps)
        total += -((row[labels[i]] - top) - math.log(s))
        for j in range(K):
            dlogits[i, j] = exps[j] / s - (1.0 if j == labels[i] else 0.0)
    return total / m, dlogits / m
'''),
        ("take_along_axis, np.subtract.at on a copy, a NumPy scalar, names like the tests'",
         r'''def softmax_cross_entropy(logits, labels):
    _m = len(labels)
    _mu = logits.max(axis=1, keepdims=True)
    shifted = logits - _mu
    lse = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_probs = shifted - lse
    picked = np.take_along_axis(log_probs, np.asarray(labels).reshape(-1, 1), axis=1)
    grad = np.exp(log_probs).copy()
    np.subtract.at(grad, (np.arange(_m), labels), 1.0)
    return np.float64(-picked.mean()), grad / _m
'''),
    ],
    "ex7_numerical_gradient": [
        ("in place: x[i] += h, x[i] -= 2h, x[i] += h (rounding may change x's last digit)",
         r'''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        x[i] += h
        f_plus = f(x)
        x[i] -= 2 * h
        f_minus = f(x)
        x[i] += h
        grad[i] = (f_plus - f_minus) / (2 * h)
        it.iternext()
    return grad
'''),
        ("the old value saved and put back, through a flat view, a progress print",
         r'''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.size)
    flat = x.reshape(-1)  # a view of x
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        fp = f(x)
        flat[i] = old - h
        fm = f(x)
        flat[i] = old
        grad[i] = (fp - fm) / (2 * h)
        print(f"coordinate {i + 1}/{flat.size}", end="\r")
    print()
    return grad.reshape(x.shape)
'''),
        ("a float64 copy and the unit vectors of np.eye", r'''def numerical_gradient(f, x, h=1e-5):
    x0 = np.array(x, dtype=np.float64)  # a copy
    grad = np.empty(x0.size, dtype=np.float64)
    for i, e in enumerate(np.eye(x0.size)):
        step = h * e.reshape(x0.shape)
        grad[i] = (f(x0 + step) - f(x0 - step)) / (2 * h)
    return grad.reshape(x0.shape)
'''),
        ("a helper for one coordinate on np.copy, local names like the tests'",
         r'''def _central(f, x, index, h):
    _x = np.copy(x)
    _x[index] = x[index] + h
    _score_plus = f(_x)
    _x[index] = x[index] - h
    _score_minus = f(_x)
    return (_score_plus - _score_minus) / (2 * h)


def numerical_gradient(f, x, h=1e-5):
    _cases = list(np.ndindex(x.shape))
    return np.array([_central(f, x, i, h) for i in _cases]).reshape(x.shape)
'''),
    ],
}

WRONG = {
    "ex1_local_rules": [
        ("div: dy without the minus sign", _ex1(div=r'''def div_backward(x, y, dout):
    return dout / y, dout * x / y**2
'''), 14),
        ("div: dx forgets dout (right at df/df = 1 only)",
         _ex1(div=r'''def div_backward(x, y, dout):
    return 1 / y, -dout * x / y**2
'''), 14),
        ("mul: each input's own value, dx = dout x", _ex1(mul=r'''def mul_backward(x, y, dout):
    return dout * x, dout * y
'''), 12),
        ("pow: n = 2 only, 2 x dout", _ex1(pow_=r'''def pow_backward(x, n, dout):
    return dout * 2 * x
'''), 12.67),
        ("add: forgets dout, returns ones", _ex1(add=r'''def add_backward(x, y, dout):
    return np.ones_like(x), np.ones_like(y)
'''), 12),
    ],
    "ex2_activation_rules": [
        ("sigmoid: e^-z / (1 + e^-z)^2 directly, nan for large |z| (the text asks for the "
         "right value)", _ex2(sigmoid=r'''def sigmoid_backward(z, dout):
    e = np.exp(-np.asarray(z, dtype=float))
    return dout * e / (1 + e) ** 2
''')),
        ("sigmoid: forgets dout", _ex2(sigmoid=r'''def sigmoid_backward(z, dout):
    s = sigmoid(z)
    return s * (1 - s)
''')),
        ("tanh: 1 - tanh(z), the square forgotten", _ex2(tanh=r'''def tanh_backward(z, dout):
    return dout * (1 - tanh(z))
'''), 8.57),
        ("relu: g'(0) = 1, z >= 0", _ex2(relu=r'''def relu_backward(z, dout):
    return dout * (np.asarray(z) >= 0)
'''), 10.86),
    ],
    "ex3_slides_example": [
        ("df_dz without the minus sign", r'''def f_and_grads(x, y, z):
    v = x**2
    u = v * y
    f = u / z
    df_du = 1 / z
    df_dz = u / z**2
    df_dv = df_du * y
    df_dy = df_du * v
    df_dx = df_dv * 2 * x
    return f, df_dx, df_dy, df_dz
''', 9),
        ("df_dx forgets the 2 of x^2", r'''def f_and_grads(x, y, z):
    v = x**2
    u = v * y
    f = u / z
    df_du = 1 / z
    df_dz = -u / z**2
    df_dv = df_du * y
    df_dy = df_du * v
    df_dx = df_dv * x
    return f, df_dx, df_dy, df_dz
''', 9),
        ("df_dy = df_du * y: the input's own value", r'''def f_and_grads(x, y, z):
    v = x**2
    u = v * y
    f = u / z
    df_du = 1 / z
    df_dz = -u / z**2
    df_dv = df_du * y
    df_dy = df_du * y
    df_dx = df_dv * 2 * x
    return f, df_dx, df_dy, df_dz
'''),
    ],
    "ex4_dense_forward": [
        ("forgets the bias", r'''def dense_forward(X, W, b):
    return X @ W
''', 0),
        ("the bias added to the first row only", r'''def dense_forward(X, W, b):
    Z = X @ W
    Z[0] += b
    return Z
''', 1.33),
    ],
    "ex5_dense_backward": [
        ("db: the mean over the batch instead of the sum", r'''def dense_backward(X, W, dZ):
    return dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)
''', 12),
        ("db with keepdims: shape (1, fan_out), not b's", r'''def dense_backward(X, W, dZ):
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0, keepdims=True)
''', 12),
        ("dW divided by the batch size", r'''def dense_backward(X, W, dZ):
    return dZ @ W.T, X.T @ dZ / X.shape[0], dZ.sum(axis=0)
''', 12),
    ],
    "ex6_softmax_cross_entropy": [
        ("no max shift: e^1000 overflows", r'''def softmax_cross_entropy(logits, labels):
    m = logits.shape[0]
    exps = np.exp(logits)
    probs = exps / exps.sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(m), labels]).mean()
    dlogits = probs.copy()
    dlogits[np.arange(m), labels] -= 1
    return float(loss), dlogits / m
''', 12),
        ("the max shift, then the log of a probability that rounds to 0",
         r'''def softmax_cross_entropy(logits, labels):
    m = logits.shape[0]
    exps = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = exps / exps.sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(m), labels]).mean()
    dlogits = probs.copy()
    dlogits[np.arange(m), labels] -= 1
    return float(loss), dlogits / m
''', 17),
        ("the sum over the batch instead of the mean",
         r'''def softmax_cross_entropy(logits, labels):
    m = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    dlogits = np.exp(log_probs)
    dlogits[np.arange(m), labels] -= 1
    return float(-log_probs[np.arange(m), labels].sum()), dlogits
'''),
        ("dlogits without the 1/m", r'''def softmax_cross_entropy(logits, labels):
    m = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    dlogits = np.exp(log_probs)
    dlogits[np.arange(m), labels] -= 1
    return float(-log_probs[np.arange(m), labels].mean()), dlogits
'''),
        ("computed in float32 (the text asks for float64)",
         r'''def softmax_cross_entropy(logits, labels):
    logits = logits.astype(np.float32)
    m = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    dlogits = np.exp(log_probs)
    dlogits[np.arange(m), labels] -= 1
    return float(-log_probs[np.arange(m), labels].mean()), dlogits / m
'''),
    ],
    "ex7_numerical_gradient": [
        ("ignores h: the step hard-coded to 1e-5", r'''def numerical_gradient(f, x, h=1e-5):
    step = 1e-5
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        x_plus, x_minus = x.copy(), x.copy()
        x_plus[index] += step
        x_minus[index] -= step
        grad[index] = (f(x_plus) - f(x_minus)) / (2 * step)
    return grad
''', 15),
        ("a forward difference, (f(x + h e_i) - f(x)) / h",
         r'''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        x_plus = x.copy()
        x_plus[index] += h
        grad[index] = (f(x_plus) - f(x)) / h
    return grad
'''),
        ("divides by h instead of 2h", r'''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        x_plus, x_minus = x.copy(), x.copy()
        x_plus[index] += h
        x_minus[index] -= h
        grad[index] = (f(x_plus) - f(x_minus)) / h
    return grad
'''),
        ("a float32 gradient (the text asks for float64)", r'''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape, dtype=np.float32)
    for index in np.ndindex(x.shape):
        x_plus, x_minus = x.copy(), x.copy()
        x_plus[index] += h
        x_minus[index] -= h
        grad[index] = (f(x_plus) - f(x_minus)) / (2 * h)
    return grad
''', 2),
        ("x[i] not put back: x is left changed", r'''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        x[index] += h
        f_plus = f(x)
        x[index] -= 2 * h
        f_minus = f(x)
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad
'''),
    ],
}
