r"""Matplotlib figures for the lectures.

Every helper

* takes ``ax=None`` (or ``axes=None`` for figures with several panels) and draws on a new figure
  when none is given,
* returns the Axes it drew on (or the Figure, for several panels),
* gives the figure a title, labelled axes and a legend when there are several lines,
* never calls ``plt.show()``: the notebook decides when to show.

Contents: decision boundaries, training curves (:func:`plot_history`,
:func:`plot_iteration_loss`, :func:`plot_histories`), optimizer paths on a loss surface,
activation densities per layer (:func:`layer_activations`, :func:`plot_activation_histograms`),
activation functions, gradient norms per layer, computation graphs, weight matrices and digits.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from course.activations import Activation
from course.autograd import draw_graph
from course.surfaces import Surface

# History attributes for each metric: (training curve, validation curve).
_METRIC_ATTRIBUTES = {
    "loss": ("train_loss", "val_loss"),
    "accuracy": ("train_acc", "val_acc"),
}


def _new_axes(ax: Axes | None) -> Axes:
    """``ax`` itself, or the Axes of a new figure when ``ax`` is None."""
    if ax is None:
        _, ax = plt.subplots()
    return ax


def _new_panels(axes, count: int, panel_size=(4.0, 3.2)) -> tuple[Figure, list[Axes]]:
    """``count`` Axes in one row of a new figure, or the given ``axes`` (exactly ``count``)."""
    if axes is None:
        fig, new_axes = plt.subplots(
            1, count, figsize=(panel_size[0] * count, panel_size[1]), squeeze=False
        )
        return fig, list(new_axes[0])
    axes = list(np.ravel(axes))
    if len(axes) != count:
        raise ValueError(f"this figure needs {count} axes (one per panel), got {len(axes)}")
    return axes[0].figure, axes


# --------------------------------------------------------------------------------------------
# Classifiers
# --------------------------------------------------------------------------------------------
def _predict_function(model) -> Callable[[np.ndarray], np.ndarray]:
    if hasattr(model, "predict"):
        return model.predict
    if callable(model):
        return model
    raise TypeError(
        "model must have a predict(X) method returning class labels (a network, a "
        f"Perceptron, ...) or be a function X -> labels, got {type(model).__name__}"
    )


def plot_decision_boundary(
    model,
    X,
    y,
    ax: Axes | None = None,
    resolution: int = 200,
    padding: float = 0.5,
    title: str = "Decision boundary",
) -> Axes:
    """The regions of the plane each class gets, with the data points on top.

    ``model.predict`` (or ``model`` itself, if it is a function) labels every point of a
    ``resolution`` x ``resolution`` grid covering the data plus ``padding``; each label's region
    is filled with that class's colour (a filled contour), and the samples ``X`` are drawn in the
    colour of their true class ``y``. Works for any number of classes and any labels
    (0/1, -1/+1, 0..K-1).

    Args:
        model: an object with ``predict(X) -> labels`` of shape (n,), or such a function.
        X: the data, shape (n, 2).
        y: the true labels, shape (n,).
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).ravel()
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(
            f"plot_decision_boundary needs 2-D inputs X of shape (n, 2), got {X.shape}"
        )
    if len(y) != len(X):
        raise ValueError(f"X has {len(X)} samples but y has {len(y)} labels")
    predict = _predict_function(model)
    ax = _new_axes(ax)

    (x_min, y_min), (x_max, y_max) = X.min(axis=0) - padding, X.max(axis=0) + padding
    xx, yy = np.meshgrid(
        np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution)
    )
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    predicted = np.asarray(predict(grid)).ravel()
    if predicted.size != grid.shape[0]:
        raise ValueError(
            f"predict returned {predicted.size} labels for {grid.shape[0]} points; it must "
            "return one class label per row of X"
        )

    classes = np.unique(np.concatenate([y, predicted]))
    colors = [plt.get_cmap("tab10")(k % 10) for k in range(len(classes))]
    # Class k (the k-th smallest label) fills the band between levels k - 1/2 and k + 1/2.
    region_index = np.searchsorted(classes, predicted).reshape(xx.shape)
    ax.contourf(
        xx, yy, region_index, levels=np.arange(len(classes) + 1) - 0.5, colors=colors, alpha=0.3
    )
    for k, label in enumerate(classes):
        members = y == label
        if np.any(members):
            ax.scatter(*X[members].T, color=colors[k], edgecolor="k", s=20, label=f"class {label}")

    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$", xlim=(x_min, x_max), ylim=(y_min, y_max))
    ax.legend(loc="best")
    return ax


# --------------------------------------------------------------------------------------------
# Training curves
# --------------------------------------------------------------------------------------------
def plot_history(history, metrics: Sequence[str] = ("loss", "accuracy"), axes=None) -> Figure:
    """Loss (and accuracy) per epoch of a ``course.train.History``, one panel per metric.

    Each panel shows the training curve and, if the history has validation data, the validation
    curve. A metric whose curve is empty (no accuracy recorded) gets no panel. If the history
    has a ``best_epoch`` (early stopping), it is marked with a dashed vertical line.

    Args:
        history: a ``History`` (lists ``epoch``, ``train_loss``, ``val_loss``, ``train_acc``,
            ``val_acc``).
        metrics: which panels to draw, from ``"loss"`` and ``"accuracy"``.
        axes: one Axes per drawn panel, or None for a new figure.
    """
    for metric in metrics:
        _check_metric(metric)
    # A metric is drawn if it was recorded (accuracies are NaN for regression targets).
    drawn = [m for m in metrics if _has_values(getattr(history, _METRIC_ATTRIBUTES[m][0]))]
    if not drawn:
        raise ValueError(f"the history has no recorded values for any of {tuple(metrics)}")
    fig, panels = _new_panels(axes, len(drawn))
    for ax, metric in zip(panels, drawn, strict=True):
        train_attr, val_attr = _METRIC_ATTRIBUTES[metric]
        ax.plot(history.epoch, getattr(history, train_attr), marker=".", label="train")
        if _has_values(getattr(history, val_attr)):
            ax.plot(history.epoch, getattr(history, val_attr), marker=".", label="validation")
        if getattr(history, "best_epoch", None) is not None:
            ax.axvline(
                history.epoch[history.best_epoch], color="gray", linestyle="--", label="best epoch"
            )
        ax.set(title=f"{metric} per epoch", xlabel="epoch", ylabel=metric)
        ax.legend()
    fig.suptitle("Training history")
    fig.tight_layout()
    return fig


def plot_iteration_loss(history, ax: Axes | None = None, window: int | None = None) -> Axes:
    """The loss of every mini-batch (every iteration), as in the mini-batch GD slides.

    With ``window=w`` a moving average over w iterations is drawn on top: mini-batch losses
    "bounce up and down and decrease only on average".
    """
    losses = np.asarray(history.iteration_loss, dtype=np.float64)
    iterations = np.arange(1, len(losses) + 1)
    ax = _new_axes(ax)
    ax.plot(iterations, losses, linewidth=0.8, label="mini-batch loss")
    if window is not None:
        if not 1 <= window <= len(losses):
            raise ValueError(f"window must be between 1 and {len(losses)} iterations, got {window}")
        average = np.convolve(losses, np.ones(window) / window, mode="valid")
        ax.plot(iterations[window - 1 :], average, linewidth=2, label=f"average of {window}")
        ax.legend()
    ax.set(title="Loss per iteration", xlabel="iteration", ylabel="loss")
    return ax


def plot_histories(
    histories: Mapping[str, object],
    metric: str = "loss",
    split: str = "train",
    x: str = "epoch",
    ax: Axes | None = None,
) -> Axes:
    """Compare several runs: one curve per ``{label: history}``.

    Args:
        histories: e.g. ``{"SGD": history_sgd, "Adam": history_adam}``.
        metric: ``"loss"`` or ``"accuracy"``.
        split: ``"train"`` or ``"val"`` (validation).
        x: ``"epoch"`` (one point per epoch) or ``"iteration"`` (one point per mini-batch;
            only for the training loss, the only value recorded per iteration).
    """
    _check_metric(metric)
    if split not in ("train", "val"):
        raise ValueError(f"split must be 'train' or 'val', got {split!r}")
    if x not in ("epoch", "iteration"):
        raise ValueError(f"x must be 'epoch' or 'iteration', got {x!r}")
    if x == "iteration" and (metric, split) != ("loss", "train"):
        raise ValueError(
            "only the training loss is recorded per iteration: use metric='loss', "
            "split='train' with x='iteration', or x='epoch' for other curves"
        )
    if not histories:
        raise ValueError("histories is empty: pass a dict {label: history}")
    ax = _new_axes(ax)
    for label, history in histories.items():
        if x == "iteration":
            values = history.iteration_loss
            steps = np.arange(1, len(values) + 1)
        else:
            values = getattr(history, _METRIC_ATTRIBUTES[metric][split == "val"])
            steps = history.epoch
        if not len(values):
            raise ValueError(
                f"history {label!r} has no {split} {metric} recorded (validation curves need "
                "validation data during training)"
            )
        ax.plot(steps, values, label=label)
    split_name = "validation" if split == "val" else "training"
    ax.set(title=f"{split_name} {metric} per {x}", xlabel=x, ylabel=metric)
    ax.legend()
    return ax


def _has_values(curve) -> bool:
    return bool(np.any(np.isfinite(np.asarray(curve, dtype=np.float64))))


def _check_metric(metric: str) -> None:
    if metric not in _METRIC_ATTRIBUTES:
        raise ValueError(f"metric must be one of {sorted(_METRIC_ATTRIBUTES)}, got {metric!r}")


# --------------------------------------------------------------------------------------------
# Optimizers on a loss surface
# --------------------------------------------------------------------------------------------
def plot_loss_surface(
    surface: Surface,
    paths: Mapping[str, np.ndarray] | None = None,
    ax: Axes | None = None,
    levels: int = 30,
    log_levels: bool = True,
    resolution: int = 200,
) -> Axes:
    """Contours of a :class:`~course.surfaces.Surface` with optimizer paths on top.

    Each path (shape (T, 2), e.g. from :func:`course.surfaces.optimizer_path`) is a line with a
    circle at its start and a cross at its end; the known minima are stars. The axes keep the
    surface's limits, so a diverging path leaves the picture.

    Args:
        surface: the loss J(x, y).
        paths: ``{name: path}``, e.g. ``{"SGD": path_sgd, "Adam": path_adam}``.
        levels: the number of contour lines.
        log_levels: space the levels geometrically above the minimum, from J_min + 1e-5 D to
            J_max (D = J_max - J_min on the grid): surfaces such as Rosenbrock and Beale span
            many decades, and evenly spaced levels would leave the valley around the minimum
            without a single contour line.
    """
    ax = _new_axes(ax)
    X, Y, Z = surface.grid(resolution)
    if log_levels:
        low = min(float(Z.min()), surface.min_value)
        span = float(Z.max()) - low
        contour_levels = low + np.geomspace(span * 1e-5, span, levels)
    else:
        contour_levels = levels
    ax.contour(X, Y, Z, levels=contour_levels, cmap="viridis", linewidths=0.8)

    for name, path in (paths or {}).items():
        path = np.asarray(path, dtype=np.float64)
        if path.ndim != 2 or path.shape[1] != 2 or len(path) == 0:
            raise ValueError(f"path {name!r} must have shape (T, 2) with T >= 1, got {path.shape}")
        (line,) = ax.plot(path[:, 0], path[:, 1], marker=".", markersize=3, label=name)
        ax.plot(*path[0], marker="o", color=line.get_color(), label="_start")
        ax.plot(*path[-1], marker="X", markersize=9, color=line.get_color(), label="_end")

    ax.plot(
        surface.minima[:, 0],
        surface.minima[:, 1],
        "*",
        color="red",
        markersize=14,
        linestyle="none",
        label="minimum",
    )
    ax.set(
        title=f"{surface.name}: ${surface.formula}$",
        xlabel="x",
        ylabel="y",
        xlim=surface.xlim,
        ylim=surface.ylim,
    )
    ax.legend(loc="best")
    return ax


# --------------------------------------------------------------------------------------------
# Inside a network
# --------------------------------------------------------------------------------------------
def layer_activations(model, X) -> list[tuple[str, np.ndarray]]:
    """The output a^{[l]} of every activation layer for the batch ``X``.

    Runs ``X`` through ``model.layers`` one layer at a time in evaluation mode (dropout off),
    and puts the model back in the mode it was in. Returns ``[(label, a), ...]`` with labels
    like ``"layer 1 (relu)"``: the l-th activation layer is layer l, as in a^{[l]} = g(z^{[l]}).
    """
    was_training = model.training
    model.eval()
    try:
        outputs = []
        a = np.asarray(X)
        for layer in model.layers:
            a = layer.forward(a)
            if isinstance(layer, Activation):
                outputs.append((f"layer {len(outputs) + 1} ({layer.name})", np.array(a)))
    finally:
        if was_training:
            model.train()
    return outputs


def plot_activation_histograms(model, X, axes=None, bins: int = 50) -> Figure:
    """The density of each layer's output, one panel per activation layer.

    This is the picture of the weight-initialization slides: with a bad initialization the
    activations of deeper layers collapse to 0 (or saturate at +-1); with Xavier/He they keep
    the same spread in every layer.

    Each density is drawn as one filled outline (``histtype="stepfilled"``), not as ``bins``
    separate bars: the same picture, drawn several times faster. Given ``axes`` (one per
    activation layer), it draws into them and leaves the figure's title and layout to the caller.
    """
    activations = layer_activations(model, X)
    if not activations:
        raise ValueError("the model has no activation layers to plot (course.activations layers)")
    fig, panels = _new_panels(axes, len(activations), panel_size=(3.0, 2.8))
    for ax, (label, a) in zip(panels, activations, strict=True):
        ax.hist(np.ravel(a), bins=bins, density=True, histtype="stepfilled")
        ax.set(title=label, xlabel="activation value", ylabel="density")
    if axes is None:
        fig.suptitle("Density of each layer's output")
        fig.tight_layout()
    return fig


def plot_activation_function(
    fn: Callable[[np.ndarray], np.ndarray],
    grad_fn: Callable[[np.ndarray], np.ndarray] | None = None,
    ax: Axes | None = None,
    z=None,
    name: str | None = None,
) -> Axes:
    """An activation g(z) and, if ``grad_fn`` is given, its derivative g'(z) on one axes.

    Example: ``plot_activation_function(sigmoid, sigmoid_grad, name="sigmoid")``.
    ``z`` defaults to 400 points in [-5, 5].
    """
    z = np.linspace(-5, 5, 400) if z is None else np.asarray(z, dtype=np.float64)
    name = name or getattr(fn, "__name__", "g")
    ax = _new_axes(ax)
    ax.plot(z, fn(z), label=f"{name}(z)")
    if grad_fn is not None:
        ax.plot(z, grad_fn(z), linestyle="--", label=f"{name}'(z)")
        ax.legend()
    ax.axhline(0, color="gray", linewidth=0.5)
    ax.axvline(0, color="gray", linewidth=0.5)
    ax.set(title=name, xlabel="z", ylabel="g(z)")
    return ax


def plot_gradient_norms(norms_per_layer, ax: Axes | None = None, log_scale: bool = True) -> Axes:
    r"""The gradient norm ||dJ/dW^{[l]}|| of each layer l = 1..L (vanishing/exploding gradients).

    Args:
        norms_per_layer: one norm per layer (a bar per layer), or ``{label: norms}`` to compare
            several networks (a line per network), e.g. ``{"sigmoid": [...], "relu": [...]}``.
        log_scale: a logarithmic y axis: vanishing gradients shrink by orders of magnitude.
    """
    ax = _new_axes(ax)
    if isinstance(norms_per_layer, Mapping):
        for label, norms in norms_per_layer.items():
            layers = np.arange(1, len(norms) + 1)
            ax.plot(layers, norms, marker="o", label=label)
        ax.legend()
    else:
        norms = np.asarray(norms_per_layer, dtype=np.float64).ravel()
        ax.bar(np.arange(1, len(norms) + 1), norms)
    if log_scale:
        ax.set_yscale("log")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set(
        title="Gradient norm per layer",
        xlabel="layer l",
        ylabel=r"$\|\partial J/\partial W^{[l]}\|$",
    )
    return ax


def plot_losses_per_step(curves, ax: Axes, **legend_options) -> Axes:
    r"""$J(\theta_t) - J_{\min}$ per step t of each curve, on a logarithmic y axis.

    Args:
        curves: ``(label, losses, line_options)`` triples: the losses of one run per step, and
            the keyword arguments of its ``ax.plot`` line (colour, markers).
        legend_options: extra keyword arguments of the legend (``fontsize="small"``).

    Losses of exactly 0 (the path sits on the minimum) are drawn at 1e-16 so that the log scale
    can show them.
    """
    for label, losses, line_options in curves:
        shown = np.maximum(losses, 1e-16)
        ax.plot(np.arange(len(shown)), shown, label=label, **line_options)
    ax.set_yscale("log")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set(
        title="Loss per step",
        xlabel="step t",
        ylabel=r"$J(\theta_t) - J_{\min}$ (log scale)",
    )
    ax.legend(loc="best", **legend_options)
    return ax


def plot_computation_graph(value) -> Figure:
    """The computation graph that produced an autograd ``Value``: ``autograd.draw_graph(value)``."""
    return draw_graph(value)


def plot_weight_matrix(W, ax: Axes | None = None, title: str = "Weight matrix") -> Axes:
    """A weight matrix as an image: W_{ij} (row i = input neuron, column j = output neuron).

    The colour scale is centred at 0 (blue negative, red positive). Accepts an array or a
    ``Parameter``.
    """
    W = np.asarray(getattr(W, "data", W), dtype=np.float64)
    if W.ndim != 2:
        raise ValueError(f"plot_weight_matrix needs a 2-D matrix, got shape {W.shape}")
    ax = _new_axes(ax)
    limit = float(np.max(np.abs(W))) or 1.0
    image = ax.imshow(W, cmap="coolwarm", vmin=-limit, vmax=limit, aspect="auto")
    ax.figure.colorbar(image, ax=ax, label="$W_{ij}$")
    ax.set(title=title, xlabel="output neuron j", ylabel="input neuron i")
    return ax


def plot_digits(
    X, y=None, n: int = 16, image_shape: tuple[int, int] = (8, 8), predicted=None
) -> Figure:
    """The first ``n`` images of ``X`` (rows of flattened pixels) in a grid, titled by label.

    With ``predicted`` the titles read "true 3, pred 5" (in red where they differ).
    """
    X = np.asarray(X)
    n = min(n, len(X))
    if X.ndim != 2 or X.shape[1] != image_shape[0] * image_shape[1]:
        raise ValueError(
            f"X must have shape (n, {image_shape[0] * image_shape[1]}) for images of shape "
            f"{image_shape}, got {X.shape}"
        )
    columns = math.ceil(math.sqrt(n))
    rows = math.ceil(n / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(1.4 * columns, 1.6 * rows), squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(X[i].reshape(image_shape), cmap="gray_r")
        if y is not None and predicted is not None:
            wrong = predicted[i] != y[i]
            ax.set_title(
                f"true {y[i]}, pred {predicted[i]}", color="red" if wrong else "black", fontsize=8
            )
        elif y is not None:
            ax.set_title(f"label {y[i]}", fontsize=8)
    fig.suptitle("Digits")
    fig.tight_layout()
    return fig
