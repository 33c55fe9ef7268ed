"""Fairness answers for a4_regularization (see tests/test_fairness.py): correct answers in other
styles than the solution, and wrong answers, one per convention the text states."""

CORRECT = {
    "ex1_l1_penalty": [
        ("loops over the matrices and their entries, Python floats",
         '''def l1_penalty(weights, lam):
    total = 0.0
    grads = []
    for W in weights:
        g = np.zeros_like(W)
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                total += abs(W[i, j])
                if W[i, j] > 0:
                    g[i, j] = lam
                elif W[i, j] < 0:
                    g[i, j] = -lam
        grads.append(g)
    return lam * total, grads
'''),
        ("math.fsum, lists of lists, a docstring that mentions the autograder", '''import math


def l1_penalty(weights, lam):
    """L1 penalty and its gradient (the autograder compares it with the library's)."""
    _W = [w.tolist() for w in weights]
    penalty = lam * math.fsum(abs(v) for rows in _W for row in rows for v in row)
    grads = [[[lam * ((v > 0) - (v < 0)) for v in row] for row in rows] for rows in _W]
    return penalty, grads
'''),
        ("np.sum(np.abs(w)), a NumPy scalar, test-like local names, a print",
         '''def l1_penalty(weights, lam):
    _score = np.float64(0.0)
    _grads = []
    for _x in weights:
        _score += np.sum(np.abs(_x))
        _grads.append(lam * np.sign(_x))
    print("L1 penalty:", lam * _score)
    return lam * _score, _grads
'''),
        ("a helper, np.copy and in-place work on the copy", '''def _sign(w):
    s = np.copy(w)
    s[w > 0] = 1.0
    s[w < 0] = -1.0
    s[w == 0] = 0.0
    return s


def l1_penalty(weights, lam):
    grads = []
    for w in weights:
        g = _sign(w)
        g *= lam
        grads.append(g)
    penalty = lam * sum(float(np.abs(w).sum()) for w in weights)
    return penalty, grads
'''),
        ("float32", '''def l1_penalty(weights, lam):
    w32 = [np.asarray(w, dtype=np.float32) for w in weights]
    penalty = np.float32(lam) * sum(np.abs(w).sum() for w in w32)
    return penalty, [np.float32(lam) * np.sign(w) for w in w32]
'''),
    ],
    "ex2_l2_penalty": [
        ("loops over the entries, Python floats", '''def l2_penalty(weights, lam):
    total = 0.0
    grads = []
    for W in weights:
        g = np.empty_like(W)
        for index in np.ndindex(W.shape):
            total += W[index] * W[index]
            g[index] = 2 * lam * W[index]
        grads.append(g)
    return lam * total, grads
'''),
        ("np.vdot, the gradient as w * (2 * lam), a print", '''def l2_penalty(weights, lam):
    penalty = lam * sum(np.vdot(w, w) for w in weights)
    print(f"L2 penalty {penalty:.4f} over {len(weights)} matrices")
    return penalty, [w * (2 * lam) for w in weights]
'''),
        ("math.fsum, lists of lists", '''import math


def l2_penalty(weights, lam):
    penalty = lam * math.fsum(v * v for w in weights for v in np.ravel(w))
    grads = [(2 * lam * np.asarray(w)).tolist() for w in weights]
    return penalty, grads
'''),
        ("the squared Frobenius norm, test-like local names, a docstring about the autograder",
         '''def l2_penalty(weights, lam):
    """lam * sum of ||W||_F^2; the autograder checks it."""
    _W = [np.array(w, copy=True) for w in weights]
    _penalty = lam * sum(np.linalg.norm(_w) ** 2 for _w in _W)
    return float(_penalty), [2.0 * lam * _w for _w in _W]
'''),
        ("float32", '''def l2_penalty(weights, lam):
    w32 = [np.asarray(w, dtype=np.float32) for w in weights]
    penalty = np.float32(lam) * sum((w * w).sum() for w in w32)
    return penalty, [np.float32(2 * lam) * w for w in w32]
'''),
    ],
    "ex3_dropout_forward": [
        ("the CS231n mask: rng.random(shape) < 1 - rate",
         '''def dropout_forward(x, rate, rng, training=True):
    if not training:
        return x, None
    keep = 1 - rate
    mask = rng.random(x.shape) < keep
    return x * mask / keep, mask
'''),
        ("rng.binomial: a 0/1 integer mask, np.where",
         '''def dropout_forward(x, rate, rng, training=True):
    if training:
        mask = rng.binomial(1, 1 - rate, size=x.shape)
        out = np.where(mask == 1, x / (1 - rate), 0.0)
        return out, mask
    return x, None
'''),
        ("a float 0/1 mask from rng.uniform, test-like local names, a print",
         '''def dropout_forward(x, rate, rng, training=True):
    if not training:
        return x, None
    _rng = rng
    _mask = (_rng.uniform(0.0, 1.0, size=x.shape) >= rate).astype(np.float64)
    _x = x * _mask * (1.0 / (1.0 - rate))
    print(f"dropout: kept {_mask.mean():.0%} of {_mask.size} units")
    return _x, _mask
'''),
        ("np.copy and in-place work on the copy, float32 uniforms, a copy at test time",
         '''def dropout_forward(x, rate, rng, training=True):
    if not training:
        return np.copy(x), None
    mask = rng.random(x.shape, dtype=np.float32) >= rate
    out = np.copy(x)
    out[~mask] = 0.0
    out /= 1 - rate
    return out, mask
'''),
    ],
    "ex4_dropout_backward": [
        ("np.where", '''def dropout_backward(dout, mask, rate):
    return np.where(mask, dout / (1 - rate), 0.0)
'''),
        ("a loop over the entries", '''def dropout_backward(dout, mask, rate):
    dx = np.zeros_like(dout)
    for index in np.ndindex(dout.shape):
        if mask[index]:
            dx[index] = dout[index] / (1 - rate)
    return dx
'''),
        ("np.copy and in-place work on the copy, test-like local names",
         '''def dropout_backward(dout, mask, rate):
    _dout = np.copy(dout)
    _dout[~mask] = 0.0
    _dout /= 1.0 - rate
    return _dout
'''),
        ("float32", '''def dropout_backward(dout, mask, rate):
    return (np.asarray(dout, dtype=np.float32) * mask) / np.float32(1 - rate)
'''),
    ],
    "ex5_clip_by_value": [
        ("np.minimum and np.maximum", '''def clip_by_value(grads, low, high):
    return [np.minimum(np.maximum(g, low), high) for g in grads]
'''),
        ("a copy, then boolean indexing on the copy", '''def clip_by_value(grads, low, high):
    clipped = []
    for g in grads:
        c = g.copy()
        c[c > high] = high
        c[c < low] = low
        clipped.append(c)
    return clipped
'''),
        ("a loop over the entries with Python's min and max",
         '''def clip_by_value(grads, low, high):
    result = []
    for g in grads:
        out = np.empty_like(g)
        for index in np.ndindex(g.shape):
            out[index] = min(max(g[index], low), high)
        result.append(out)
    return result
'''),
        ("nested np.where in a map, a tuple of arrays", '''def clip_by_value(grads, low, high):
    return tuple(map(lambda g: np.where(g > high, high, np.where(g < low, low, g)), grads))
'''),
        ("float32", '''def clip_by_value(grads, low, high):
    return [np.clip(np.asarray(g, dtype=np.float32), low, high) for g in grads]
'''),
    ],
    "ex6_clip_by_norm": [
        ("the slides' pseudo-code: clip when norm >= threshold",
         '''def clip_by_norm(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g * g) for g in grads))
    if norm >= max_norm:
        return [max_norm * g / norm for g in grads], float(norm)
    return [g.copy() for g in grads], float(norm)
'''),
        ("np.linalg.norm of the concatenation, a scale factor min(1, v / norm)",
         '''def clip_by_norm(grads, max_norm):
    norm = np.linalg.norm(np.concatenate([np.ravel(g) for g in grads]))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return [g * scale for g in grads], norm
'''),
        ("loops, math.sqrt, a tuple of arrays", '''import math


def clip_by_norm(grads, max_norm):
    total = 0.0
    for g in grads:
        for v in np.ravel(g):
            total += float(v) ** 2
    norm = math.sqrt(total)
    factor = max_norm / norm if norm > max_norm else 1.0
    return tuple(np.array(g, dtype=float) * factor for g in grads), norm
'''),
        ("test-like local names, a helper, a progress print", '''def _global_norm(arrays):
    return float(np.sqrt(sum(np.vdot(a, a) for a in arrays)))


def clip_by_norm(grads, max_norm):
    _G = [np.copy(g) for g in grads]
    _score = _global_norm(_G)
    if _score > max_norm:
        for _g in _G:
            _g *= max_norm / _score
    print(f"norm {_score:.3f}, threshold {max_norm}")
    return _G, _score
'''),
        ("float32", '''def clip_by_norm(grads, max_norm):
    g32 = [np.asarray(g, dtype=np.float32) for g in grads]
    norm = np.sqrt(sum(np.sum(g**2) for g in g32))
    if norm > max_norm:
        g32 = [g * np.float32(max_norm / norm) for g in g32]
    return g32, norm
'''),
    ],
    "ex7_early_stopping_epoch": [
        ("the improvement as best - loss > min_delta, math.inf", '''import math


def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    best, best_epoch, wait = math.inf, None, 0
    for epoch, loss in enumerate(val_losses):
        if best - loss > min_delta:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return (epoch, best_epoch)
    return (None, best_epoch)
'''),
        ("a while loop, loss + min_delta < best, a list for the pair",
         '''def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    best_loss = float("inf")
    best_epoch = None
    wait = 0
    e = 0
    while e < len(val_losses):
        if val_losses[e] + min_delta < best_loss:
            best_loss, best_epoch, wait = val_losses[e], e, 0
        else:
            wait = wait + 1
        if wait == patience:
            return [e, best_epoch]
        e += 1
    return [None, best_epoch]
'''),
        ("NaN handled explicitly, NumPy integers, a print",
         '''def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    losses = np.asarray(val_losses, dtype=float)
    best_loss, best_epoch, wait = np.inf, None, 0
    for epoch in np.arange(len(losses)):
        loss = losses[epoch]
        if not np.isnan(loss) and loss < best_loss - min_delta:
            best_loss, best_epoch, wait = loss, epoch, 0
            continue
        wait += 1
        if wait == patience:
            print(f"stopping after epoch {epoch}, best epoch {best_epoch}")
            return epoch, best_epoch
    return None, best_epoch
'''),
    ],
}

WRONG = {
    "ex1_l1_penalty": [
        ("sign(0) = 0: np.where(w >= 0, ...) gives +lam at 0", '''def l1_penalty(weights, lam):
    penalty = lam * sum(np.abs(w).sum() for w in weights)
    return float(penalty), [np.where(w >= 0, lam, -lam) for w in weights]
''', 10.75),
        ("the penalty sums over every matrix: only the first one counted",
         '''def l1_penalty(weights, lam):
    penalty = lam * np.abs(weights[0]).sum()
    return float(penalty), [lam * np.sign(w) for w in weights]
'''),
        ("the inputs left unchanged: the gradient computed in place in w",
         '''def l1_penalty(weights, lam):
    penalty = lam * sum(np.abs(w).sum() for w in weights)
    grads = []
    for w in weights:
        np.sign(w, out=w)
        w *= lam
        grads.append(w)
    return float(penalty), grads
''', 10.0),
    ],
    "ex2_l2_penalty": [
        ("the gradient is 2 * lam * w: lam * w", '''def l2_penalty(weights, lam):
    penalty = lam * sum((w**2).sum() for w in weights)
    return float(penalty), [lam * w for w in weights]
''', 6.62),
        ("the slides' form, not lam / 2 * sum w^2", '''def l2_penalty(weights, lam):
    penalty = lam / 2 * sum((w**2).sum() for w in weights)
    return float(penalty), [lam * w for w in weights]
'''),
        ("the penalty sums over every matrix: only the first one counted",
         '''def l2_penalty(weights, lam):
    penalty = lam * np.sum(weights[0] ** 2)
    return float(penalty), [2 * lam * w for w in weights]
'''),
        ("the inputs left unchanged: the gradient computed in place in w",
         '''def l2_penalty(weights, lam):
    penalty = lam * sum((w**2).sum() for w in weights)
    for w in weights:
        w *= 2 * lam
    return float(penalty), list(weights)
''', 10.0),
    ],
    "ex3_dropout_forward": [
        ("the keep probability is 1 - rate: keeps with probability rate",
         '''def dropout_forward(x, rate, rng, training=True):
    if not training:
        return x, None
    mask = rng.random(x.shape) < rate
    return x * mask / (1 - rate), mask
''', 13.0),
        ("inverted dropout scales by 1 / (1 - rate): no scaling",
         '''def dropout_forward(x, rate, rng, training=True):
    if not training:
        return x, None
    mask = rng.random(x.shape) >= rate
    return x * mask, mask
'''),
        ("None at test time: returns a mask of ones",
         '''def dropout_forward(x, rate, rng, training=True):
    if not training:
        return x, np.ones(x.shape, dtype=bool)
    mask = rng.random(x.shape) >= rate
    return x * mask / (1 - rate), mask
''', 15.0),
        ("the mask comes from rng: np.random's global generator",
         '''def dropout_forward(x, rate, rng, training=True):
    if not training:
        return x, None
    np.random.seed(0)  # seeded, so the mask repeats, but not drawn from rng
    mask = np.random.random(x.shape) >= rate
    return x * mask / (1 - rate), mask
'''),
        ("x left unchanged: dropout in place", '''def dropout_forward(x, rate, rng, training=True):
    if not training:
        return x, None
    mask = rng.random(x.shape) >= rate
    x *= mask
    x /= 1 - rate
    return x, mask
''', 14.0),
    ],
    "ex4_dropout_backward": [
        ("the gradient is scaled by 1 / (1 - rate): forgotten",
         '''def dropout_backward(dout, mask, rate):
    return dout * mask
''', 1.71),
        ("the scale is 1 / (1 - rate), not 1 / rate", '''def dropout_backward(dout, mask, rate):
    return dout * mask / rate
'''),
        ("dout left unchanged: the gradient computed in place",
         '''def dropout_backward(dout, mask, rate):
    dout *= mask
    dout /= 1 - rate
    return dout
''', 6.0),
    ],
    "ex5_clip_by_value": [
        ("the inputs left unchanged: np.clip(..., out=g)", '''def clip_by_value(grads, low, high):
    for g in grads:
        np.clip(g, low, high, out=g)
    return grads
''', 10.0),
        ("a new list: the input list's items replaced", '''def clip_by_value(grads, low, high):
    for i, g in enumerate(grads):
        grads[i] = np.clip(g, low, high)
    return grads
''', 10.0),
        ("low is the minimum, high the maximum: swapped", '''def clip_by_value(grads, low, high):
    return [np.clip(g, high, low) for g in grads]
'''),
        ("both thresholds: only the maximum applied", '''def clip_by_value(grads, low, high):
    return [np.minimum(g, high) for g in grads]
'''),
    ],
    "ex6_clip_by_norm": [
        ("the global norm: each array clipped by its own norm",
         '''def clip_by_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    clipped = []
    for g in grads:
        n = np.linalg.norm(g)
        clipped.append(g / n * max_norm if n > max_norm else g.copy())
    return clipped, norm
''', 15.6),
        ("only if the norm is above the threshold: always rescaled",
         '''def clip_by_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    return [g / norm * max_norm for g in grads], norm
'''),
        ("the norm before clipping: returns the norm after", '''def clip_by_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    if norm > max_norm:
        return [g / norm * max_norm for g in grads], max_norm
    return [g.copy() for g in grads], norm
''', 13.4),
        ("the inputs left unchanged: scaled in place", '''def clip_by_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    if norm > max_norm:
        for g in grads:
            g *= max_norm / norm
    return list(grads), norm
''', 17.0),
    ],
    "ex7_early_stopping_epoch": [
        ("a loss equal to the best is no improvement: <=",
         '''def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    best_loss, best_epoch, wait = np.inf, None, 0
    for epoch, loss in enumerate(val_losses):
        if loss <= best_loss - min_delta:
            best_loss, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait == patience:
                return epoch, best_epoch
    return None, best_epoch
'''),
        ("min_delta: ignored", '''def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    best_loss, best_epoch, wait = np.inf, None, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best_loss:
            best_loss, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait == patience:
                return epoch, best_epoch
    return None, best_epoch
'''),
        ("ties and min_delta (issue 13): ties improve, min_delta ignored",
         '''def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    best_loss, best_epoch, wait = np.inf, None, 0
    for epoch, loss in enumerate(val_losses):
        if loss <= best_loss:
            best_loss, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait == patience:
                return epoch, best_epoch
    return None, best_epoch
''', 14.55),
        ("a NaN is no improvement: the test negated, NaN improves",
         '''def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    best_loss, best_epoch, wait = np.inf, None, 0
    for epoch, loss in enumerate(val_losses):
        if loss >= best_loss - min_delta:
            wait += 1
            if wait == patience:
                return epoch, best_epoch
        else:
            best_loss, best_epoch, wait = loss, epoch, 0
    return None, best_epoch
'''),
        ("best_epoch None if no epoch improved: starts at 0",
         '''def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    best_loss, best_epoch, wait = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best_loss - min_delta:
            best_loss, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait == patience:
                return epoch, best_epoch
    return None, best_epoch
'''),
        ("val_losses left unchanged: NaNs replaced by inf in place", '''import math


def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    for i, loss in enumerate(val_losses):
        if math.isnan(loss):
            val_losses[i] = math.inf
    best_loss, best_epoch, wait = math.inf, None, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best_loss - min_delta:
            best_loss, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait == patience:
                return epoch, best_epoch
    return None, best_epoch
''', 19.0),
    ],
}
