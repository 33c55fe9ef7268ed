"""Fairness answers of a7_training_loop (read by tests/test_fairness.py).

CORRECT: answer cell grade_id -> [(style, full source of the answer cell)], each of which must
get the exercise's full points, graded and on the visible tests. WRONG: grade_id ->
[(the convention it breaks, source) or (convention, source, exact graded score)], each of which
must lose points, graded and on the visible tests. A source replaces the whole answer cell; the
other exercises keep the solution's answers.
"""

CORRECT = {
    "ex1_sgd_step": [
        ("one flat vector for the norm, np.linalg.norm, a scale of 1 when not clipped",
         r'''def sgd_step(params, dWs, dbs, lr, weight_decay=0.0, max_norm=None):
    grads_W = [dWs[l] + weight_decay * params[l][0] for l in range(len(params))]
    grads_b = [np.array(db, dtype=float) for db in dbs]
    scale = 1.0
    if max_norm is not None:
        flat = np.concatenate([g.ravel() for g in grads_W + grads_b])
        total = np.linalg.norm(flat)
        if total > max_norm:
            scale = max_norm / total
    new = []
    for (W, b), gW, gb in zip(params, grads_W, grads_b):
        new.append((W - lr * scale * gW, b - lr * scale * gb))
    return new
'''),
        ("copies updated in place, min(1, max_norm / norm), a loop for the squares",
         r'''def sgd_step(params, dWs, dbs, lr, weight_decay=0.0, max_norm=None):
    squares = 0.0
    grads = []
    for (W, b), dW, db in zip(params, dWs, dbs):
        gW = dW + weight_decay * W
        grads.append((gW, db))
        squares += float((gW * gW).sum() + (db * db).sum())
    factor = 1.0 if max_norm is None else min(1.0, max_norm / np.sqrt(squares))
    result = []
    for (W, b), (gW, gb) in zip(params, grads):
        W_new, b_new = W.copy(), b.copy()
        W_new -= lr * factor * gW
        b_new -= lr * factor * gb
        result.append([W_new, b_new])
    return result
'''),
    ],
    "ex2_train_epoch": [
        ("a while loop over the positions, np.take",
         r'''def train_epoch(X, y, params, lr, batch_size, rng, weight_decay=0.0, max_norm=None,
                step=sgd_step):
    order = rng.permutation(len(X))
    losses = []
    position = 0
    while position < len(order):
        batch = order[position:position + batch_size]
        J, dWs, dbs = loss_and_gradients(np.take(X, batch, axis=0), np.take(y, batch), params)
        losses.append(float(J))
        params = step(params, dWs, dbs, lr, weight_decay=weight_decay, max_norm=max_norm)
        position += batch_size
    return params, losses
'''),
        ("np.array_split by the number of batches, keyword arguments to step",
         r'''import math


def train_epoch(X, y, params, lr, batch_size, rng, weight_decay=0.0, max_norm=None,
                step=sgd_step):
    order = rng.permutation(X.shape[0])
    count = math.ceil(len(order) / batch_size)
    batches = [order[k * batch_size:(k + 1) * batch_size] for k in range(count)]
    history = np.empty(count)
    for k, batch in enumerate(batches):
        history[k], dWs, dbs = loss_and_gradients(X[batch], y[batch], params)
        params = step(params=params, dWs=dWs, dbs=dbs, lr=lr, weight_decay=weight_decay,
                      max_norm=max_norm)
    return params, history
'''),
    ],
    "ex3_fit": [
        ("a while loop, a counter of epochs without improvement",
         r'''def fit(params, train_epoch, val_loss, epochs, patience):
    train_curve, val_curve = [], []
    best_value = None
    best_epoch = 0
    best_network = None
    waited = 0
    epoch = 0
    while epoch < epochs:
        epoch += 1
        params, t = train_epoch(params)
        v = val_loss(params)
        train_curve.append(t)
        val_curve.append(v)
        if best_value is None or v < best_value:
            best_value, best_epoch, waited = v, epoch, 0
            best_network = [(W.copy(), b.copy()) for W, b in params]
        else:
            waited += 1
            if waited == patience:
                break
    return best_network, train_curve, val_curve, best_epoch
'''),
        ("the best epoch from the curve (argmin of the first minimum), copy.deepcopy",
         r'''def fit(params, train_epoch, val_loss, epochs, patience):
    kept = {}
    train_losses, val_losses = [], []
    for epoch in range(1, epochs + 1):
        params, train_loss = train_epoch(params)
        train_losses.append(train_loss)
        val_losses.append(val_loss(params))
        best_epoch = int(np.argmin(val_losses)) + 1  # the first of equal minima
        if best_epoch == epoch:
            kept[epoch] = copy.deepcopy(params)
        if epoch - best_epoch >= patience:
            break
    return kept[best_epoch], train_losses, val_losses, best_epoch
'''),
    ],
}

WRONG = {
    "ex1_sgd_step": [
        ("the biases decayed too",
         r'''def sgd_step(params, dWs, dbs, lr, weight_decay=0.0, max_norm=None):
    gWs = [dW + weight_decay * W for (W, _), dW in zip(params, dWs)]
    gbs = [db + weight_decay * b for (_, b), db in zip(params, dbs)]
    if max_norm is not None:
        norm = np.sqrt(sum(np.sum(g**2) for g in gWs + gbs))
        if norm > max_norm:
            gWs = [g * (max_norm / norm) for g in gWs]
            gbs = [g * (max_norm / norm) for g in gbs]
    return [(W - lr * gW, b - lr * gb) for (W, b), gW, gb in zip(params, gWs, gbs)]
'''),
        ("each array clipped by its own norm, not the global one",
         r'''def sgd_step(params, dWs, dbs, lr, weight_decay=0.0, max_norm=None):
    def clip(g):
        norm = np.linalg.norm(g)
        return g * (max_norm / norm) if max_norm is not None and norm > max_norm else g

    return [(W - lr * clip(dW + weight_decay * W), b - lr * clip(db))
            for (W, b), dW, db in zip(params, dWs, dbs)]
'''),
        ("clipped before the weight decay is added",
         r'''def sgd_step(params, dWs, dbs, lr, weight_decay=0.0, max_norm=None):
    dWs, dbs = list(dWs), list(dbs)
    if max_norm is not None:
        norm = np.sqrt(sum(np.sum(g**2) for g in dWs + dbs))
        if norm > max_norm:
            dWs = [g * (max_norm / norm) for g in dWs]
            dbs = [g * (max_norm / norm) for g in dbs]
    return [(W - lr * (dW + weight_decay * W), b - lr * db)
            for (W, b), dW, db in zip(params, dWs, dbs)]
'''),
    ],
    "ex2_train_epoch": [
        ("no shuffling: the samples in their order",
         r'''def train_epoch(X, y, params, lr, batch_size, rng, weight_decay=0.0, max_norm=None,
                step=sgd_step):
    batch_losses = []
    for start in range(0, len(X), batch_size):
        J, dWs, dbs = loss_and_gradients(X[start:start + batch_size],
                                         y[start:start + batch_size], params)
        batch_losses.append(J)
        params = step(params, dWs, dbs, lr, weight_decay, max_norm)
    return params, batch_losses
'''),
        ("the last, smaller batch dropped",
         r'''def train_epoch(X, y, params, lr, batch_size, rng, weight_decay=0.0, max_norm=None,
                step=sgd_step):
    order = rng.permutation(len(X))
    batch_losses = []
    for k in range(len(X) // batch_size):
        batch = order[k * batch_size:(k + 1) * batch_size]
        J, dWs, dbs = loss_and_gradients(X[batch], y[batch], params)
        batch_losses.append(J)
        params = step(params, dWs, dbs, lr, weight_decay, max_norm)
    return params, batch_losses
'''),
        ("a new permutation drawn for every batch",
         r'''def train_epoch(X, y, params, lr, batch_size, rng, weight_decay=0.0, max_norm=None,
                step=sgd_step):
    batch_losses = []
    for start in range(0, len(X), batch_size):
        batch = rng.permutation(len(X))[start:start + batch_size]
        J, dWs, dbs = loss_and_gradients(X[batch], y[batch], params)
        batch_losses.append(J)
        params = step(params, dWs, dbs, lr, weight_decay, max_norm)
    return params, batch_losses
'''),
    ],
    "ex3_fit": [
        ("the best network kept without a copy (it changes with training)",
         r'''def fit(params, train_epoch, val_loss, epochs, patience):
    train_losses, val_losses = [], []
    best_loss, best_epoch, best_params = np.inf, 0, params
    for epoch in range(1, epochs + 1):
        params, train_loss = train_epoch(params)
        v = val_loss(params)
        train_losses.append(train_loss)
        val_losses.append(v)
        if v < best_loss:
            best_loss, best_epoch, best_params = v, epoch, params
        elif epoch - best_epoch >= patience:
            break
    return best_params, train_losses, val_losses, best_epoch
'''),
        ("a tie counted as an improvement (<=)",
         r'''def fit(params, train_epoch, val_loss, epochs, patience):
    train_losses, val_losses = [], []
    best_loss, best_epoch, best_params = np.inf, 0, copy.deepcopy(params)
    for epoch in range(1, epochs + 1):
        params, train_loss = train_epoch(params)
        v = val_loss(params)
        train_losses.append(train_loss)
        val_losses.append(v)
        if v <= best_loss:
            best_loss, best_epoch, best_params = v, epoch, copy.deepcopy(params)
        elif epoch - best_epoch >= patience:
            break
    return best_params, train_losses, val_losses, best_epoch
'''),
        ("the last network returned, not the best",
         r'''def fit(params, train_epoch, val_loss, epochs, patience):
    train_losses, val_losses = [], []
    best_loss, best_epoch = np.inf, 0
    for epoch in range(1, epochs + 1):
        params, train_loss = train_epoch(params)
        v = val_loss(params)
        train_losses.append(train_loss)
        val_losses.append(v)
        if v < best_loss:
            best_loss, best_epoch = v, epoch
        elif epoch - best_epoch >= patience:
            break
    return params, train_losses, val_losses, best_epoch
'''),
        ("never stops early", r'''def fit(params, train_epoch, val_loss, epochs, patience):
    train_losses, val_losses = [], []
    best_loss, best_epoch, best_params = np.inf, 0, copy.deepcopy(params)
    for epoch in range(1, epochs + 1):
        params, train_loss = train_epoch(params)
        v = val_loss(params)
        train_losses.append(train_loss)
        val_losses.append(v)
        if v < best_loss:
            best_loss, best_epoch, best_params = v, epoch, copy.deepcopy(params)
    return best_params, train_losses, val_losses, best_epoch
'''),
    ],
}
