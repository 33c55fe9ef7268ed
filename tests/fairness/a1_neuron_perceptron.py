"""Fairness answers for a1_neuron_perceptron (read by tests/test_fairness.py).

CORRECT: answers in other styles than the solution, which must get full marks (graded and on
the visible tests). WRONG: plausible answers that break a convention the text states, which
must lose points graded and on the visible tests (exactly the score given, where there is one).
"""

CORRECT = {
    "ex1_logic_gates": [
        ("other numbers, lists and ints, the NOT weight as a plain number", '''\
def and_gate_parameters():
    return [0.5, 0.5], 0.75


def or_gate_parameters():
    return [2, 2], 1


def not_gate_parameters():
    return -1, -0.5
'''),
        ("NumPy arrays and NumPy scalars, a print left in", '''\
import numpy as np


def and_gate_parameters():
    weights, threshold = np.array([1.0, 1.0]), np.float64(1.5)
    print("AND:", weights, threshold)
    return weights, threshold


def or_gate_parameters():
    return np.array([1, 1]), np.int64(1)


def not_gate_parameters():
    return np.array([-2.0]), np.float32(-1.0)
'''),
        ("from the slides' bias w_0 = -theta, with a helper", '''\
def _from_bias(weights, w_0):
    """The McCulloch-Pitts (weights, threshold) of the slides' neuron with bias w_0."""
    return tuple(weights), -w_0


def and_gate_parameters():
    return _from_bias((1, 1), -1.5)


def or_gate_parameters():
    return _from_bias((1, 1), -0.5)


def not_gate_parameters():
    return _from_bias((-1,), 0.5)
'''),
        ("a note written to standard error, as a log line or a warning would be", '''\
import sys


def and_gate_parameters():
    print("AND: both inputs needed", file=sys.stderr)
    return (1, 1), 2


def or_gate_parameters():
    sys.stderr.write("OR: one input is enough\\n")
    return (1, 1), 1


def not_gate_parameters():
    return (-1,), 0
'''),
    ],
    "ex2_perceptron_predict": [
        ("a loop over the rows and the weights, a list of Python ints", '''\
def perceptron_predict(X, w, b):
    labels = []
    for row in X:
        z = b
        for x_j, w_j in zip(row, w):
            z += x_j * w_j
        labels.append(1 if z >= 0 else -1)
    return labels
'''),
        ("np.sign with sign(0) set to +1 afterwards, a float array", '''\
def perceptron_predict(X, w, b):
    s = np.sign(X @ w + b)
    s[s == 0] = 1
    return s
'''),
        ("float32 and local names like the tests' (_X, _w, _score), int8 labels", '''\
def perceptron_predict(X, w, b):
    _X = np.asarray(X, dtype=np.float32)
    _w = np.asarray(w, dtype=np.float32)
    _score = _X @ _w + np.float32(b)
    return (2 * (_score >= 0) - 1).astype(np.int8)
'''),
        ("X.dot(w), a list comprehension, a print left in", '''\
def perceptron_predict(X, w, b):
    z = X.dot(w) + b
    print("z =", z)
    return np.array([1 if value >= 0 else -1 for value in z])
'''),
    ],
    "ex3_perceptron_update": [
        ("np.copy, then in-place work on the copy", '''\
def perceptron_update(w, b, x, y):
    new_w = np.copy(w)
    y_hat = 1 if np.dot(x, w) + b >= 0 else -1
    if y_hat != y:
        new_w += y * x
        b = b + y
    return new_w, b
'''),
        ("np.sign with sign(0) = +1 written out, NumPy scalars", '''\
def perceptron_update(w, b, x, y):
    s = np.sign(x @ w + b)
    y_hat = 1 if s == 0 else int(s)
    if y_hat == y:
        return w, np.float64(b)
    return w + y * x, np.float64(b + y)
'''),
        ("loops over the weights, lists", '''\
def perceptron_update(w, b, x, y):
    z = b
    for w_j, x_j in zip(w, x):
        z += w_j * x_j
    if (1 if z >= 0 else -1) == y:
        return list(w), b
    return [w_j + y * x_j for w_j, x_j in zip(w, x)], b + y
'''),
        ("the margin form with z = 0 written out, names like the tests' (_w, _b, _z), a "
         "docstring that mentions the autograder", '''\
def perceptron_update(w, b, x, y):
    """One step of the rule; returns new values, as the autograder asks."""
    _z = float(np.dot(w, x) + b)
    _mistake = y * _z < 0 or (_z == 0 and y == -1)
    if not _mistake:
        return w, b
    _w = w + y * x
    _b = b + y
    return _w, _b
'''),
    ],
    "ex4_train_perceptron": [
        ("while loops over the epochs and the rows, indexing X[i]", '''\
def train_perceptron(X, y, epochs, update=perceptron_update):
    n, m = X.shape
    w = np.zeros(m)
    b = 0.0
    mistakes_per_epoch = []
    epoch = 0
    while epoch < epochs:
        mistakes = 0
        i = 0
        while i < n:
            if (1 if b + X[i] @ w >= 0 else -1) != y[i]:
                mistakes += 1
                w, b = update(w, b, X[i], y[i])
            i += 1
        mistakes_per_epoch.append(mistakes)
        epoch += 1
        if mistakes == 0:
            break
    return w, b, mistakes_per_epoch
'''),
        ("the update written inline (w = w + y x), np.sign with sign(0) = +1, an int bias, "
         "the stop tested on the last count", '''\
def train_perceptron(X, y, epochs, update=perceptron_update):
    w = np.zeros(len(X[0]))
    b = 0
    history = []
    for epoch in range(epochs):
        count = 0
        for x_i, y_i in zip(X, y):
            s = np.sign(np.dot(w, x_i) + b)
            y_hat = 1 if s == 0 else s
            if y_hat != y_i:
                w = w + y_i * x_i
                b = b + y_i
                count += 1
        history.append(count)
        if history[-1] == 0:
            break
    return w, b, history
'''),
        ("update called on every instance, a mistake counted when the bias moved, a progress "
         "print, the counts as a NumPy array", '''\
def train_perceptron(X, y, epochs, update=perceptron_update):
    X = np.asarray(X, dtype=float)
    w, b = np.zeros(X.shape[1]), 0.0
    counts = []
    for epoch in range(1, epochs + 1):
        mistakes = 0
        for x, target in zip(X, y):
            new_w, new_b = update(w, b, x, target)
            if new_b != b:  # on a mistake the rule moves the bias by y*
                mistakes += 1
            w, b = new_w, new_b
        counts.append(mistakes)
        print(f"epoch {epoch}: {mistakes} mistakes")
        if not mistakes:
            break
    return w, b, np.array(counts)
'''),
        ("a helper sign function, names like the tests' (_w, _b, _x, _y, _cases)", '''\
def _sign(z):
    """sign with sign(0) = +1."""
    return 1 if z >= 0 else -1


def train_perceptron(X, y, epochs, update=perceptron_update):
    _w, _b = np.zeros(X.shape[1]), 0.0
    _cases = list(zip(X, y))
    _mistakes = []
    for _epoch in range(epochs):
        _mistakes.append(0)
        for _x, _y in _cases:
            if _sign(_b + _x @ _w) != _y:
                _mistakes[-1] += 1
                _w, _b = update(_w, _b, _x, _y)
        if _mistakes[-1] == 0:
            break
    return _w, _b, _mistakes
'''),
    ],
    "ex5_xor_mistakes": [
        ("the XOR table written by hand, epochs as a keyword, Python ints", '''\
def xor_mistakes(epochs, train=train_perceptron):
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([-1, 1, 1, -1])
    w, b, mistakes = train(X, y, epochs=epochs)
    return [int(m) for m in mistakes]
'''),
        ("np.where for the labels, a print left in, NumPy ints in the list", '''\
def xor_mistakes(epochs, train=train_perceptron):
    X, gate = logic_gate("xor")
    y = np.where(gate == 1, 1, -1)
    result = train(X, y, epochs)
    print("mistakes per epoch:", result[2])
    return list(np.asarray(result[2]))
'''),
        ("a float32 table from a helper, names like the tests' (_X, _y)", '''\
def _xor_table():
    _X, _y01 = logic_gate("xor", dtype=np.float32)
    return _X, 2 * _y01 - 1


def xor_mistakes(epochs, train=train_perceptron):
    _X, _y = _xor_table()
    return list(train(_X, _y, epochs)[-1])
'''),
    ],
}

WRONG = {
    "ex1_logic_gates": [
        ("fires on sum > theta, not >= theta (each threshold one step too low)", '''\
def and_gate_parameters():
    return (1.0, 1.0), 1.0


def or_gate_parameters():
    return (1.0, 1.0), 0.0


def not_gate_parameters():
    return (-1.0,), -1.0
''', 9.0),
        ("the bias w_0 returned in place of the threshold theta = -w_0", '''\
def and_gate_parameters():
    return (1.0, 1.0), -1.5


def or_gate_parameters():
    return (1.0, 1.0), -0.5


def not_gate_parameters():
    return (-1.0,), 0.5
''', 7.5),
        ("OR with the threshold of AND", '''\
def and_gate_parameters():
    return (1.0, 1.0), 2.0


def or_gate_parameters():
    return (1.0, 1.0), 2.0


def not_gate_parameters():
    return (-1.0,), 0.0
''', 12.0),
        ("NOT with two weights (it has one input)", '''\
def and_gate_parameters():
    return (1.0, 1.0), 2.0


def or_gate_parameters():
    return (1.0, 1.0), 1.0


def not_gate_parameters():
    return (-1.0, 0.0), 0.0
''', 12.0),
    ],
    "ex2_perceptron_predict": [
        ("sign(0) = -1: uses > 0", '''\
def perceptron_predict(X, w, b):
    return np.where(X @ w + b > 0, 1, -1)
''', 12.27),
        ("np.sign: sign(0) = 0", '''\
def perceptron_predict(X, w, b):
    return np.sign(X @ w + b)
''', 12.27),
        ("forgets the bias", '''\
def perceptron_predict(X, w, b):
    return np.where(X @ w >= 0, 1, -1)
'''),
        ("subtracts the bias (w_0 taken for a threshold)", '''\
def perceptron_predict(X, w, b):
    return np.where(X @ w - b >= 0, 1, -1)
'''),
        ("labels 1 / 0 instead of +1 / -1", '''\
def perceptron_predict(X, w, b):
    return (X @ w + b >= 0).astype(int)
'''),
    ],
    "ex3_perceptron_update": [
        ("changes w in place (w += y * x), values right", '''\
def perceptron_update(w, b, x, y):
    if (1 if b + x @ w >= 0 else -1) != y:
        w += y * x
        b += y
    return w, b
''', 17.0),
        ("sign(0) = -1: uses > 0", '''\
def perceptron_update(w, b, x, y):
    y_hat = 1 if b + x @ w > 0 else -1
    if y_hat == y:
        return w, b
    return w + y * x, b + y
''', 15.61),
        ("np.sign: sign(0) = 0 is a mistake even when y* = +1", '''\
def perceptron_update(w, b, x, y):
    if np.sign(b + x @ w) != y:
        return w + y * x, b + y
    return w, b
''', 18.94),
        ("the margin form y* z <= 0 (updates on z = 0 when y* = +1)", '''\
def perceptron_update(w, b, x, y):
    if y * (b + x @ w) <= 0:
        return w + y * x, b + y
    return w, b
''', 18.94),
        ("the bias always moves by +1 (w_0 <- w_0 + 1): only b wrong", '''\
def perceptron_update(w, b, x, y):
    y_hat = 1 if b + x @ w >= 0 else -1
    if y_hat == y:
        return w, b
    return w + y * x, b + 1
''', 16.44),
    ],
    "ex4_train_perceptron": [
        ("np.sign for the prediction: sign(0) = 0 counts a mistake (w, b right, counts wrong)",
         '''\
def train_perceptron(X, y, epochs, update=perceptron_update):
    w = np.zeros(X.shape[1])
    b = 0.0
    mistakes_per_epoch = []
    for _ in range(epochs):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            if np.sign(b + x_i @ w) != y_i:
                mistakes += 1
                w, b = update(w, b, x_i, y_i)
        mistakes_per_epoch.append(mistakes)
        if mistakes == 0:
            break
    return w, b, mistakes_per_epoch
''', 25.67),
        ("sign(0) = -1: uses > 0", '''\
def train_perceptron(X, y, epochs, update=perceptron_update):
    w = np.zeros(X.shape[1])
    b = 0.0
    mistakes_per_epoch = []
    for _ in range(epochs):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            if (1 if b + x_i @ w > 0 else -1) != y_i:
                mistakes += 1
                w, b = update(w, b, x_i, y_i)
        mistakes_per_epoch.append(mistakes)
        if mistakes == 0:
            break
    return w, b, mistakes_per_epoch
''', 3.5),
        ("never stops early: runs all the epochs (w, b right, counts wrong)", '''\
def train_perceptron(X, y, epochs, update=perceptron_update):
    w = np.zeros(X.shape[1])
    b = 0.0
    mistakes_per_epoch = []
    for _ in range(epochs):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            if (1 if b + x_i @ w >= 0 else -1) != y_i:
                mistakes += 1
                w, b = update(w, b, x_i, y_i)
        mistakes_per_epoch.append(mistakes)
    return w, b, mistakes_per_epoch
''', 25.67),
        ("one epoch too many (while epoch <= epochs)", '''\
def train_perceptron(X, y, epochs, update=perceptron_update):
    w = np.zeros(X.shape[1])
    b = 0.0
    mistakes_per_epoch = []
    epoch = 0
    while epoch <= epochs:
        mistakes = 0
        for x_i, y_i in zip(X, y):
            if (1 if b + x_i @ w >= 0 else -1) != y_i:
                mistakes += 1
                w, b = update(w, b, x_i, y_i)
        mistakes_per_epoch.append(mistakes)
        if mistakes == 0:
            break
        epoch += 1
    return w, b, mistakes_per_epoch
''', 31.5),
        ("shuffles the rows every epoch (the text says in order)", '''\
def train_perceptron(X, y, epochs, update=perceptron_update):
    rng = np.random.default_rng(0)
    w = np.zeros(X.shape[1])
    b = 0.0
    mistakes_per_epoch = []
    for _ in range(epochs):
        mistakes = 0
        for i in rng.permutation(len(X)):
            if (1 if b + X[i] @ w >= 0 else -1) != y[i]:
                mistakes += 1
                w, b = update(w, b, X[i], y[i])
        mistakes_per_epoch.append(mistakes)
        if mistakes == 0:
            break
    return w, b, mistakes_per_epoch
'''),
    ],
    "ex5_xor_mistakes": [
        ("[1] * epochs: a mistake in every epoch, not the counts", '''\
def xor_mistakes(epochs, train=train_perceptron):
    return [1] * epochs
''', 0.0),
        ("labels 0 / 1 instead of +1 / -1", '''\
def xor_mistakes(epochs, train=train_perceptron):
    X, y = logic_gate("xor")
    return list(train(X, y, epochs)[2])
''', 0.0),
        ("labels flipped: +1 where XOR is 0", '''\
def xor_mistakes(epochs, train=train_perceptron):
    X, y = logic_gate("xor")
    return list(train(X, 1 - 2 * y, epochs)[2])
''', 0.0),
        ("the rows in reverse order", '''\
def xor_mistakes(epochs, train=train_perceptron):
    X, y = logic_gate("xor")
    return list(train(X[::-1], (2 * y - 1)[::-1], epochs)[2])
''', 0.0),
        ("the total number of mistakes instead of the list", '''\
def xor_mistakes(epochs, train=train_perceptron):
    X, y = logic_gate("xor")
    return sum(train(X, 2 * y - 1, epochs)[2])
''', 0.0),
    ],
}
