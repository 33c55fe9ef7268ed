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


def _check_data(X, y, name: str, dtype) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2:
        raise ValueError(f"{name} must have shape (samples, features), got shape {X.shape}")
    if len(X) != len(y):
        raise ValueError(f"{name} has {len(X)} samples but its targets have {len(y)}")
    if len(X) == 0:
        raise ValueError(f"{name} is empty")
    return X.astype(dtype, copy=False), y


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

    Raises:
        TrainingDiverged: the loss became NaN or infinite; the message says when, and the
            exception's ``history`` keeps what was recorded up to then.
    """
    epochs = _check_positive_int(epochs, "epochs")
    batch_size = _check_positive_int(batch_size, "batch_size")
    params = model.parameters()
    dtype = params[0].data.dtype if params else np.float64
    X, y = _check_data(X, y, "X", dtype)
    has_val = X_val is not None or y_val is not None
    if has_val:
        if X_val is None or y_val is None:
            raise ValueError("give both X_val and y_val, or neither")
        X_val, y_val = _check_data(X_val, y_val, "X_val", dtype)
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
        history.best_epoch = int(np.nanargmin(history.val_loss))
    return history


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
