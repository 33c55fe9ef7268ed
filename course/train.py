r"""Training a network with gradient descent (slides: "Training process", "Various GD types").

One **iteration** passes one batch forward and backward through the network and updates the
parameters once: theta <- theta - eta g (or another optimizer's rule). One **epoch** passes the
entire training set once, so an epoch has ceil(n / batch_size) iterations. The batch size
chooses the kind of gradient descent:

* ``batch_size = len(X)``: batch gradient descent, g = (1/n) sum_i grad L(d_i, theta);
* ``batch_size = 1``: stochastic gradient descent, g_hat = grad L(d_i, theta);
* ``batch_size = k``: mini-batch gradient descent, g_hat = (1/|B|) sum_{d in B} grad L(d, theta).

:func:`fit` runs that loop and records a :class:`History` for plotting.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from course.clip import clip_by_norm
from course.data import minibatches
from course.layers.base import Layer
from course.losses import BinaryCrossEntropy, Loss
from course.optim import Optimizer
from course.regularization import EarlyStopping, l1_penalty, l2_penalty
from course.rng import RngLike, make_rng


@dataclass
class History:
    """What happened during :func:`fit`, epoch by epoch and iteration by iteration.

    ``train_loss`` is the data loss (without any L1/L2 penalty) averaged over the epoch's
    batches, measured while training (so with dropout active); ``val_loss`` and ``val_acc`` are
    measured in eval mode after the epoch. Accuracies are NaN for regression targets.
    """

    epoch: list[int] = field(default_factory=list)  # 1, 2, ..., epochs
    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    iteration_loss: list[float] = field(default_factory=list)  # one entry per iteration
    epoch_seconds: list[float] = field(default_factory=list)
    iterations: int = 0
    epochs: int = 0
    best_epoch: int | None = None  # 0-based index of the best validation loss
    stopped_early: bool = False

    def __repr__(self) -> str:
        last = f", train_loss={self.train_loss[-1]:.4g}" if self.train_loss else ""
        if self.val_loss:
            last += f", val_loss={self.val_loss[-1]:.4g}"
        return f"History(epochs={self.epochs}, iterations={self.iterations}{last})"


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite during training. ``.history`` holds what was recorded."""

    def __init__(self, message: str, history: History) -> None:
        super().__init__(message)
        self.history = history


def accuracy(output: np.ndarray, target: np.ndarray, threshold: float = 0.5) -> float:
    """Fraction of correct class predictions, or NaN when the targets are not class labels.

    Several outputs: the predicted class is the argmax (targets are labels or one-hot rows).
    One output: the predicted class is 1 where the output exceeds ``threshold``.
    """
    output = np.asarray(output)
    target = np.asarray(target)
    if output.ndim == 2 and output.shape[1] > 1:
        labels = np.argmax(target, axis=1) if target.ndim == 2 else target
        return float(np.mean(np.argmax(output, axis=1) == labels))
    target = target.reshape(len(target))
    if not np.all((target == 0) | (target == 1)):
        return math.nan  # regression targets: accuracy means nothing
    return float(np.mean((output.reshape(len(output)) > threshold) == target))


def _threshold_for(loss: Loss) -> float:
    """Outputs are logits (threshold 0) for BCE from logits, else probabilities (0.5)."""
    return 0.0 if isinstance(loss, BinaryCrossEntropy) and loss.from_logits else 0.5


def evaluate(
    model: Layer, loss: Loss, X: np.ndarray, y: np.ndarray, batch_size: int = 1024
) -> tuple[float, float]:
    """(loss, accuracy) of ``model`` on (X, y) in eval mode, in batches; the mode is restored."""
    was_training = model.training
    model.eval()
    try:
        total_loss, total_correct, n = 0.0, 0.0, len(X)
        for start in range(0, n, batch_size):
            xb, yb = X[start : start + batch_size], y[start : start + batch_size]
            out = model.forward(xb)
            total_loss += loss.forward(out, yb) * len(xb)
            total_correct += accuracy(out, yb, _threshold_for(loss)) * len(xb)
    finally:
        if was_training:
            model.train()
    return total_loss / n, total_correct / n


def _check_data(X, y, names: tuple[str, str], dtype) -> tuple[np.ndarray, np.ndarray]:
    """Check the shapes of inputs and targets and that their numbers are finite; return the
    inputs in the model's dtype. ``names`` are the arguments' names, ("X", "y") or
    ("X_val", "y_val"), for the messages."""
    x_name, y_name = names
    given = np.asarray(X)
    y = np.asarray(y)
    if given.ndim != 2:
        raise ValueError(f"{x_name} must have shape (samples, features), got shape {given.shape}")
    if len(given) != len(y):
        raise ValueError(f"{x_name} has {len(given)} samples but {y_name} has {len(y)}")
    if len(given) == 0:
        raise ValueError(f"{x_name} is empty")
    with np.errstate(over="ignore"):  # a number too large for float32: reported just below
        X = given.astype(dtype, copy=False)
    _check_finite(X, given, names, is_input=True)
    _check_finite(y, y, names, is_input=False)
    return X, y


def _check_finite(array: np.ndarray, given: np.ndarray, names: tuple[str, str], is_input: bool):
    """Raise a ValueError saying where ``array`` holds NaN or inf (how many, which rows and
    columns) and what to do, if it does. ``given`` is the array as the user passed it (``array``
    may be its conversion to the model's dtype, where a huge number becomes inf)."""
    if not np.issubdtype(array.dtype, np.floating) or np.isfinite(array).all():
        return
    x_name, y_name = names
    name = x_name if is_input else y_name
    bad = ~np.isfinite(array.reshape(len(array), -1))
    n_bad, n_nan = int(bad.sum()), int(np.isnan(array).sum())
    counts = [f"{n_nan} NaN"] if n_nan else []
    if n_bad > n_nan:
        counts.append(f"{n_bad - n_nan} inf")
    where = f"in {_some(np.flatnonzero(bad.any(axis=1)), 'row', len(array))}"
    if array.ndim == 2 and array.shape[1] > 1:
        where += f" and {_some(np.flatnonzero(bad.any(axis=0)), 'column', array.shape[1])}"
    found = f"{name} holds {' and '.join(counts)} value{'s' if n_bad > 1 else ''}, {where}"
    overflow = np.issubdtype(given.dtype, np.number) and np.isfinite(given.reshape(bad.shape)[bad])
    if np.all(overflow):
        raise ValueError(
            f"{found}: they are finite in the array you passed, but beyond the range of "
            f"{array.dtype}, the model's dtype, whose largest number is "
            f"{np.finfo(array.dtype).max:.3g}. Nothing was trained. Rescale the data (for "
            "example with course.data.standardize) or build the model in float64."
        )
    keep = f"np.isfinite({name})" + (".all(axis=1)" if array.ndim == 2 else "")
    advice = (
        f"Drop those samples (keep = {keep}; {x_name}, {y_name} = {x_name}[keep], "
        f"{y_name}[keep])"
    )
    if is_input:
        advice += f" or fill the gaps in (say with column means, np.nanmean({name}, axis=0))"
    raise ValueError(
        f"{found}. A network cannot learn from them (every loss they touch is NaN), so nothing "
        f"was trained. {advice}."
    )


def _some(indices: np.ndarray, what: str, total: int) -> str:
    """'3 of its 500 rows (rows 4, 17, 230)', listing at most five of them."""
    shown = ", ".join(str(i) for i in indices[:5]) + (", ..." if len(indices) > 5 else "")
    plural = "s" if len(indices) > 1 else ""
    return f"{len(indices)} of its {total} {what}s ({what}{plural} {shown})"


def _check_targets(model: Layer, loss: Loss, X: np.ndarray, y: np.ndarray) -> None:
    """Let the loss check every target now, as it will during training (class labels in
    0..k-1, shapes), so that a bad label in a late batch cannot stop the training halfway.

    The loss needs predictions of the model's output shape: one sample's output in eval mode
    (which changes no weight, batch statistic or random state), repeated for each target, a
    few thousand targets at a time (so that a wide output does not need much memory).
    """
    was_training = model.training
    model.eval()
    try:
        with np.errstate(all="ignore"):
            out = model.forward(X[:1])
    finally:
        if was_training:
            model.train()
    for start in range(0, len(y), 4096):
        targets = y[start : start + 4096]
        with np.errstate(all="ignore"):
            loss.forward(np.broadcast_to(out, (len(targets), *out.shape[1:])), targets)


def _check_positive_int(value, name: str) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


Callback = Callable[[History, Layer], bool] | EarlyStopping


def fit(
    model: Layer,
    loss: Loss,
    optimizer: Optimizer,
    X: np.ndarray,
    y: np.ndarray,
    epochs: int,
    batch_size: int,
    X_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    callbacks: Iterable[Callback] = (),
    progress: bool = True,
    shuffle: bool = True,
    rng: RngLike = None,
    l1: float = 0.0,
    l2: float = 0.0,
    clip_norm: float | None = None,
) -> History:
    """Train ``model`` with mini-batch gradient descent and return its :class:`History`.

    Each iteration: zero the gradients, forward a batch, compute the loss (plus ``l1`` /
    ``l2`` penalties on the weight matrices if given), backward, optionally clip the gradients'
    global norm to ``clip_norm``, and take an optimizer step.

    Args:
        model: a :class:`course.network.Sequential` (or any Layer).
        loss, optimizer: a :mod:`course.losses` loss and a :mod:`course.optim` optimizer that
            holds ``model.parameters()``.
        X, y: training inputs (n, features) and targets (labels or values).
        epochs: passes over the training set.
        batch_size: ``len(X)`` for batch GD, 1 for SGD, k for mini-batch GD.
        X_val, y_val: optional validation set, evaluated in eval mode after each epoch.
        callbacks: :class:`course.regularization.EarlyStopping` objects (they watch the
            validation loss, or the training loss without validation data, stop the training and
            restore the best weights), or functions ``f(history, model) -> bool`` called after
            each epoch (True stops training).
        progress: show a tqdm progress bar (a widget in notebooks, text in a terminal).
        shuffle, rng: shuffle the samples every epoch with this generator or seed.

    Before training, the data are checked, so that a mistake in them stops ``fit`` at once
    rather than after some epochs: shapes; NaN or inf in ``X``, ``y``, ``X_val``, ``y_val``
    (the message says which array, how many values, which rows and columns, and how to drop
    them); and every target by the loss itself (class labels must be integers 0..k-1; names
    such as ``"cat"`` are refused with a message showing ``np.unique(y, return_inverse=True)``).

    Raises:
        ValueError, TypeError: bad data, found before anything was trained.
        TrainingDiverged: the loss became NaN or infinite; the message says when, and the
            exception's ``history`` keeps what was recorded up to then.
    """
    epochs = _check_positive_int(epochs, "epochs")
    batch_size = _check_positive_int(batch_size, "batch_size")
    params = model.parameters()
    dtype = params[0].data.dtype if params else np.float64
    X, y = _check_data(X, y, ("X", "y"), dtype)
    _check_targets(model, loss, X, y)
    has_val = X_val is not None or y_val is not None
    if has_val:
        if X_val is None or y_val is None:
            raise ValueError("give both X_val and y_val, or neither")
        X_val, y_val = _check_data(X_val, y_val, ("X_val", "y_val"), dtype)
        _check_targets(model, loss, X_val, y_val)
    callbacks = list(callbacks)
    generator = make_rng(rng)
    threshold = _threshold_for(loss)
    history = History()
    iterations_per_epoch = math.ceil(len(X) / batch_size)
    bar = tqdm(
        total=epochs * iterations_per_epoch, disable=not progress, unit="batch", leave=True
    )

    try:
        for epoch in range(1, epochs + 1):
            started = time.perf_counter()
            model.train()
            loss_sum, correct_sum = 0.0, 0.0
            for xb, yb in minibatches(X, y, batch_size, shuffle=shuffle, rng=generator):
                optimizer.zero_grad()
                # Overflow is reported once, clearly, by the check below, not by NumPy warnings.
                with np.errstate(over="ignore", invalid="ignore"):
                    out = model.forward(xb)
                    batch_loss = loss.forward(out, yb)
                if not math.isfinite(batch_loss):
                    raise _diverged(history, epoch, batch_loss, optimizer)
                grad = loss.backward()
                model.backward_params_only(grad)  # dJ/dX of the data is never needed
                if l1:
                    l1_penalty(params, l1)
                if l2:
                    l2_penalty(params, l2)
                if clip_norm is not None:
                    clip_by_norm(params, clip_norm)
                optimizer.step()

                history.iteration_loss.append(batch_loss)
                history.iterations += 1
                loss_sum += batch_loss * len(xb)
                correct_sum += accuracy(out, yb, threshold) * len(xb)
                bar.update(1)

            history.epoch.append(epoch)
            history.epochs = epoch
            history.train_loss.append(loss_sum / len(X))
            history.train_acc.append(correct_sum / len(X))
            if has_val:
                with np.errstate(over="ignore", invalid="ignore"):  # reported by _best_epoch
                    val_loss, val_acc = evaluate(model, loss, X_val, y_val)
                history.val_loss.append(val_loss)
                history.val_acc.append(val_acc)
            history.epoch_seconds.append(time.perf_counter() - started)
            bar.set_postfix(_postfix(history))

            if _run_callbacks(callbacks, history, model):
                history.stopped_early = True
                break
    finally:
        bar.close()
    if history.val_loss and history.best_epoch is None:
        history.best_epoch = _best_epoch(history.val_loss)
    return history


def _best_epoch(val_loss: list[float]) -> int | None:
    """The 0-based epoch of the lowest validation loss; None, with a warning, if it was never a
    finite number (training itself went on with finite losses, or it would have stopped)."""
    if not any(math.isfinite(value) for value in val_loss):
        warnings.warn(
            f"The validation loss was NaN or infinite at all {len(val_loss)} epochs while the "
            "training loss was finite: X_val probably holds numbers far outside the range of X "
            "(scale it as X was scaled). The History keeps the training curves; best_epoch is "
            "None.",
            RuntimeWarning,
            stacklevel=3,
        )
        return None
    return int(np.nanargmin(val_loss))


def _postfix(history: History) -> dict[str, str]:
    shown = {"loss": f"{history.train_loss[-1]:.4f}"}
    if not math.isnan(history.train_acc[-1]):
        shown["acc"] = f"{history.train_acc[-1]:.3f}"
    if history.val_loss:
        shown["val_loss"] = f"{history.val_loss[-1]:.4f}"
        if not math.isnan(history.val_acc[-1]):
            shown["val_acc"] = f"{history.val_acc[-1]:.3f}"
    return shown


def _run_callbacks(callbacks: list, history: History, model: Layer) -> bool:
    """Run every callback after an epoch; True if one of them asks to stop."""
    stop = False
    for callback in callbacks:
        if isinstance(callback, EarlyStopping):
            watched = history.val_loss[-1] if history.val_loss else history.train_loss[-1]
            if callback.step(watched, model.parameters()):
                if callback.best_state is not None:  # None if no epoch ever improved (NaN)
                    callback.restore(model.parameters())
                    history.best_epoch = callback.best_epoch
                stop = True
        elif callable(callback):
            stop = bool(callback(history, model)) or stop
        else:
            raise TypeError(
                f"callbacks must be EarlyStopping objects or functions f(history, model), got "
                f"{type(callback).__name__}"
            )
    return stop


def _diverged(history: History, epoch: int, value: float, optimizer: Optimizer) -> TrainingDiverged:
    lr = getattr(optimizer, "lr", None)
    return TrainingDiverged(
        f"The loss became {value} at epoch {epoch}, iteration {history.iterations + 1}: training "
        f"diverged. Try a smaller learning rate (now {lr}), gradient clipping "
        "(fit(..., clip_norm=1.0)), or standardized inputs.",
        history,
    )
