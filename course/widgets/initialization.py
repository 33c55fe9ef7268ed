r"""Lecture 10's explorer: how the initializer shapes the activations of a deep network.

Pick an initializer, an activation function and a depth; the explorer builds a deep network
of hidden layers (no training), runs a batch of the digits data through it and draws the
density of every hidden layer's output a^{[l]}, one panel per layer, with its standard
deviation in the panel's title. This is the picture of the "uniform initialization problem"
slide and of the Xavier and He slides:

* ``uniform``, U(-1/sqrt(n^{[l-1]}), 1/sqrt(n^{[l-1]})): Var(W) = 1 / (3 n^{[l-1]}) is three
  times too small, so with tanh the spread shrinks by about 1/sqrt(3) per layer;
* ``normal``, N(0, 0.01^2): far too small, the deep layers are all zero;
* ``xavier_*`` with tanh and ``he_*`` with ReLU keep the spread about the same in every layer
  (the rule Var(z^{[l]}) = n^{[l-1]} Var(W^{[l]}) Var(a^{[l-1]}) with Var(W) = 1 / fan_avg,
  or 2 / fan_in for ReLU, which zeroes half of its inputs);
* ``zeros``: every unit of a layer outputs the same number (symmetry is never broken).

The batch is the first ``batch_size`` training images of :func:`course.data.digits` (our
stand-in for MNIST), standardized feature by feature.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FormatStrFormatter, NullLocator

from course.activations import get_activation
from course.data import digits, standardize
from course.layers import Dense
from course.network import Sequential
from course.plots import layer_activations
from course.rng import make_rng
from course.widgets.base import Explorer, dropdown, int_slider

# (label shown in the picker, name in course.init.INITIALIZERS)
INITIALIZER_CHOICES = [
    ("zeros: W = 0", "zeros"),
    ("normal: N(0, 0.01^2)", "normal"),
    ("uniform: U(-1/sqrt(n), 1/sqrt(n))", "uniform"),
    ("Xavier uniform", "xavier_uniform"),
    ("Xavier normal", "xavier_normal"),
    ("He uniform", "he_uniform"),
    ("He normal", "he_normal"),
]
ACTIVATION_CHOICES = ["tanh", "relu", "sigmoid"]
MAX_DEPTH = 10
PANELS_PER_ROW = 5
BINS = 40


class InitExplorer(Explorer):
    """Per-layer activation densities of a deep untrained network, for a chosen initializer.

    Controls: ``init`` (the initializer), ``activation`` (the hidden layers' activation
    function) and ``depth`` (the number of hidden layers). :meth:`draw` returns a dict with the
    per-layer ``std`` and ``mean`` of the activations, the ``histograms`` it drew
    (``(density, bin_edges)`` per layer) and the panel ``labels``.
    """

    def __init__(
        self,
        init: str = "uniform",
        activation: str = "tanh",
        depth: int = 5,
        units: int = 256,
        seed: int = 0,
        batch_size: int = 512,
    ) -> None:
        names = [name for _, name in INITIALIZER_CHOICES]
        if init not in names:
            raise ValueError(f"init must be one of {names}, got {init!r}")
        if activation not in ACTIVATION_CHOICES:
            raise ValueError(f"activation must be one of {ACTIVATION_CHOICES}, got {activation!r}")
        if isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= MAX_DEPTH:
            raise ValueError(
                f"depth (hidden layers) must be an int in 1..{MAX_DEPTH}, got {depth!r}"
            )
        if isinstance(units, bool) or not isinstance(units, int) or units < 1:
            raise ValueError(
                f"units (neurons per hidden layer) must be a positive int, got {units!r}"
            )
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 2:
            raise ValueError(f"batch_size must be an int >= 2, got {batch_size!r}")
        self.units = units
        self.seed = seed
        X_train = digits().X_train[:batch_size]
        self.X, _, _ = standardize(X_train)  # mean 0, variance 1 per pixel (constant pixels: 0)
        controls = {
            "init": dropdown("initializer", INITIALIZER_CHOICES, init),
            "activation": dropdown("activation function", ACTIVATION_CHOICES, activation),
            "depth": int_slider("hidden layers", depth, 1, MAX_DEPTH),
        }
        super().__init__(
            controls, title="Weight initialization: density of each hidden layer's output",
            figsize=_figsize(depth),
        )

    def build_network(self, init: str, activation: str, depth: int) -> Sequential:
        """``depth`` hidden layers Dense(n^{[l-1]}, units, init) + activation, seeded by seed."""
        rng = make_rng(self.seed)
        layers = []
        fan_in = self.X.shape[1]
        for _ in range(depth):
            layers += [Dense(fan_in, self.units, init=init, rng=rng), get_activation(activation)]
            fan_in = self.units
        return Sequential(*layers)

    def draw(self, figure: Figure, init: str, activation: str, depth: int) -> dict:
        """One panel per hidden layer: the density of a^{[l]} on the batch, its std in the title.

        All panels share one x range (tanh: [-1, 1], sigmoid: [0, 1], ReLU: [0, the largest
        layer's 99th percentile]), so a spread that shrinks with depth is visible at a glance.
        """
        model = self.build_network(init, activation, depth)
        activations = [a for _, a in layer_activations(model, self.X)]
        value_range = _histogram_range(activation, activations)
        figure.set_size_inches(*_figsize(depth))
        rows = math.ceil(depth / PANELS_PER_ROW)
        columns = min(depth, PANELS_PER_ROW)
        result = {"init": init, "activation": activation, "depth": depth,
                  "std": [], "mean": [], "histograms": [], "labels": []}
        for index, a in enumerate(activations):
            values = np.ravel(a)
            std, mean = float(values.std()), float(values.mean())
            density, edges = np.histogram(values, bins=BINS, range=value_range, density=True)
            ax = figure.add_subplot(rows, columns, index + 1)
            ax.stairs(density, edges, fill=True, alpha=0.8)
            label = f"layer {index + 1} ({activation}), std {std:.3g}"
            # plain-text labels: mathtext ($...$) is parsed anew at every redraw, a cost here
            ax.set(title=label, xlabel=f"a^[{index + 1}]", ylabel="density", xlim=value_range)
            ax.title.set_fontsize(9)
            ax.locator_params(axis="x", nbins=4)  # few tick labels: text layout costs time
            if activation == "relu":
                # half of a ReLU layer's outputs are exactly 0: a log scale shows that spike
                # and the spread of the positive outputs in one picture
                ax.set_yscale("log")
                ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
                ax.yaxis.set_minor_locator(NullLocator())
            result["std"].append(std)
            result["mean"].append(mean)
            result["histograms"].append((density, edges))
            result["labels"].append(label)
        figure.suptitle(
            f"init={init}, activation={activation}: {depth} hidden layers of {self.units} "
            f"units, a batch of {len(self.X)} digits"
        )
        # fixed margins instead of tight_layout (which lays every text out once more)
        figure.subplots_adjust(left=0.06, right=0.98, bottom=0.16 / rows, top=1 - 0.2 / rows,
                               wspace=0.35, hspace=0.55)
        return result


def _figsize(depth: int) -> tuple[float, float]:
    rows = math.ceil(depth / PANELS_PER_ROW)
    return (12.0, 0.5 + 2.6 * rows)


def _histogram_range(activation: str, activations: list[np.ndarray]) -> tuple[float, float]:
    """The same x range in every panel, so that shrinking spreads are visible at a glance."""
    if activation == "tanh":
        return (-1.0, 1.0)
    if activation == "sigmoid":
        return (0.0, 1.0)
    # relu: from 0 to the largest layer's 99th percentile (a few huge outputs would squeeze the
    # rest of the picture into the first bins)
    largest = max(float(np.percentile(a, 99)) for a in activations)
    return (0.0, largest if largest > 0 else 1.0)


def init_explorer(
    init: str = "uniform",
    activation: str = "tanh",
    depth: int = 5,
    units: int = 256,
    seed: int = 0,
) -> InitExplorer:
    """The initializer explorer of lecture 10 (display it as the last expression of a cell).

    Args:
        init: the starting initializer: ``"zeros"``, ``"normal"`` (N(0, 0.01^2)), ``"uniform"``
            (U(-1/sqrt(n^{[l-1]}), 1/sqrt(n^{[l-1]}))), ``"xavier_uniform"``,
            ``"xavier_normal"``, ``"he_uniform"`` or ``"he_normal"``.
        activation: ``"tanh"``, ``"relu"`` or ``"sigmoid"``.
        depth: the number of hidden layers, 1 to 10.
        units: the neurons n^{[l]} of every hidden layer.
        seed: the seed of the weights (the same seed gives the same network).
    """
    return InitExplorer(init=init, activation=activation, depth=depth, units=units, seed=seed)
