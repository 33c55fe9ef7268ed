r"""Loss functions (slides: "Loss functions"), averaged over the m samples of a batch.

    cross-entropy  H(p, q) = -(1/m) sum_{i=1}^{m} sum_{j=1}^{k} y_j^{(i)} log p_j^{(i)}
    MSE(y, y_hat)  = (1/m) sum_{i=1}^{m} (y_i - y_hat_i)^2
    MAE(y, y_hat)  = (1/m) sum_{i=1}^{m} |y_i - y_hat_i|

Each loss is an object with ``forward(pred, target) -> float`` (also ``loss(pred, target)``)
that remembers what it needs, and ``backward() -> dJ/d(pred)``, the gradient that starts
backpropagation through the network. For a network with several outputs per sample, MSE and MAE
average over every output of every sample (as NumPy's ``mean``, PyTorch and Keras do; for one
output per sample it is exactly the slides' formula), and the cross-entropies sum over the k
classes and average over the m samples, as on the slide.

Class targets are integer labels 0..k-1 (label j is the j-th output of the network) or one-hot
rows. Labels given as names (strings such as ``"cat"``) are refused with an error that shows how
to number them, ``classes, y = np.unique(y, return_inverse=True)``: the network's outputs are
numbered, so the numbering is better made once, in sight, than guessed inside a loss (PyTorch
and Keras refuse them too).
"""

from __future__ import annotations

import numpy as np

from course.activations import sigmoid, softmax


def _float_array(x, what: str) -> np.ndarray:
    x = np.asarray(x)
    if x.dtype.kind != "f":  # not a floating dtype
        if not _is_numeric(x):
            raise TypeError(
                f"{what} must be numbers, got an array of dtype {x.dtype} such as {_examples(x)}"
            )
        x = x.astype(np.float64)
    return x


def _numbers_or_names(target: np.ndarray) -> np.ndarray:
    """``target`` with the type of its values: an object array (a pandas column, a list of
    mixed values) becomes an array of numbers, or of strings if any value is a string."""
    if target.dtype == object:
        target = np.asarray(target.tolist())
    return target


def _is_numeric(target: np.ndarray) -> bool:
    return np.issubdtype(target.dtype, np.number) or target.dtype == bool


def _examples(values: np.ndarray) -> str:
    """A few distinct values for an error message: 'cat', 'dog', ..."""
    distinct = list(dict.fromkeys(values.ravel().tolist()))
    shown = ", ".join(repr(value) for value in distinct[:3])
    return shown + (", ..." if len(distinct) > 3 else "")


def _check_labels(target: np.ndarray, m: int, k: int, loss_name: str) -> np.ndarray:
    """Check that ``target`` holds m integer class labels in 0..k-1; return them as ints."""
    if target.ndim != 1 or target.shape[0] != m:
        raise ValueError(
            f"{loss_name}: targets must be {m} integer labels (shape ({m},)) or one-hot of shape "
            f"({m}, {k}), got shape {target.shape}"
        )
    target = _numbers_or_names(target)
    if not _is_numeric(target):
        raise TypeError(
            f"{loss_name}: class labels must be integers 0..{k - 1} (label j is output j of the "
            f"network), got labels of dtype {target.dtype} such as {_examples(target)}; number "
            "the classes first: classes, y = np.unique(y, return_inverse=True) gives labels "
            "0, 1, ... in y and the name of label j in classes[j]"
        )
    if not np.issubdtype(target.dtype, np.integer):
        if not np.all(np.mod(target, 1) == 0):
            raise ValueError(f"{loss_name}: class labels must be integers, got {target[:5]}...")
        target = target.astype(np.int64)
    if m and (target.min() < 0 or target.max() >= k):
        raise ValueError(
            f"{loss_name}: labels must be in 0..{k - 1} for {k} classes, got labels from "
            f"{target.min()} to {target.max()}"
        )
    return target


def _class_targets(pred: np.ndarray, target, loss_name: str) -> np.ndarray:
    """Check class targets: int labels of shape (m,) are returned as ints, one-hot (m, k) as
    floats of the predictions' dtype."""
    if pred.ndim != 2:
        raise ValueError(
            f"{loss_name} expects predictions of shape (batch, classes), got shape {pred.shape}"
        )
    m, k = pred.shape
    target = np.asarray(target)
    if target.ndim == 2:
        if target.shape != pred.shape:
            raise ValueError(
                f"{loss_name}: one-hot targets must have the predictions' shape {pred.shape}, "
                f"got {target.shape}"
            )
        return target.astype(pred.dtype, copy=False)
    return _check_labels(target, m, k, loss_name)


def _one_hot_like(pred: np.ndarray, labels: np.ndarray) -> np.ndarray:
    if labels.ndim == 2:
        return labels
    one_hot = np.zeros_like(pred)
    one_hot[np.arange(len(pred)), labels] = 1
    return one_hot


def _regression_target(pred: np.ndarray, target, loss_name: str) -> np.ndarray:
    target = _float_array(_numbers_or_names(np.asarray(target)), f"{loss_name} target")
    if target.shape != pred.shape:
        if target.size == pred.size and len(target) == len(pred):
            target = target.reshape(pred.shape)  # (m,) vs (m, 1)
        else:
            raise ValueError(
                f"{loss_name}: target shape {target.shape} does not match prediction shape "
                f"{pred.shape}"
            )
    return target.astype(pred.dtype, copy=False)


class Loss:
    """Base class: ``forward(pred, target) -> float``, ``backward() -> dJ/d(pred)``."""

    def __init__(self) -> None:
        self._cache: tuple | None = None

    def forward(self, pred, target) -> float:
        raise NotImplementedError

    def backward(self) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, pred, target) -> float:
        return self.forward(pred, target)

    def _require_cache(self) -> tuple:
        if self._cache is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward() was called before forward(pred, target)"
            )
        return self._cache

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MSE(Loss):
    r"""Mean squared error: J = (1/N) sum (y - y_hat)^2 over the N = m x k outputs.

    backward: dJ/dy_hat = (2/N) (y_hat - y).
    """

    def forward(self, pred, target) -> float:
        pred = _float_array(pred, "MSE prediction")
        target = _regression_target(pred, target, "MSE")
        diff = pred - target
        self._cache = (diff,)
        return float(np.mean(diff * diff))

    def backward(self) -> np.ndarray:
        (diff,) = self._require_cache()
        return (2 / diff.size) * diff


class MAE(Loss):
    r"""Mean absolute error: J = (1/N) sum |y - y_hat| over the N = m x k outputs.

    backward: dJ/dy_hat = (1/N) sign(y_hat - y) (taken as 0 where y_hat = y).
    """

    def forward(self, pred, target) -> float:
        pred = _float_array(pred, "MAE prediction")
        target = _regression_target(pred, target, "MAE")
        diff = pred - target
        self._cache = (diff,)
        return float(np.mean(np.abs(diff)))

    def backward(self) -> np.ndarray:
        (diff,) = self._require_cache()
        return np.sign(diff) / diff.size


class CrossEntropy(Loss):
    r"""Cross-entropy on probabilities p (e.g. a Softmax layer's output).

    J = -(1/m) sum_i sum_j y_j^{(i)} log p_j^{(i)}, with targets y as int labels or one-hot rows.
    backward: dJ/dp_j^{(i)} = -(1/m) y_j^{(i)} / p_j^{(i)}.
    p is clipped to [eps, 1] inside the log so that a zero probability gives a large finite
    loss instead of inf. For raw scores (logits) use :class:`SoftmaxCrossEntropy`.
    """

    def __init__(self, eps: float = 1e-12) -> None:
        super().__init__()
        self.eps = eps

    def forward(self, pred, target) -> float:
        p = _float_array(pred, "CrossEntropy prediction")
        y = _one_hot_like(p, _class_targets(p, target, "CrossEntropy"))
        if p.size and (p.min() < -1e-6 or p.max() > 1 + 1e-6):
            raise ValueError(
                "CrossEntropy expects probabilities in [0, 1] (a softmax output), got values "
                f"from {p.min():.3g} to {p.max():.3g}; for raw scores use SoftmaxCrossEntropy"
            )
        p_safe = np.clip(p, self.eps, 1.0)
        self._cache = (p_safe, y)
        return float(-np.sum(y * np.log(p_safe)) / len(p))

    def backward(self) -> np.ndarray:
        p_safe, y = self._require_cache()
        return -(y / p_safe) / len(p_safe)


class SoftmaxCrossEntropy(Loss):
    r"""Softmax followed by cross-entropy, on logits z (the last Dense layer's output).

    J = -(1/m) sum_i sum_j y_j^{(i)} log softmax(z^{(i)})_j, computed stably as
    log softmax(z)_j = (z_j - max z) - log sum_k e^{z_k - max z}.
    backward: the famous simple form dJ/dz = (1/m) (softmax(z) - y).
    """

    def forward(self, pred, target) -> float:
        z = _float_array(pred, "SoftmaxCrossEntropy logits")
        labels = _class_targets(z, target, "SoftmaxCrossEntropy")  # ints (m,) or one-hot (m, k)
        m = len(z)
        shifted = z - z.max(axis=1, keepdims=True)
        log_sum_exp = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        log_probs = shifted - log_sum_exp
        if labels.ndim == 1:  # pick log p of the true class, without building a one-hot matrix
            loss = -log_probs[np.arange(m), labels].sum() / m
        else:
            loss = -np.sum(labels * log_probs) / m
        self._cache = (log_probs, labels)
        return float(loss)

    def backward(self) -> np.ndarray:
        log_probs, labels = self._require_cache()
        m = len(log_probs)
        grad = np.exp(log_probs)  # softmax(z)
        if labels.ndim == 1:
            grad[np.arange(m), labels] -= 1
        else:
            grad -= labels
        grad /= m
        return grad

    def probabilities(self) -> np.ndarray:
        """softmax(z) of the last forward pass."""
        log_probs, _ = self._require_cache()
        return np.exp(log_probs)


class BinaryCrossEntropy(Loss):
    r"""Binary cross-entropy for one output per sample, labels y in {0, 1}.

    J = -(1/m) sum_i [ y_i log p_i + (1 - y_i) log(1 - p_i) ] on probabilities p (a Sigmoid
    layer's output); backward: dJ/dp_i = (1/m) (p_i - y_i) / (p_i (1 - p_i)).

    **Clipping.** A sigmoid saturates: in float64 it returns exactly 1.0 for z above about 37
    (float32: about 17), and log(1 - 1) = -inf. So p is clipped first,

        p~_i = min(max(p_i, eps), 1 - eps),    default eps = 1e-12,

    and the loss and its gradient are computed at p~: J = -(1/m) sum_i [ y_i log p~_i +
    (1 - y_i) log(1 - p~_i) ] and dJ/dp_i = (1/m) (p~_i - y_i) / (p~_i (1 - p~_i)). A
    confidently wrong sample then costs at most -log(eps) = 27.6 instead of inf, and its
    gradient is large (about 1/(m eps)) but finite and points the right way (the clip's own
    slope, 0, would stop learning). Outputs strictly inside [eps, 1 - eps] are not changed. In
    float32, 1 - 1e-12 rounds to 1, so the upper end is the largest float32 below 1,
    1 - 2^-24 (a loss of at most -log(2^-24) = 16.6 per sample).

    With ``from_logits=True`` the predictions are logits z (p = sigmoid(z)), nothing is clipped:
    the loss is computed stably as max(z, 0) - z y + log(1 + e^{-|z|}), and backward is
    (1/m) (sigmoid(z) - y). Prefer it to a Sigmoid layer followed by this loss.

    Args:
        from_logits: the predictions are logits z rather than probabilities p.
        eps: the clipping margin for probabilities (unused with ``from_logits=True``).
    """

    def __init__(self, from_logits: bool = False, eps: float = 1e-12) -> None:
        super().__init__()
        self.from_logits = from_logits
        self.eps = eps

    def forward(self, pred, target) -> float:
        p = _float_array(pred, "BinaryCrossEntropy prediction")
        target = _numbers_or_names(np.asarray(target))
        if not _is_numeric(target):
            raise TypeError(
                "BinaryCrossEntropy: targets must be the labels 0 and 1, got labels of dtype "
                f"{target.dtype} such as {_examples(target)}; convert them, for example "
                "y = (y == 'yes').astype(int) makes 'yes' the class 1"
            )
        y = _regression_target(p, target, "BinaryCrossEntropy")
        if y.size and not np.all((y >= 0) & (y <= 1)):
            raise ValueError(
                "BinaryCrossEntropy: targets must be in [0, 1] (labels 0/1), got values from "
                f"{y.min():.3g} to {y.max():.3g}; for +1/-1 labels use (y + 1) / 2"
            )
        m = len(p)
        if self.from_logits:
            z = p
            self._cache = (z, y)
            per_sample = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
            return float(np.sum(per_sample) / m)
        if p.size and (p.min() < -1e-6 or p.max() > 1 + 1e-6):
            raise ValueError(
                "BinaryCrossEntropy expects probabilities in [0, 1] (a sigmoid output), got "
                f"values from {p.min():.3g} to {p.max():.3g}; for logits use from_logits=True"
            )
        p_safe = np.clip(p, self.eps, self._upper_clip(p.dtype))
        self._cache = (p_safe, y)
        return float(-np.sum(y * np.log(p_safe) + (1 - y) * np.log(1 - p_safe)) / m)

    def _upper_clip(self, dtype: np.dtype) -> float:
        """1 - eps, or the largest number below 1 of ``dtype`` if 1 - eps rounds to 1 in it."""
        below_one = np.nextafter(dtype.type(1), dtype.type(0))
        return min(1 - self.eps, below_one)

    def backward(self) -> np.ndarray:
        p, y = self._require_cache()
        m = len(p)
        if self.from_logits:
            return (sigmoid(p) - y) / m
        return (p - y) / (p * (1 - p)) / m

    def __repr__(self) -> str:
        return f"BinaryCrossEntropy(from_logits={self.from_logits})"


LOSSES: dict[str, type[Loss]] = {
    "mse": MSE,
    "mae": MAE,
    "cross_entropy": CrossEntropy,
    "softmax_cross_entropy": SoftmaxCrossEntropy,
    "binary_cross_entropy": BinaryCrossEntropy,
}

__all__ = [
    "Loss",
    "MSE",
    "MAE",
    "CrossEntropy",
    "SoftmaxCrossEntropy",
    "BinaryCrossEntropy",
    "LOSSES",
    "softmax",
]
