r"""The first artificial neurons: McCulloch-Pitts, the perceptron and the multi-output perceptron.

All three compute the slides' simple model of a neuron,

.. math::

    \hat{y} = g\left(w_0 + \sum_{i=1}^m x_i w_i\right) = g(w_0 + \mathbf{X}^T \mathbf{W}),

a linear combination of the inputs plus a bias ``w_0``, passed through an activation ``g``:

* :func:`mcculloch_pitts`: a threshold unit with fixed weights, ``g`` = step; it can compute
  AND, OR and NOT. McCulloch and Pitts (1943) had binary inputs, excitatory inputs that all
  count 1 and absolute inhibition (any active inhibitory input stops the unit firing); this
  function is the later *weighted* threshold unit, with real weights, which contains theirs.
* :class:`Perceptron`: ``g`` = sign, and the weights are *learned* with the perceptron rule
  (start at 0; on a mistake, ``w <- w + y* x``). It converges whenever a line (hyperplane)
  separates the classes, and never on XOR, which no line separates.
* :class:`MultiOutputPerceptron`: one output per class, a dense layer ``z = x W + b`` followed by
  argmax.

A batch is rows: ``X`` has shape (n, m), one sample ``x`` (the slides' column vector ``X``) per row,
so the slides' ``X^T W`` for every sample at once is ``X @ W``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from course.rng import RngLike, make_rng

# --------------------------------------------------------------------------------------------------
# McCulloch-Pitts
# --------------------------------------------------------------------------------------------------


def mcculloch_pitts(x: ArrayLike, weights: ArrayLike, threshold: float) -> np.ndarray | int:
    r"""A weighted threshold unit: fires when the weighted sum reaches the threshold.

    This is the McCulloch-Pitts neuron (1943) with real-valued weights, as the slides draw it.
    The original had binary inputs, excitatory inputs that all count 1 and absolute inhibition
    (one active inhibitory input prevents firing); its gates below are also gates of this unit.
    Real-valued weights, and learning them, came with Rosenblatt's perceptron (1958).

    .. math::

        \hat{y} = \begin{cases} 1 & \text{if } \sum_{i=1}^m w_i x_i \ge \theta \\
                                0 & \text{otherwise} \end{cases}

    The comparison is ``>=``: a sum exactly equal to the threshold fires. (This is the slides'
    neuron with bias ``w_0 = -theta`` and a step activation ``g(z) = 1 if z >= 0 else 0``.)

    Weights and thresholds for the logic gates, on inputs in {0, 1}:

    ====  ===========  ===========  ==========================================
    gate  weights      threshold    why
    ====  ===========  ===========  ==========================================
    AND   (1, 1)       2            fires only when both inputs are 1
    OR    (1, 1)       1            fires when at least one input is 1
    NOT   (-1,)        0            sum is 0 (fires) for x=0, -1 for x=1
    ====  ===========  ===========  ==========================================

    No choice of weights and threshold gives XOR.

    Args:
        x: one input vector of shape (m,), or a batch of shape (n, m) (one input per row).
        weights: the weights ``w_1..w_m``, shape (m,).
        threshold: the threshold ``theta``.

    Returns:
        For one input vector, an ``int`` (0 or 1); for a batch, an int64 array of shape (n,).

    Example:
        >>> mcculloch_pitts([1, 1], weights=[1, 1], threshold=2)  # AND
        1
        >>> mcculloch_pitts([[0, 0], [0, 1], [1, 0], [1, 1]], [1, 1], 1).tolist()  # OR
        [0, 1, 1, 1]
    """
    x = np.asarray(x, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    if weights.ndim != 1:
        raise ValueError(f"expected weights of shape (m,), got {weights.shape}")
    m = weights.shape[0]
    if x.ndim not in (1, 2) or x.shape[-1] != m:
        raise ValueError(
            f"expected x of shape ({m},) (one input) or (n, {m}) (a batch) to match {m} weights, "
            f"got {x.shape}"
        )
    weighted_sum = x @ weights
    fires = (weighted_sum >= threshold).astype(np.int64)
    if x.ndim == 1:
        return int(fires)
    return fires


# --------------------------------------------------------------------------------------------------
# Input checks shared by both perceptrons
# --------------------------------------------------------------------------------------------------


def _check_count(value: int, at_least: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{what} must be an int, got {type(value).__name__}")
    if value < at_least:
        raise ValueError(f"{what} must be at least {at_least}, got {value}")
    return int(value)


def _check_X(X: ArrayLike, n_features: int, dtype: np.dtype) -> np.ndarray:
    """``X`` as a float array of shape (n, n_features), or a clear error."""
    X = np.asarray(X, dtype=dtype)
    if X.ndim != 2 or X.shape[1] != n_features:
        hint = " (for one sample, pass x.reshape(1, -1))" if X.ndim == 1 else ""
        raise ValueError(f"expected X of shape (n, {n_features}), got {X.shape}{hint}")
    return X


def _check_y_rows(y: ArrayLike, n_samples: int) -> np.ndarray:
    y = np.asarray(y)
    if y.shape != (n_samples,):
        raise ValueError(
            f"expected y of shape ({n_samples},) to match the rows of X, got {y.shape}"
        )
    return y


def _describe_values(values: np.ndarray, limit: int = 10) -> str:
    """The distinct values of an array, listed for an error message."""
    distinct = np.unique(values)
    shown = ", ".join(str(v) for v in distinct[:limit].tolist())
    return f"[{shown}, ...]" if len(distinct) > limit else f"[{shown}]"


def _epoch_order(n: int, shuffle: bool, rng: np.random.Generator) -> np.ndarray:
    return rng.permutation(n) if shuffle else np.arange(n)


# --------------------------------------------------------------------------------------------------
# Perceptron
# --------------------------------------------------------------------------------------------------


class PerceptronUpdate(NamedTuple):
    """One step of the perceptron rule, as stored in :attr:`Perceptron.history`.

    ``weights`` and ``bias`` are the values *after* the update (copies); ``sample_index`` is the
    row of ``X`` (as passed to ``fit``) that was misclassified, and ``epoch`` counts from 0.
    """

    weights: np.ndarray
    bias: float
    sample_index: int
    epoch: int


class Perceptron:
    r"""Rosenblatt's perceptron with the slides' learning rule.

    Prediction, with labels +1 / -1:

    .. math::

        \hat{y} = \operatorname{sign}(w_0 + \mathbf{X}^T \mathbf{W}),
        \qquad \operatorname{sign}(z) = +1 \text{ if } z \ge 0 \text{ else } -1

    so a point exactly on the hyperplane (``z = 0``, e.g. every point at the start, when all
    weights are 0) is classified +1.

    Learning (the slides' rule):

    * start with weights = 0 (``W = 0`` and ``w_0 = 0``);
    * for each training instance ``(x, y*)``, classify it with the current weights;
    * if correct (``y_hat = y*``), no change;
    * if wrong, adjust the weights:

      .. math::

          \mathbf{W} \leftarrow \mathbf{W} + y^* \mathbf{x}, \qquad w_0 \leftarrow w_0 + y^*

    which moves ``w_0 + x^T W`` towards the sign of ``y*`` by ``||x||^2 + 1``. If some hyperplane
    separates the two classes, the rule stops making mistakes after finitely many updates
    (Novikoff's theorem: at most ``(R / gamma)^2`` of them, ``R`` the largest norm of ``(1, x)``
    and ``gamma`` the margin); on XOR it never does.

    Args:
        n_features: number of inputs ``m``.
        dtype: floating dtype of the weights.

    Attributes:
        weights: the vector ``W = (w_1, ..., w_m)``, shape (m,).
        bias: the bias ``w_0`` (a float).
        mistakes_per_epoch: after ``fit``, the number of updates made in each epoch that ran.
        history: after ``fit``, one :class:`PerceptronUpdate` per update, in order, so a lecture
            can replay the rule step by step.
        converged: after ``fit``, whether an epoch went by without a single mistake.

    Example:
        >>> from course.data import linearly_separable
        >>> X, y = linearly_separable(50, labels="pm1", rng=0)
        >>> p = Perceptron(2).fit(X, y)
        >>> p.converged, p.score(X, y)
        (True, 1.0)
    """

    def __init__(self, n_features: int, dtype: DTypeLike = np.float64) -> None:
        self.n_features = _check_count(n_features, 1, "n_features")
        self.dtype = np.dtype(dtype)
        self.weights: np.ndarray = np.zeros(self.n_features, dtype=self.dtype)
        self.bias: float = 0.0
        self.mistakes_per_epoch: list[int] = []
        self.history: list[PerceptronUpdate] = []
        self.converged: bool = False

    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        epochs: int = 100,
        shuffle: bool = False,
        rng: RngLike = None,
        record_history: bool = True,
    ) -> Perceptron:
        """Run the perceptron rule from zero weights, epoch by epoch.

        Each epoch visits every sample once, in order (or in a new random order from ``rng`` when
        ``shuffle`` is true), and updates the weights on every mistake. Training stops after the
        first epoch without mistakes (then ``converged`` is True) or after ``epochs`` epochs.

        ``fit`` always starts over: it resets the weights and bias to 0 and clears
        ``mistakes_per_epoch`` and ``history``.

        Args:
            X: inputs, shape (n, n_features).
            y: labels +1 or -1, shape (n,). (Labels 0/1 are refused: convert with ``2 * y - 1``.)
            epochs: the most epochs to run.
            shuffle: visit the samples in a random order each epoch.
            rng: random generator or seed for the order (only used when ``shuffle``).
            record_history: store a copy of the weights after each update in ``history``
                (turn it off on large data sets to save memory).

        Returns:
            ``self``, so ``Perceptron(2).fit(X, y).score(X, y)`` works.
        """
        X = _check_X(X, self.n_features, self.dtype)
        y = self._check_labels(y, X.shape[0])
        epochs = _check_count(epochs, 1, "epochs")
        rng = make_rng(rng)

        self.weights = np.zeros(self.n_features, dtype=self.dtype)  # start with weights = 0
        self.bias = 0.0
        self.mistakes_per_epoch = []
        self.history = []
        self.converged = False

        for epoch in range(epochs):
            mistakes = 0
            for i in _epoch_order(X.shape[0], shuffle, rng):
                x_i, y_star = X[i], int(y[i])
                y_hat = 1 if self.bias + x_i @ self.weights >= 0 else -1  # classify, sign(0) = +1
                if y_hat == y_star:
                    continue  # correct: no change
                self.weights += y_star * x_i  # wrong: W <- W + y* x
                self.bias += y_star  #                  w_0 <- w_0 + y*
                mistakes += 1
                if record_history:
                    self.history.append(
                        PerceptronUpdate(self.weights.copy(), float(self.bias), int(i), epoch)
                    )
            self.mistakes_per_epoch.append(mistakes)
            if mistakes == 0:
                self.converged = True
                break
        return self

    def decision_function(self, X: ArrayLike) -> np.ndarray:
        """The pre-activation ``z = w_0 + x^T W`` of every row of ``X``, shape (n,).

        Its sign is the prediction; ``|z| / ||W||`` is the distance of ``x`` to the hyperplane.
        """
        X = _check_X(X, self.n_features, self.dtype)
        return self.bias + X @ self.weights

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Labels ``sign(w_0 + x^T W)`` in {+1, -1} (int64, shape (n,)), with sign(0) = +1."""
        return np.where(self.decision_function(X) >= 0, 1, -1).astype(np.int64)

    def score(self, X: ArrayLike, y: ArrayLike) -> float:
        """Accuracy: the fraction of rows whose predicted label equals ``y`` (labels +1/-1)."""
        X = _check_X(X, self.n_features, self.dtype)
        y = self._check_labels(y, X.shape[0])
        return float(np.mean(self.predict(X) == y))

    @staticmethod
    def _check_labels(y: ArrayLike, n_samples: int) -> np.ndarray:
        y = _check_y_rows(y, n_samples)
        if not np.all((y == 1) | (y == -1)):
            raise ValueError(
                f"Perceptron labels must be +1 or -1, got values {_describe_values(y)}; "
                "convert 0/1 labels with y = 2 * y - 1"
            )
        return y.astype(np.int64)

    def __repr__(self) -> str:
        return f"Perceptron(n_features={self.n_features})"


# --------------------------------------------------------------------------------------------------
# Multi-output perceptron
# --------------------------------------------------------------------------------------------------


class MultiOutputPerceptron:
    r"""A perceptron with one output per class: a dense layer followed by argmax.

    Output ``i`` computes, as on the slides,

    .. math::

        z_i = w_{0,i} + \sum_{j=1}^m x_j w_{j,i}, \qquad \hat{y} = \arg\max_i z_i

    so the weights form a matrix ``W`` of shape (m, k) whose entry ``W[j, i]`` is the edge from
    input ``j`` to output ``i`` (every input is connected to every output: a *dense* layer), and
    a bias vector ``b = (w_{0,1}, ..., w_{0,k})``. For a batch of rows, ``Z = X @ W + b``. Ties
    (e.g. all weights 0 at the start) go to the lowest class index.

    Learning: start with ``W = 0``, ``b = 0``; on a mistake (``y_hat != y*``), move the true
    class's weights towards ``x`` and the predicted class's away from it:

    .. math::

        \mathbf{w}_{y^*} \leftarrow \mathbf{w}_{y^*} + \mathbf{x}, \quad
        b_{y^*} \leftarrow b_{y^*} + 1,
        \qquad
        \mathbf{w}_{\hat{y}} \leftarrow \mathbf{w}_{\hat{y}} - \mathbf{x}, \quad
        b_{\hat{y}} \leftarrow b_{\hat{y}} - 1

    where ``w_i = W[:, i]`` is column ``i``.

    Args:
        n_features: number of inputs ``m``.
        n_classes: number of classes (outputs) ``k``, at least 2; labels are 0..k-1.
        dtype: floating dtype of the weights.

    Attributes:
        weights: the matrix ``W``, shape (n_features, n_classes).
        bias: the vector ``b``, shape (n_classes,).
        mistakes_per_epoch: after ``fit``, the number of updates in each epoch that ran.
        converged: after ``fit``, whether an epoch went by without a mistake.
    """

    def __init__(self, n_features: int, n_classes: int, dtype: DTypeLike = np.float64) -> None:
        self.n_features = _check_count(n_features, 1, "n_features")
        self.n_classes = _check_count(n_classes, 2, "n_classes")
        self.dtype = np.dtype(dtype)
        self.weights: np.ndarray = np.zeros((self.n_features, self.n_classes), dtype=self.dtype)
        self.bias: np.ndarray = np.zeros(self.n_classes, dtype=self.dtype)
        self.mistakes_per_epoch: list[int] = []
        self.converged: bool = False

    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        epochs: int = 100,
        shuffle: bool = False,
        rng: RngLike = None,
    ) -> MultiOutputPerceptron:
        """Run the multi-class perceptron rule from zero weights, epoch by epoch.

        Each epoch visits every sample once (in order, or shuffled with ``rng``) and updates the
        weights on every mistake; training stops after the first epoch without mistakes
        (``converged`` is then True) or after ``epochs`` epochs. ``fit`` always starts over from
        ``W = 0``, ``b = 0``.

        Args:
            X: inputs, shape (n, n_features).
            y: integer labels in 0..n_classes-1, shape (n,).
            epochs: the most epochs to run.
            shuffle: visit the samples in a random order each epoch.
            rng: random generator or seed for the order (only used when ``shuffle``).

        Returns:
            ``self``.
        """
        X = _check_X(X, self.n_features, self.dtype)
        y = self._check_labels(y, X.shape[0])
        epochs = _check_count(epochs, 1, "epochs")
        rng = make_rng(rng)

        self.weights = np.zeros((self.n_features, self.n_classes), dtype=self.dtype)
        self.bias = np.zeros(self.n_classes, dtype=self.dtype)
        self.mistakes_per_epoch = []
        self.converged = False

        for _epoch in range(epochs):
            mistakes = 0
            for i in _epoch_order(X.shape[0], shuffle, rng):
                x_i, y_star = X[i], int(y[i])
                z = self.bias + x_i @ self.weights  # z_c = w_{0,c} + sum_j x_j w_{j,c}
                y_hat = int(np.argmax(z))
                if y_hat == y_star:
                    continue  # correct: no change
                self.weights[:, y_star] += x_i  # true class: w_{y*} <- w_{y*} + x
                self.bias[y_star] += 1
                self.weights[:, y_hat] -= x_i  # predicted class: w_{y_hat} <- w_{y_hat} - x
                self.bias[y_hat] -= 1
                mistakes += 1
            self.mistakes_per_epoch.append(mistakes)
            if mistakes == 0:
                self.converged = True
                break
        return self

    def decision_function(self, X: ArrayLike) -> np.ndarray:
        """The outputs ``Z = X @ W + b``, shape (n, n_classes): ``Z[n, i] = z_i`` of row n."""
        X = _check_X(X, self.n_features, self.dtype)
        return X @ self.weights + self.bias

    def predict(self, X: ArrayLike) -> np.ndarray:
        """The class with the largest output, ``argmax_i z_i``, per row (int64, shape (n,))."""
        return np.argmax(self.decision_function(X), axis=1).astype(np.int64)

    def score(self, X: ArrayLike, y: ArrayLike) -> float:
        """Accuracy: the fraction of rows whose predicted class equals ``y``."""
        X = _check_X(X, self.n_features, self.dtype)
        y = self._check_labels(y, X.shape[0])
        return float(np.mean(self.predict(X) == y))

    def _check_labels(self, y: ArrayLike, n_samples: int) -> np.ndarray:
        y = _check_y_rows(y, n_samples)
        valid = np.isin(y, np.arange(self.n_classes))
        if not np.all(valid):
            raise ValueError(
                f"labels must be integers in 0..{self.n_classes - 1} "
                f"(n_classes={self.n_classes}), got invalid values {_describe_values(y[~valid])}"
            )
        return y.astype(np.int64)

    def __repr__(self) -> str:
        return f"MultiOutputPerceptron(n_features={self.n_features}, n_classes={self.n_classes})"
