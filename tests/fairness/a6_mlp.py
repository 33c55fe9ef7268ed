"""Fairness answers of a6_mlp (read by tests/test_fairness.py).

CORRECT: answer cell grade_id -> [(style, full source of the answer cell)], each of which must
get the exercise's full points, graded and on the visible tests. WRONG: grade_id ->
[(the convention it breaks, source) or (convention, source, exact graded score)], each of which
must lose points, graded and on the visible tests. A source replaces the whole answer cell; the
other exercises keep the solution's answers.
"""

CORRECT = {
    "ex1_mlp_forward": [
        ("a while loop, np.dot, tuples, the output layer apart",
         r'''def mlp_forward(X, params, activation):
    g = ACTIVATIONS[activation][0]
    a = X
    zs = ()
    inputs = ()
    l = 0
    while l < len(params) - 1:
        W, b = params[l]
        inputs += (a,)
        z = np.dot(a, W) + b
        zs += (z,)
        a = g(z)
        l += 1
    W_out, b_out = params[-1]
    inputs += (a,)
    zs += (np.dot(a, W_out) + b_out,)
    return zs, inputs
'''),
        ("comprehension-free matmul, g of the previous z at the start of each layer, names "
         "like the tests' (cases, expected)", r'''def mlp_forward(X, params, activation):
    g, g_prime = ACTIVATIONS[activation]
    cases, expected = [], []
    for index, layer in enumerate(params):
        a_prev = X if index == 0 else g(cases[-1])
        expected.append(a_prev)
        cases.append(np.matmul(a_prev, layer[0]) + layer[1][np.newaxis, :])
    return cases, expected
'''),
        ("einsum, a copy of X as a^[0]", r'''import numpy as np


def mlp_forward(X, params, activation):
    g, _ = ACTIVATIONS[activation]
    zs, acts = [], [np.array(X, dtype=float)]
    for l, (W, b) in enumerate(params):
        z = np.einsum("mi,ij->mj", acts[-1], W) + b
        zs.append(z)
        if l + 1 < len(params):
            acts.append(g(z))
    return zs, acts
'''),
    ],
    "ex2_mlp_backward": [
        ("lists built backwards then reversed, np.sum, np.dot",
         r'''def mlp_backward(params, zs, activations, dZL, activation):
    g_prime = ACTIVATIONS[activation][1]
    dWs, dbs = [], []
    delta = dZL
    for l in reversed(range(len(params))):
        dWs.append(np.dot(activations[l].T, delta))
        dbs.append(np.sum(delta, axis=0))
        if l:
            delta = np.dot(delta, params[l][0].T) * g_prime(zs[l - 1])
    dWs.reverse()
    dbs.reverse()
    return dWs, dbs
'''),
        ("a recursive helper, tuples, einsum",
         r'''def _back(l, delta, params, zs, activations, g_prime):
    """The gradients of layers 1..l+1, from delta^[l+1]."""
    dW = np.einsum("mi,mj->ij", activations[l], delta)
    db = delta.sum(0)
    if l == 0:
        return (dW,), (db,)
    earlier = (delta @ params[l][0].T) * g_prime(zs[l - 1])
    dWs, dbs = _back(l - 1, earlier, params, zs, activations, g_prime)
    return dWs + (dW,), dbs + (db,)


def mlp_backward(params, zs, activations, dZL, activation):
    return _back(len(params) - 1, dZL, params, zs, activations, ACTIVATIONS[activation][1])
'''),
    ],
    "ex3_loss_and_gradients": [
        ("keyword arguments, the logits by name",
         r'''def loss_and_gradients(X, y, params, activation, forward=mlp_forward,
                       backward=mlp_backward):
    zs, activations = forward(X=X, params=params, activation=activation)
    logits = zs[len(zs) - 1]
    J, delta_L = softmax_cross_entropy(logits, y)
    grads = backward(params=params, zs=zs, activations=activations, dZL=delta_L,
                     activation=activation)
    return float(J), grads[0], grads[1]
'''),
        ("lists of the gradients copied, a tuple built in steps",
         r'''def loss_and_gradients(X, y, params, activation, forward=mlp_forward,
                       backward=mlp_backward):
    cache = forward(X, params, activation)
    loss, dZ = softmax_cross_entropy(cache[0][-1], y)
    dWs, dbs = backward(params, *cache, dZ, activation)
    result = (loss,)
    result += ([dW.copy() for dW in dWs],)
    result += (list(dbs),)
    return result
'''),
    ],
    "ex4_gradient_check": [
        ("sums of squares instead of concatenated vectors, theta.flat",
         r'''def gradient_check(loss_fn, params, dWs, dbs, h=1e-5):
    diff2 = num2 = ana2 = 0.0
    analytic = [g for pair in zip(dWs, dbs) for g in pair]
    thetas = [p for pair in params for p in pair]
    for theta, grad in zip(thetas, analytic):
        flat, g = theta.reshape(-1), np.ravel(grad)
        for i in range(flat.size):
            keep = flat[i]
            flat[i] = keep + h
            up = loss_fn(params)
            flat[i] = keep - h
            down = loss_fn(params)
            flat[i] = keep
            n = (up - down) / (2 * h)
            diff2 += (n - g[i]) ** 2
            num2 += n**2
            ana2 += g[i] ** 2
    return np.sqrt(diff2) / max(np.sqrt(num2) + np.sqrt(ana2), 1e-12)
'''),
        ("a fresh copy of the network for every perturbation (params never touched)",
         r'''import copy


def gradient_check(loss_fn, params, dWs, dbs, h=1e-5):
    numerical, analytic = [], []
    for l in range(len(params)):
        for which, grad in ((0, dWs[l]), (1, dbs[l])):
            shape = params[l][which].shape
            for index in np.ndindex(*shape):
                plus, minus = copy.deepcopy(params), copy.deepcopy(params)
                plus[l][which][index] += h
                minus[l][which][index] -= h
                numerical.append((loss_fn(plus) - loss_fn(minus)) / (2 * h))
                analytic.append(grad[index])
    n, a = np.array(numerical), np.array(analytic)
    return np.linalg.norm(n - a) / max(np.linalg.norm(n) + np.linalg.norm(a), 1e-12)
'''),
    ],
    "ex5_train": [
        ("in-place updates of the network's own arrays, a list written layer by layer",
         r'''def train(X, y, layer_sizes, activation, lr, epochs, seed,
          loss_and_gradients=loss_and_gradients):
    params = init_params(layer_sizes, seed)
    losses = []
    for epoch in range(epochs):
        J, dWs, dbs = loss_and_gradients(X, y, params, activation)
        losses.append(float(J))
        for l in range(len(params)):
            W, b = params[l]
            W -= lr * dWs[l]
            b -= lr * dbs[l]
    return params, losses
'''),
        ("a while loop, numpy losses, lists of lists",
         r'''def train(X, y, layer_sizes, activation, lr, epochs, seed,
          loss_and_gradients=loss_and_gradients):
    network = [list(layer) for layer in init_params(layer_sizes, seed)]
    history = np.zeros(epochs)
    t = 0
    while t < epochs:
        history[t], grads_W, grads_b = loss_and_gradients(X, y, network, activation)
        network = [[W - lr * gW, b - lr * gb]
                   for (W, b), gW, gb in zip(network, grads_W, grads_b)]
        t += 1
    return network, history
'''),
    ],
    "ex6_regression_losses": [
        ("a loop over the entries, np.where for the sign, np.float64 results",
         r'''def mse(pred, target):
    total = 0.0
    for p, t in zip(pred.ravel(), target.ravel()):
        total += (t - p) ** 2
    n = pred.size
    return np.float64(total / n), (2.0 / n) * (pred - target)


def mae(pred, target):
    diff = pred - target
    sign = np.where(diff > 0, 1.0, np.where(diff < 0, -1.0, 0.0))
    return np.abs(diff).sum() / diff.size, sign / diff.size
'''),
        ("the shape's product for N, the errors y - y_hat, and np.square",
         r'''def mse(pred, target):
    errors = target - pred
    N = int(np.prod(pred.shape))
    return float(np.square(errors).sum() / N), -2 * errors / N


def mae(pred, target):
    errors = target - pred
    N = int(np.prod(pred.shape))
    return float(np.abs(errors).mean()), -np.sign(errors) / N
'''),
    ],
}

WRONG = {
    "ex1_mlp_forward": [
        ("the activation applied to the output layer too",
         r'''def mlp_forward(X, params, activation):
    g, _ = ACTIVATIONS[activation]
    zs, activations, a = [], [], X
    for W, b in params:
        activations.append(a)
        z = a @ W + b
        zs.append(z)
        a = g(z)
    zs[-1] = a
    return zs, activations
'''),
        ("activations hold a^[1..L] (the outputs), not the inputs a^[0..L-1]",
         r'''def mlp_forward(X, params, activation):
    g, _ = ACTIVATIONS[activation]
    zs, activations, a = [], [], X
    for l, (W, b) in enumerate(params, start=1):
        z = a @ W + b
        zs.append(z)
        a = g(z) if l < len(params) else z
        activations.append(a)
    return zs, activations
'''),
        ("the bias forgotten", r'''def mlp_forward(X, params, activation):
    g, _ = ACTIVATIONS[activation]
    zs, activations, a = [], [], X
    for l, (W, b) in enumerate(params, start=1):
        activations.append(a)
        zs.append(a @ W)
        if l < len(params):
            a = g(zs[-1])
    return zs, activations
'''),
    ],
    "ex2_mlp_backward": [
        ("divides by m again", r'''def mlp_backward(params, zs, activations, dZL, activation):
    _, g_prime = ACTIVATIONS[activation]
    m = dZL.shape[0]
    dWs, dbs = [None] * len(params), [None] * len(params)
    delta = dZL
    for l in range(len(params) - 1, -1, -1):
        dWs[l] = activations[l].T @ delta / m
        dbs[l] = delta.sum(axis=0) / m
        if l > 0:
            delta = (delta @ params[l][0].T) * g_prime(zs[l - 1])
    return dWs, dbs
'''),
        ("the activation's derivative forgotten",
         r'''def mlp_backward(params, zs, activations, dZL, activation):
    dWs, dbs = [None] * len(params), [None] * len(params)
    delta = dZL
    for l in range(len(params) - 1, -1, -1):
        dWs[l] = activations[l].T @ delta
        dbs[l] = delta.sum(axis=0)
        if l > 0:
            delta = delta @ params[l][0].T
    return dWs, dbs
'''),
        ("the lists in backward order, layer L first",
         r'''def mlp_backward(params, zs, activations, dZL, activation):
    _, g_prime = ACTIVATIONS[activation]
    dWs, dbs = [], []
    delta = dZL
    for l in range(len(params) - 1, -1, -1):
        dWs.append(activations[l].T @ delta)
        dbs.append(delta.sum(axis=0))
        if l > 0:
            delta = (delta @ params[l][0].T) * g_prime(zs[l - 1])
    return dWs, dbs
'''),
    ],
    "ex3_loss_and_gradients": [
        ("the loss passed to the backward pass instead of dJ/dz^[L]",
         r'''def loss_and_gradients(X, y, params, activation, forward=mlp_forward,
                       backward=mlp_backward):
    zs, activations = forward(X, params, activation)
    loss, _ = softmax_cross_entropy(zs[-1], y)
    dWs, dbs = backward(params, zs, activations, loss * np.ones_like(zs[-1]), activation)
    return loss, dWs, dbs
'''),
        ("softmax applied before softmax_cross_entropy (probabilities as logits)",
         r'''from course.activations import softmax


def loss_and_gradients(X, y, params, activation, forward=mlp_forward,
                       backward=mlp_backward):
    zs, activations = forward(X, params, activation)
    loss, dZL = softmax_cross_entropy(softmax(zs[-1]), y)
    dWs, dbs = backward(params, zs, activations, dZL, activation)
    return loss, dWs, dbs
'''),
    ],
    "ex4_gradient_check": [
        ("divides by h instead of 2h", r'''def gradient_check(loss_fn, params, dWs, dbs, h=1e-5):
    numerical, analytic = [], []
    for (W, b), dW, db in zip(params, dWs, dbs):
        for theta, grad in ((W, dW), (b, db)):
            for index in np.ndindex(theta.shape):
                keep = theta[index]
                theta[index] = keep + h
                up = loss_fn(params)
                theta[index] = keep - h
                down = loss_fn(params)
                theta[index] = keep
                numerical.append((up - down) / h)
                analytic.append(grad[index])
    n, a = np.array(numerical), np.array(analytic)
    return np.linalg.norm(n - a) / max(np.linalg.norm(n) + np.linalg.norm(a), 1e-12)
'''),
        ("the largest absolute difference instead of the relative error",
         r'''def gradient_check(loss_fn, params, dWs, dbs, h=1e-5):
    worst = 0.0
    for (W, b), dW, db in zip(params, dWs, dbs):
        for theta, grad in ((W, dW), (b, db)):
            for index in np.ndindex(theta.shape):
                keep = theta[index]
                theta[index] = keep + h
                up = loss_fn(params)
                theta[index] = keep - h
                down = loss_fn(params)
                theta[index] = keep
                worst = max(worst, abs((up - down) / (2 * h) - grad[index]))
    return worst
'''),
        ("the parameters not put back after the perturbation",
         r'''def gradient_check(loss_fn, params, dWs, dbs, h=1e-5):
    numerical, analytic = [], []
    for (W, b), dW, db in zip(params, dWs, dbs):
        for theta, grad in ((W, dW), (b, db)):
            for index in np.ndindex(theta.shape):
                theta[index] += h
                up = loss_fn(params)
                theta[index] -= 2 * h
                down = loss_fn(params)
                numerical.append((up - down) / (2 * h))
                analytic.append(grad[index])
    n, a = np.array(numerical), np.array(analytic)
    return np.linalg.norm(n - a) / max(np.linalg.norm(n) + np.linalg.norm(a), 1e-12)
'''),
    ],
    "ex5_train": [
        ("the loss recorded after the update",
         r'''def train(X, y, layer_sizes, activation, lr, epochs, seed,
          loss_and_gradients=loss_and_gradients):
    params = init_params(layer_sizes, seed)
    losses = []
    for _ in range(epochs):
        _, dWs, dbs = loss_and_gradients(X, y, params, activation)
        params = [(W - lr * dW, b - lr * db) for (W, b), dW, db in zip(params, dWs, dbs)]
        losses.append(loss_and_gradients(X, y, params, activation)[0])
    return params, losses
'''),
        ("a step up the gradient, + lr",
         r'''def train(X, y, layer_sizes, activation, lr, epochs, seed,
          loss_and_gradients=loss_and_gradients):
    params = init_params(layer_sizes, seed)
    losses = []
    for _ in range(epochs):
        loss, dWs, dbs = loss_and_gradients(X, y, params, activation)
        losses.append(loss)
        params = [(W + lr * dW, b + lr * db) for (W, b), dW, db in zip(params, dWs, dbs)]
    return params, losses
'''),
        ("its own initialization instead of init_params(layer_sizes, seed)",
         r'''def train(X, y, layer_sizes, activation, lr, epochs, seed,
          loss_and_gradients=loss_and_gradients):
    rng = np.random.default_rng(seed)
    params = [(0.5 * rng.standard_normal((n_in, n_out)), np.zeros(n_out))
              for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])]
    losses = []
    for _ in range(epochs):
        loss, dWs, dbs = loss_and_gradients(X, y, params, activation)
        losses.append(loss)
        params = [(W - lr * dW, b - lr * db) for (W, b), dW, db in zip(params, dWs, dbs)]
    return params, losses
'''),
        ("the updates never reach params (new names in the loop)",
         r'''def train(X, y, layer_sizes, activation, lr, epochs, seed,
          loss_and_gradients=loss_and_gradients):
    params = init_params(layer_sizes, seed)
    losses = []
    for _ in range(epochs):
        loss, dWs, dbs = loss_and_gradients(X, y, params, activation)
        losses.append(loss)
        for (W, b), dW, db in zip(params, dWs, dbs):
            W = W - lr * dW
            b = b - lr * db
    return params, losses
'''),
    ],
    "ex6_regression_losses": [
        ("MSE's gradient without the 2, MAE's divided by m only", r'''def mse(pred, target):
    diff = pred - target
    return float(np.mean(diff**2)), diff / diff.size


def mae(pred, target):
    diff = pred - target
    return float(np.mean(np.abs(diff))), np.sign(diff) / len(diff)
'''),
        ("sign(0) taken as 1 in MAE's gradient", r'''def mse(pred, target):
    diff = pred - target
    return float(np.mean(diff**2)), 2 * diff / diff.size


def mae(pred, target):
    diff = pred - target
    return float(np.mean(np.abs(diff))), np.where(diff >= 0, 1.0, -1.0) / diff.size
'''),
    ],
}
