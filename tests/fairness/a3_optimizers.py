"""a3_optimizers: correct answers in other styles, and wrong answers by the convention they break.

Read by tests/test_fairness.py (see there). Each answer is the full source of an answer cell.
"""

CORRECT = {
    "ex1_iterate_minibatches": [
        ("returns a list (a list comprehension)", '''def iterate_minibatches(X, y, batch_size, rng):
    order = rng.permutation(len(X))
    return [(X[order[i:i + batch_size]], y[order[i:i + batch_size]])
            for i in range(0, len(X), batch_size)]
'''),
        ("rng.shuffle of np.arange(n) (the same stream as rng.permutation(n)), a while loop",
         '''def iterate_minibatches(X, y, batch_size, rng):
    n = X.shape[0]
    idx = np.arange(n)
    rng.shuffle(idx)
    start = 0
    while start < n:
        stop = min(start + batch_size, n)
        yield X[idx[start:stop]], y[idx[start:stop]]
        start = stop
'''),
        ("math.ceil batches, local names like the tests' (_rng, _order, _cases), a docstring "
         "naming the autograder, a print left in", '''import math


def iterate_minibatches(X, y, batch_size, rng):
    """My mini-batches (the autograder compares them with rng.permutation)."""
    _rng = rng
    _order = _rng.permutation(len(y))
    _cases = math.ceil(len(y) / batch_size)
    print(f"{_cases} batches")
    for _b in range(_cases):
        _idx = _order[_b * batch_size:(_b + 1) * batch_size]
        yield X[_idx], y[_idx]
'''),
        ("rng.permuted(np.arange(n)) as a list, rows stacked one by one",
         '''def iterate_minibatches(X, y, batch_size, rng):
    order = list(rng.permuted(np.arange(len(X))))
    batches = []
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        batches.append((np.array([X[i] for i in rows]), np.array([y[i] for i in rows])))
    return batches
'''),
    ],
    "ex2_momentum_step": [
        ("copies, then in-place work on the copies",
         '''def momentum_step(theta, grad, velocity, lr, beta):
    theta = np.copy(theta)
    velocity = velocity.copy()
    velocity *= beta
    velocity += (1 - beta) * grad
    theta -= lr * velocity
    return theta, velocity
'''),
        ("a loop over the components (np.ndindex), a list returned",
         '''def momentum_step(theta, grad, velocity, lr, beta):
    new_theta = np.empty(np.shape(theta))
    new_velocity = np.empty(np.shape(theta))
    for i in np.ndindex(np.shape(theta)):
        new_velocity[i] = beta * velocity[i] + (1 - beta) * grad[i]
        new_theta[i] = theta[i] - lr * new_velocity[i]
    return [new_theta, new_velocity]
'''),
        ("another formula, v + (1 - beta)(g - v), local names like the tests' (_v, _theta)",
         '''def momentum_step(theta, grad, velocity, lr, beta):
    _v = velocity + (1 - beta) * (grad - velocity)
    _theta = theta - lr * _v
    return _theta, _v
'''),
        ("float32 arithmetic", '''def momentum_step(theta, grad, velocity, lr, beta):
    v = np.float32(beta) * np.asarray(velocity, np.float32) \\
        + np.float32(1 - beta) * np.asarray(grad, np.float32)
    return np.asarray(theta, np.float32) - np.float32(lr) * v, v
'''),
    ],
    "ex3_adagrad_step": [
        ("a loop with math.sqrt on copies", '''import math


def adagrad_step(theta, grad, sum_sq, lr, eps):
    theta = np.array(theta, dtype=float)
    sum_sq = np.array(sum_sq, dtype=float)
    for i in np.ndindex(theta.shape):
        sum_sq[i] += grad[i] ** 2
        theta[i] -= lr * grad[i] / (math.sqrt(sum_sq[i]) + eps)
    return theta, sum_sq
'''),
        ("np.square and a power 0.5, a helper function", '''def _denominator(G, eps):
    return np.power(G, 0.5) + eps


def adagrad_step(theta, grad, sum_sq, lr, eps):
    G = np.add(sum_sq, np.square(grad))
    return theta - lr * grad / _denominator(G, eps), G
'''),
        ("the per-coordinate learning rate first, np.copy and in place on the copies",
         '''def adagrad_step(theta, grad, sum_sq, lr, eps):
    G = np.copy(sum_sq)
    G += grad * grad
    rate = lr / (np.sqrt(G) + eps)
    new_theta = np.copy(theta)
    new_theta -= rate * grad
    return (new_theta, G)
'''),
        ("float32 arithmetic", '''def adagrad_step(theta, grad, sum_sq, lr, eps):
    g = np.asarray(grad, dtype=np.float32)
    G = np.asarray(sum_sq, dtype=np.float32) + g * g
    denominator = np.sqrt(G) + np.float32(eps)
    return np.asarray(theta, dtype=np.float32) - np.float32(lr) * g / denominator, G
'''),
    ],
    "ex4_rmsprop_step": [
        ("another formula, v + (1 - beta)(g^2 - v)",
         '''def rmsprop_step(theta, grad, avg_sq, lr, beta, eps):
    avg_sq = avg_sq + (1 - beta) * (grad**2 - avg_sq)
    return theta - lr * grad / (np.sqrt(avg_sq) + eps), avg_sq
'''),
        ("a loop with math.sqrt over lists, arrays at the end", '''import math


def rmsprop_step(theta, grad, avg_sq, lr, beta, eps):
    shape = np.shape(theta)
    new_theta, new_v = [], []
    for t_i, g_i, v_i in zip(np.ravel(theta), np.ravel(grad), np.ravel(avg_sq)):
        v_i = beta * v_i + (1 - beta) * g_i * g_i
        new_v.append(v_i)
        new_theta.append(t_i - lr * g_i / (math.sqrt(v_i) + eps))
    return np.reshape(new_theta, shape), np.reshape(new_v, shape)
'''),
        ("ufuncs with out= on new arrays", '''def rmsprop_step(theta, grad, avg_sq, lr, beta, eps):
    v = np.multiply(avg_sq, beta)
    np.add(v, (1 - beta) * np.square(grad), out=v)
    denominator = np.sqrt(v)
    denominator += eps
    return np.subtract(theta, lr * grad / denominator), v
'''),
        ("float32 arithmetic", '''def rmsprop_step(theta, grad, avg_sq, lr, beta, eps):
    g = np.float32(grad)
    v = np.float32(beta) * np.float32(avg_sq) + np.float32(1 - beta) * g**2
    return np.float32(theta) - np.float32(lr) * g / (np.sqrt(v) + np.float32(eps)), v
'''),
    ],
    "ex5_adam_step": [
        ("Kingma & Ba's form: step size lr sqrt(1 - beta2^t) / (1 - beta1^t), eps scaled by "
         "sqrt(1 - beta2^t)", '''import math


def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    c1, c2 = 1 - beta1**t, 1 - beta2**t
    step_size = lr * math.sqrt(c2) / c1
    theta = theta - step_size * m / (np.sqrt(v) + eps * math.sqrt(c2))
    return theta, m, v
'''),
        ("a loop with math.sqrt, local names like the tests' (_m, _v, _mhat, _vhat)",
         '''import math


def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
    _theta = np.array(theta, dtype=float)
    _m = np.array(m, dtype=float)
    _v = np.array(v, dtype=float)
    for i in np.ndindex(_theta.shape):
        _m[i] = beta1 * _m[i] + (1 - beta1) * grad[i]
        _v[i] = beta2 * _v[i] + (1 - beta2) * grad[i] ** 2
        _mhat = _m[i] / (1 - beta1 ** t)
        _vhat = _v[i] / (1 - beta2 ** t)
        _theta[i] = _theta[i] - lr * _mhat / (math.sqrt(_vhat) + eps)
    return _theta, _m, _v
'''),
        ("copies, then in-place work on the copies",
         '''def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
    theta, m, v = theta.copy(), m.copy(), v.copy()
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad ** 2
    theta -= lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    return theta, m, v
'''),
        ("float32 arithmetic", '''def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
    f = np.float32
    g = np.asarray(grad, f)
    m = f(beta1) * np.asarray(m, f) + f(1 - beta1) * g
    v = f(beta2) * np.asarray(v, f) + f(1 - beta2) * g * g
    m_hat = m / f(1 - beta1**t)
    v_hat = v / f(1 - beta2**t)
    return np.asarray(theta, f) - f(lr) * m_hat / (np.sqrt(v_hat) + f(eps)), m, v
'''),
    ],
    "ex6_compare_optimizers": [
        ("theta.grad[...] = the gradient (no zero_grad needed), the best by sorting",
         '''def compare_optimizers(surface, optimizers, start, steps):
    final_losses = {}
    for name, (optimizer_class, hyperparameters) in optimizers.items():
        theta = Parameter(start)
        optimizer = optimizer_class([theta], **hyperparameters)
        for _ in range(steps):
            theta.grad[...] = surface.grad(theta.data)
            optimizer.step()
        final_losses[name] = float(surface(theta.data))
    best = sorted(final_losses, key=lambda name: final_losses[name])[0]
    return final_losses, best
'''),
        ("theta.grad = the gradient (a new array each step), np.copy(start), .item()",
         '''def compare_optimizers(surface, optimizers, start, steps):
    final_losses = {}
    for name in optimizers:
        optimizer_class, hyperparameters = optimizers[name]
        theta = Parameter(np.copy(start), name="theta")
        optimizer = optimizer_class([theta], **hyperparameters)
        for step in range(steps):
            optimizer.zero_grad()
            theta.grad = surface.grad(theta.data)
            optimizer.step()
        final_losses[name] = surface(theta.data).item()
    best = min(final_losses.items(), key=lambda pair: pair[1])[0]
    return final_losses, best
'''),
        ("a tqdm progress bar over the optimizers (the plain one, on standard error)",
         '''from tqdm import tqdm


def compare_optimizers(surface, optimizers, start, steps):
    final_losses = {}
    for name, (optimizer_class, hyperparameters) in tqdm(optimizers.items(), desc="optimizers"):
        theta = Parameter(start)
        optimizer = optimizer_class([theta], **hyperparameters)
        for _ in range(steps):
            optimizer.zero_grad()
            theta.grad += surface.grad(theta.data)
            optimizer.step()
        final_losses[name] = float(surface(theta.data))
    return final_losses, min(final_losses, key=final_losses.get)
'''),
        ("a helper per optimizer with local names like the tests' (_theta, _opt), NumPy scalar "
         "losses, a print left in, the best by a loop",
         '''def _run_one(surface, optimizer_class, hyperparameters, start, steps):
    _theta = Parameter(start.copy())
    _opt = optimizer_class([_theta], **hyperparameters)
    for _step in range(steps):
        _opt.zero_grad()
        _theta.grad += surface.grad(_theta.data)
        _opt.step()
    return np.float64(surface(_theta.data))


def compare_optimizers(surface, optimizers, start, steps):
    final_losses = {name: _run_one(surface, cls, hyper, start, steps)
                    for name, (cls, hyper) in optimizers.items()}
    print(final_losses)
    best = None
    for name, loss in final_losses.items():
        if best is None or loss < final_losses[best]:
            best = name
    return final_losses, best
'''),
        ("the gradient copied component by component, a list of (name, loss) pairs",
         '''def compare_optimizers(surface, optimizers, start, steps):
    results = []
    for name, pair in optimizers.items():
        cls, hyper = pair
        theta = Parameter(list(start))
        opt = cls([theta], **hyper)
        for _ in range(steps):
            opt.zero_grad()
            g = surface.grad(theta.data)
            theta.grad[0] = g[0]
            theta.grad[1] = g[1]
            opt.step()
        results.append((name, float(surface(theta.data))))
    best = min(results, key=lambda r: r[1])[0]
    return dict(results), best
'''),
    ],
}

WRONG = {
    "ex1_iterate_minibatches": [
        ("no shuffle: the samples in their original order",
         '''def iterate_minibatches(X, y, batch_size, rng):
    for start in range(0, len(X), batch_size):
        yield X[start:start + batch_size], y[start:start + batch_size]
''', 6.5),
        ("np.random.permutation: the global generator, not rng",
         '''def iterate_minibatches(X, y, batch_size, rng):
    np.random.seed(0)  # seeded, so the batches repeat, but not drawn from rng
    order = np.random.permutation(len(X))
    for start in range(0, len(X), batch_size):
        batch = order[start:start + batch_size]
        yield X[batch], y[batch]
'''),
        ("np.array_split into ceil(n / B) equal-ish batches (4, 3, 3 instead of 4, 4, 2)",
         '''def iterate_minibatches(X, y, batch_size, rng):
    order = rng.permutation(len(X))
    count = int(np.ceil(len(X) / batch_size))
    return [(X[batch], y[batch]) for batch in np.array_split(order, count)]
'''),
        ("X and y shuffled by two different permutations",
         '''def iterate_minibatches(X, y, batch_size, rng):
    X_shuffled = X[rng.permutation(len(X))]
    y_shuffled = y[rng.permutation(len(y))]
    for start in range(0, len(X), batch_size):
        yield X_shuffled[start:start + batch_size], y_shuffled[start:start + batch_size]
'''),
        ("rng.choice(n, n, replace=False): another order than rng.permutation(n)",
         '''def iterate_minibatches(X, y, batch_size, rng):
    order = rng.choice(len(X), size=len(X), replace=False)
    for start in range(0, len(X), batch_size):
        batch = order[start:start + batch_size]
        yield X[batch], y[batch]
''', 10.5),
    ],
    "ex2_momentum_step": [
        ("no (1 - beta): v = beta v + g", '''def momentum_step(theta, grad, velocity, lr, beta):
    velocity = beta * velocity + grad
    return theta - lr * velocity, velocity
'''),
        ("theta moves by the old velocity", '''def momentum_step(theta, grad, velocity, lr, beta):
    theta = theta - lr * velocity
    velocity = beta * velocity + (1 - beta) * grad
    return theta, velocity
'''),
        ("the decays swapped: (1 - beta) v + beta g",
         '''def momentum_step(theta, grad, velocity, lr, beta):
    velocity = (1 - beta) * velocity + beta * grad
    return theta - lr * velocity, velocity
'''),
        ("in place: theta -= ..., velocity *= ... (the inputs change)",
         '''def momentum_step(theta, grad, velocity, lr, beta):
    velocity *= beta
    velocity += (1 - beta) * grad
    theta -= lr * velocity
    return theta, velocity
''', 12.0),
    ],
    "ex3_adagrad_step": [
        ("eps inside the square root: sqrt(G + eps)",
         '''def adagrad_step(theta, grad, sum_sq, lr, eps):
    sum_sq = sum_sq + grad**2
    return theta - lr * grad / np.sqrt(sum_sq + eps), sum_sq
'''),
        ("steps with the old G, adds g^2 after the step",
         '''def adagrad_step(theta, grad, sum_sq, lr, eps):
    theta = theta - lr * grad / (np.sqrt(sum_sq) + eps)
    return theta, sum_sq + grad**2
'''),
        ("G = g^2: forgets the past gradients", '''def adagrad_step(theta, grad, sum_sq, lr, eps):
    sum_sq = grad**2
    return theta - lr * grad / (np.sqrt(sum_sq) + eps), sum_sq
'''),
        ("in place: sum_sq += g^2, theta -= ... (the inputs change)",
         '''def adagrad_step(theta, grad, sum_sq, lr, eps):
    sum_sq += grad**2
    theta -= lr * grad / (np.sqrt(sum_sq) + eps)
    return theta, sum_sq
''', 12.0),
    ],
    "ex4_rmsprop_step": [
        ("the slides' form: eps under the square root",
         '''def rmsprop_step(theta, grad, avg_sq, lr, beta, eps):
    avg_sq = beta * avg_sq + (1 - beta) * grad**2
    return theta - lr * grad / np.sqrt(avg_sq + eps), avg_sq
'''),
        ("the decays swapped: (1 - beta) v + beta g^2",
         '''def rmsprop_step(theta, grad, avg_sq, lr, beta, eps):
    avg_sq = (1 - beta) * avg_sq + beta * grad**2
    return theta - lr * grad / (np.sqrt(avg_sq) + eps), avg_sq
'''),
        ("steps with the old v", '''def rmsprop_step(theta, grad, avg_sq, lr, beta, eps):
    theta = theta - lr * grad / (np.sqrt(avg_sq) + eps)
    return theta, beta * avg_sq + (1 - beta) * grad**2
'''),
        ("in place: avg_sq *= beta, theta -= ... (the inputs change)",
         '''def rmsprop_step(theta, grad, avg_sq, lr, beta, eps):
    avg_sq *= beta
    avg_sq += (1 - beta) * grad**2
    theta -= lr * grad / (np.sqrt(avg_sq) + eps)
    return theta, avg_sq
''', 12.0),
    ],
    "ex5_adam_step": [
        ("eps inside the square root: sqrt(v_hat + eps)",
         '''def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / np.sqrt(v_hat + eps), m, v
''', 15.73),
        ("returns m_hat and v_hat instead of m and v",
         '''def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat
''', 7.0),
        ("no bias correction (the slides' form)",
         '''def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return theta - lr * m / (np.sqrt(v) + eps), m, v
'''),
        ("Kingma & Ba's form with eps not scaled: sqrt(v) + eps instead of sqrt(v_hat) + eps",
         '''import math


def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    step_size = lr * math.sqrt(1 - beta2**t) / (1 - beta1**t)
    return theta - step_size * m / (np.sqrt(v) + eps), m, v
'''),
        ("in place: m *= beta1, theta -= ... (the inputs change)",
         '''def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad**2
    theta -= lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return theta, m, v
''', 16.0),
    ],
    "ex6_compare_optimizers": [
        ("no zero_grad: the gradients add up from step to step",
         '''def compare_optimizers(surface, optimizers, start, steps):
    final_losses = {}
    for name, (optimizer_class, hyperparameters) in optimizers.items():
        theta = Parameter(start)
        optimizer = optimizer_class([theta], **hyperparameters)
        for _ in range(steps):
            theta.grad += surface.grad(theta.data)
            optimizer.step()
        final_losses[name] = float(surface(theta.data))
    return final_losses, min(final_losses, key=final_losses.get)
'''),
        ("best = the highest final loss",
         '''def compare_optimizers(surface, optimizers, start, steps):
    final_losses = {}
    for name, (optimizer_class, hyperparameters) in optimizers.items():
        theta = Parameter(start)
        optimizer = optimizer_class([theta], **hyperparameters)
        for _ in range(steps):
            optimizer.zero_grad()
            theta.grad += surface.grad(theta.data)
            optimizer.step()
        final_losses[name] = float(surface(theta.data))
    return final_losses, max(final_losses, key=final_losses.get)
''', 15.62),
        ("one Parameter for all optimizers: each starts where the last one stopped",
         '''def compare_optimizers(surface, optimizers, start, steps):
    final_losses = {}
    theta = Parameter(start)
    for name, (optimizer_class, hyperparameters) in optimizers.items():
        optimizer = optimizer_class([theta], **hyperparameters)
        for _ in range(steps):
            optimizer.zero_grad()
            theta.grad += surface.grad(theta.data)
            optimizer.step()
        final_losses[name] = float(surface(theta.data))
    return final_losses, min(final_losses, key=final_losses.get)
'''),
        ("one step too few", '''def compare_optimizers(surface, optimizers, start, steps):
    final_losses = {}
    for name, (optimizer_class, hyperparameters) in optimizers.items():
        theta = Parameter(start)
        optimizer = optimizer_class([theta], **hyperparameters)
        for _ in range(1, steps):
            optimizer.zero_grad()
            theta.grad += surface.grad(theta.data)
            optimizer.step()
        final_losses[name] = float(surface(theta.data))
    return final_losses, min(final_losses, key=final_losses.get)
'''),
    ],
}
