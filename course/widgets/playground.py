r"""A small TensorFlow Playground: train an MLP on a 2-D toy set and watch its decision boundary.

Lecture 3 (multilayer perceptrons). Pick a data set, the number of hidden layers and of units
per layer, the activation sigma^{[l]}, the learning rate eta, the L2 strength lambda and the
dropout rate; the playground builds the network

    o = a^{[L]} = b^{[L]} + W^{[L]T} sigma^{[L-1]}( ... sigma^{[1]}(b^{[1]} + W^{[1]T} x) ... )

whose one output o is the logit of P(class 1 | x) = sigmoid(o) (the last layer has no activation:
the sigmoid is inside the loss, which is more stable). The weights start from Xavier
initialization for tanh, sigmoid and linear activations and from He initialization for ReLU and
leaky ReLU (lecture 10), the biases from 0. It trains the network from scratch with
Adam on mini-batches of 20 samples, minimizing the binary cross-entropy (plus lambda sum W^2 when
L2 is on). While it trains, the picture is redrawn every quarter of the epochs, so the boundary
can be seen forming:

* left: P(class 1 | x) over the plane (blue = class 0, orange = class 1, white in between: the
  colours of the static plots, :func:`course.plots.plot_decision_boundary`), the decision boundary
  P = 0.5 as a black line, the training points (circles) and the test points (triangles), with
  the train and test accuracy in the title;
* right: the training and test loss per epoch.

The "train ... more epochs" button continues training the same network from where it is.

Example (in a notebook cell)::

    from course.widgets import mlp_playground
    mlp_playground(dataset="xor", activation="relu")

Everything is seeded: the data sets always use the same points, and ``seed`` fixes the initial
weights, the dropout masks and the order of the mini-batches. :func:`run_playground` makes the
same training run without a panel or a picture (for a lecture to check what a setting does).
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import ipywidgets as widgets
import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

from course import data
from course.activations import get_activation, sigmoid
from course.layers import Dense, Dropout
from course.losses import BinaryCrossEntropy
from course.network import Sequential
from course.optim import Adam
from course.train import History, evaluate, fit
from course.widgets.base import (
    Explorer,
    dropdown,
    figure_png,
    float_slider,
    int_slider,
    log_slider,
    one_blas_thread,
)

# (label shown in the picker, name): the 2-D data sets, all with two classes.
DATASETS = [
    ("circles", "circles"),
    ("XOR", "xor"),
    ("moons", "moons"),
    ("spirals", "spirals"),
    ("Gaussian blobs", "gaussian_blobs"),
]
ACTIVATIONS = [
    ("tanh", "tanh"),
    ("ReLU", "relu"),
    ("sigmoid", "sigmoid"),
    ("leaky ReLU", "leaky_relu"),
    ("linear (no activation)", "linear"),
]
N_SAMPLES = 200  # points per data set ...
TRAIN_FRACTION = 0.7  # ... of which 140 train the network and 60 test it
DATA_SEED = 0  # the data sets never change: only the network does
BATCH_SIZE = 20
REDRAWS = 4  # pictures per training run (every quarter of the epochs)
GRID_RESOLUTION = 80  # the boundary is evaluated on an 80 x 80 grid

# The class colours of every static plot of the course (matplotlib's first two tab10 colours, as
# in course.plots.plot_decision_boundary): blue for class 0, orange for class 1, white in between.
CLASS_COLORS = ("tab:blue", "tab:orange")
LOSS_COLORS = ("tab:purple", "tab:green")  # the train and test losses: not the classes' colours
PROBABILITY_CMAP = LinearSegmentedColormap.from_list(
    "playground", [CLASS_COLORS[0], "#ffffff", CLASS_COLORS[1]]
)


# The initialization for each activation (lecture 10): He for the ReLU family, Xavier otherwise.
HE_ACTIVATIONS = ("relu", "leaky_relu")


def initializer_for(activation: str) -> str:
    """The name of the initializer the playground uses with ``activation``.

    ``"he_normal"`` (Var(W) = 2 / fan_in) for ReLU and leaky ReLU, which zero (or nearly zero) half
    of their inputs; ``"xavier_normal"`` (Var(W) = 1 / fan_avg) for tanh, sigmoid and linear
    units, which are about linear near 0, the case Xavier initialization is derived for.
    """
    return "he_normal" if activation in HE_ACTIVATIONS else "xavier_normal"


def make_dataset(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The 200 points ``(X, y)`` of a data set by name, always the same (seed ``DATA_SEED``).

    All have two classes. "spirals" takes the four arms of :func:`course.data.spirals` and puts
    alternate arms in the same class, so the two classes wind around each other (as in
    TensorFlow Playground); two arms alone are an easy S shape.
    """
    if name == "circles":
        return data.circles(N_SAMPLES, noise=0.1, factor=0.5, rng=DATA_SEED)
    if name == "xor":
        return data.xor(N_SAMPLES, noise=0.35, rng=DATA_SEED)
    if name == "moons":
        return data.moons(N_SAMPLES, noise=0.15, rng=DATA_SEED)
    if name == "spirals":  # four arms, alternately class 0 and class 1
        X, arm = data.spirals(N_SAMPLES, classes=4, noise=0.2, rng=DATA_SEED)
        return X, arm % 2
    if name == "gaussian_blobs":
        centers = np.array([[-1.0, -1.0], [1.0, 1.0]])
        return data.gaussian_blobs(N_SAMPLES, centers=centers, std=0.6, rng=DATA_SEED)
    names = [value for _, value in DATASETS]
    raise ValueError(f"unknown data set {name!r}; choose one of {names}")


def split_dataset(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, y_train, X_test, y_test) of a data set: its first 70% train, the rest test.

    The generators return the points in a random order, so the split is a random one.
    """
    X, y = make_dataset(name)
    n_train = int(TRAIN_FRACTION * len(X))
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def build_network(hidden_layers: int, units: int, activation: str, dropout: float,
                  seed: int) -> Sequential:
    """2 inputs -> ``hidden_layers`` x (Dense, activation[, Dropout]) -> 1 output (a logit).

    Every Dense layer, the output layer included, starts from :func:`initializer_for`
    ``(activation)``; layer ``l`` (from 0) is seeded with ``seed + l``, its dropout with
    ``seed + 100 + l``.
    """
    init = initializer_for(activation)
    layers = []
    fan_in = 2
    for layer in range(hidden_layers):
        layers.append(Dense(fan_in, units, init=init, rng=seed + layer))
        layers.append(get_activation(activation))
        if dropout > 0:
            layers.append(Dropout(dropout, rng=seed + 100 + layer))
        fan_in = units
    layers.append(Dense(fan_in, 1, init=init, rng=seed + hidden_layers))
    return Sequential(*layers)


def train_network(model: Sequential, loss: BinaryCrossEntropy, optimizer: Adam,
                  split: tuple[np.ndarray, ...], epochs: int, l2: float,
                  rng: np.random.Generator, callbacks: Iterable = ()) -> History:
    """Train ``model`` for ``epochs`` epochs on mini-batches of ``BATCH_SIZE``, as the panel does.

    ``split`` is :func:`split_dataset`'s (X_train, y_train, X_test, y_test); the test points
    are the validation set of :func:`course.train.fit`, so the returned ``History`` has the
    training loss (``train_loss``) and the test loss (``val_loss``) of every epoch.
    """
    X_train, y_train, X_test, y_test = split
    return fit(model, loss, optimizer, X_train, y_train, epochs=epochs, batch_size=BATCH_SIZE,
               X_val=X_test, y_val=y_test, callbacks=list(callbacks), progress=False, rng=rng,
               l2=l2)


def run_playground(
    dataset: str = "circles",
    hidden_layers: int = 1,
    units: int = 8,
    activation: str = "tanh",
    learning_rate: float = 0.03,
    l2: float = 0.0,
    dropout: float = 0.0,
    epochs: int = 200,
    seed: int = 0,
) -> dict:
    """The training run the playground makes for these settings, without a panel or a picture.

    The same network, initial weights, mini-batches and epochs as :func:`mlp_playground` with
    the same arguments, so the losses and accuracies are the ones the panel shows.

    Returns:
        A dict with ``layer_sizes``, ``train_loss`` and ``test_loss`` (one per epoch),
        ``train_accuracy``, ``test_accuracy`` (after the last epoch) and the trained ``model``.
    """
    split = split_dataset(dataset)
    model = build_network(hidden_layers, units, activation, dropout, seed)
    loss = BinaryCrossEntropy(from_logits=True)
    X_train, y_train, X_test, y_test = split
    with one_blas_thread():  # as the panel computes (Explorer.update)
        history = train_network(model, loss, Adam(model.parameters(), lr=learning_rate), split,
                                epochs, l2, np.random.default_rng(seed))
        _, train_accuracy = evaluate(model, loss, X_train, y_train)
        _, test_accuracy = evaluate(model, loss, X_test, y_test)
    return {
        "layer_sizes": [2] + [layer.out_features for layer in model if isinstance(layer, Dense)],
        "train_loss": list(history.train_loss),
        "test_loss": list(history.val_loss),
        "train_accuracy": train_accuracy,
        "test_accuracy": test_accuracy,
        "model": model,
    }


def _check_range(name: str, value, low: float, high: float, integer: bool = False) -> None:
    """Raise a clear error unless ``value`` is a number (an int if ``integer``) in [low, high]."""
    allowed = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    if isinstance(value, bool) or not isinstance(value, allowed):
        expected = "an int" if integer else "a number"
        raise TypeError(f"{name} must be {expected}, got {value!r} ({type(value).__name__})")
    if not low <= value <= high:
        raise ValueError(
            f"{name} must be between {low} and {high} (the range of its slider), got {value}"
        )


class MLPPlayground(Explorer):
    """Controls for the network and the training; a figure with its boundary and its losses.

    Attributes (besides :class:`~course.widgets.base.Explorer`'s):
        model: the network trained last (a :class:`~course.network.Sequential`).
        train_loss, test_loss: the losses per epoch of the current network (train: the data
            loss averaged over the epoch's batches, with dropout active; test: after the epoch,
            in evaluation mode).
        epochs: how many epochs one training run (or one click of "train more") lasts.
        train_more_button: the button that continues training the current network.
    """

    def __init__(
        self,
        dataset: str = "circles",
        hidden_layers: int = 1,
        units: int = 8,
        activation: str = "tanh",
        learning_rate: float = 0.03,
        l2: float = 0.0,
        dropout: float = 0.0,
        epochs: int = 200,
        seed: int = 0,
    ) -> None:
        make_dataset(dataset)  # raises a clear error for an unknown name
        activations = [value for _, value in ACTIVATIONS]
        if activation not in activations:
            raise ValueError(f"unknown activation {activation!r}; choose one of {activations}")
        _check_range("hidden_layers", hidden_layers, 1, 3, integer=True)
        _check_range("units", units, 2, 32, integer=True)
        _check_range("learning_rate", learning_rate, 1e-4, 1.0)
        _check_range("l2", l2, 0.0, 0.1)
        _check_range("dropout", dropout, 0.0, 0.5)
        _check_range("epochs", epochs, 1, 10_000, integer=True)
        _check_range("seed", seed, 0, 2**32 - 1, integer=True)

        self.epochs = int(epochs)
        self.seed = int(seed)
        self.loss = BinaryCrossEntropy(from_logits=True)
        self.train_loss: list[float] = []
        self.test_loss: list[float] = []
        self._split_cache: dict[str, tuple[np.ndarray, ...]] = {}
        controls = {
            "dataset": dropdown("data set", DATASETS, dataset),
            "hidden_layers": int_slider("hidden layers", hidden_layers, 1, 3),
            "units": int_slider("units per hidden layer", units, 2, 32),
            "activation": dropdown("activation", ACTIVATIONS, activation),
            "learning_rate": log_slider("learning rate (Adam)", learning_rate, -4, 0),
            "l2": float_slider("L2 regularization", l2, 0.0, 0.1, 0.001, readout_format=".3f"),
            "dropout": float_slider("dropout rate", dropout, 0.0, 0.5, 0.05),
        }
        self.train_more_button = widgets.Button(
            description=f"train {self.epochs} more epochs",
            tooltip="continue training the current network from where it is",
        )
        self.train_more_button.on_click(lambda _button: self.train_more())
        super().__init__(controls, title="MLP playground", figsize=(10, 4))
        header, control_box, *rest = self.children
        self.children = (header, control_box, self.train_more_button, *rest)

    # -- the Explorer hook: a control changed --------------------------------------------
    def draw(self, figure: Figure, dataset, hidden_layers, units, activation, learning_rate,
             l2, dropout) -> dict:
        """Build a new network for these control values, train it, and draw the result."""
        self.X_train, self.y_train, self.X_test, self.y_test = self.split(dataset)
        self.model = self.build_model(hidden_layers, units, activation, dropout)
        self.optimizer = Adam(self.model.parameters(), lr=learning_rate)
        self.l2 = l2
        self.shuffle_rng = np.random.default_rng(self.seed)  # the order of the mini-batches
        self.train_loss, self.test_loss = [], []
        self.train(self.epochs)
        return self.plot(figure)

    # -- the three steps: build, train, plot ---------------------------------------------
    def split(self, dataset: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """:func:`split_dataset`, cached: the data do not depend on the other controls."""
        if dataset not in self._split_cache:
            self._split_cache[dataset] = split_dataset(dataset)
        return self._split_cache[dataset]

    def build_model(self, hidden_layers: int, units: int, activation: str,
                    dropout: float) -> Sequential:
        """:func:`build_network` with this playground's seed."""
        return build_network(hidden_layers, units, activation, dropout, self.seed)

    def train(self, epochs: int) -> None:
        """Train the current network for ``epochs`` more epochs, redrawing every quarter."""
        total_epochs = len(self.train_loss) + epochs  # the loss axis shows the whole run
        # The epochs after which to redraw: 1/4, 2/4 and 3/4 of the way (update() draws the end).
        redraw_at = {round(k * epochs / REDRAWS) for k in range(1, REDRAWS)} - {0, epochs}

        def after_epoch(history, model) -> bool:
            self.train_loss.append(history.train_loss[-1])
            self.test_loss.append(history.val_loss[-1])
            done = history.epochs
            if done % 10 == 0:
                self.report_progress(done / epochs, f"training epoch {done}/{epochs}")
            if done in redraw_at:
                self.plot(self.figure, total_epochs)
                self.image.value = figure_png(self.figure, self.dpi)
            return False  # never stop early

        split = (self.X_train, self.y_train, self.X_test, self.y_test)
        train_network(self.model, self.loss, self.optimizer, split, epochs, self.l2,
                      self.shuffle_rng, callbacks=[after_epoch])

    def plot(self, figure: Figure, total_epochs: int | None = None) -> dict:
        """Draw the boundary (left) and the losses (right) of the current network.

        The figure is cleared first. ``total_epochs`` fixes the epoch axis while training (so
        the loss curve grows across it); by default it ends at the last epoch trained.

        Returns the data drawn: the grid and the probability P(class 1 | x) on it, the losses
        per epoch and the accuracies.
        """
        figure.clear()
        grid_x, grid_y, probability = self.probability_grid()
        _, train_accuracy = evaluate(self.model, self.loss, self.X_train, self.y_train)
        _, test_accuracy = evaluate(self.model, self.loss, self.X_test, self.y_test)
        epochs = np.arange(1, len(self.train_loss) + 1)
        boundary_ax, loss_ax = figure.subplots(1, 2)

        boundary_ax.imshow(probability, origin="lower", cmap=PROBABILITY_CMAP, vmin=0, vmax=1,
                           extent=(grid_x[0], grid_x[-1], grid_y[0], grid_y[-1]),
                           aspect="auto", alpha=0.75)
        if probability.min() < 0.5 < probability.max():  # else there is no boundary to draw
            boundary_ax.contour(grid_x, grid_y, probability, levels=[0.5], colors="k",
                                linewidths=1)
        for split, X, y, marker in (("train", self.X_train, self.y_train, "o"),
                                    ("test", self.X_test, self.y_test, "^")):
            for label in (0, 1):
                members = y == label
                boundary_ax.scatter(*X[members].T, color=CLASS_COLORS[label], marker=marker,
                                    edgecolor="k", linewidth=0.5, s=22,
                                    label=f"{split}, class {label}")
        boundary_ax.set(title=f"Decision boundary after {len(epochs)} epochs\n"
                              f"train accuracy {train_accuracy:.2f}, "
                              f"test accuracy {test_accuracy:.2f}",
                        xlabel="$x_1$", ylabel="$x_2$")
        boundary_ax.legend(loc="upper right", fontsize="x-small", framealpha=0.8)

        # Not blue and orange: those are the classes' colours.
        loss_ax.plot(epochs, self.train_loss, color=LOSS_COLORS[0], label="train")
        loss_ax.plot(epochs, self.test_loss, color=LOSS_COLORS[1], label="test")
        loss_ax.set_xlim(0, total_epochs or len(epochs))
        loss_ax.set_ylim(bottom=0)
        loss_ax.set(title="Loss per epoch", xlabel="epoch", ylabel="binary cross-entropy")
        loss_ax.legend()
        sizes = [2] + [layer.out_features for layer in self.model if isinstance(layer, Dense)]
        dataset_label = {name: label for label, name in DATASETS}[self.values()["dataset"]]
        figure.suptitle(f"A {'-'.join(map(str, sizes))} MLP on {dataset_label}")
        # Fixed margins: tight_layout would cost a third of the drawing time, at every frame.
        figure.subplots_adjust(left=0.07, right=0.98, bottom=0.13, top=0.78, wspace=0.22)
        return {
            "layer_sizes": sizes,
            "grid_x": grid_x,
            "grid_y": grid_y,
            "probability": probability,
            "epoch": epochs,
            "train_loss": list(self.train_loss),
            "test_loss": list(self.test_loss),
            "train_accuracy": train_accuracy,
            "test_accuracy": test_accuracy,
        }

    def probability_grid(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """P(class 1 | x) = sigmoid(o) on a grid over the data (plus a margin of 0.5)."""
        X = np.vstack([self.X_train, self.X_test])
        low, high = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
        grid_x = np.linspace(low[0], high[0], GRID_RESOLUTION)
        grid_y = np.linspace(low[1], high[1], GRID_RESOLUTION)
        xx, yy = np.meshgrid(grid_x, grid_y)
        logits = self.model.predict_proba(np.column_stack([xx.ravel(), yy.ravel()]))  # o
        probability = sigmoid(logits)
        return grid_x, grid_y, probability.reshape(xx.shape)

    # -- the button ----------------------------------------------------------------------
    def train_more(self) -> None:
        """Continue training the current network for ``epochs`` more epochs, then redraw."""
        started = time.perf_counter()
        self.progress.value = 0.0
        self.train(self.epochs)
        self.result = self.plot(self.figure)
        self.image.value = figure_png(self.figure, self.dpi)
        self.progress.value = 1.0
        self.seconds = time.perf_counter() - started
        self.status.value = f"done in {self.seconds:.2f} s"


def mlp_playground(
    dataset: str = "circles",
    hidden_layers: int = 1,
    units: int = 8,
    activation: str = "tanh",
    learning_rate: float = 0.03,
    l2: float = 0.0,
    dropout: float = 0.0,
    epochs: int = 200,
    seed: int = 0,
) -> MLPPlayground:
    """A TensorFlow-Playground-like panel: an MLP trained live on a 2-D toy set.

    Args:
        dataset: "circles", "xor", "moons", "spirals" or "gaussian_blobs" (200 fixed points,
            140 for training and 60 for testing).
        hidden_layers: the number of hidden layers, 1 to 3.
        units: the units per hidden layer, 2 to 32.
        activation: the hidden layers' activation: "tanh", "relu", "sigmoid", "leaky_relu" or
            "linear" (none: the network is then a linear classifier, whatever its size).
        learning_rate: Adam's learning rate eta, 1e-4 to 1.
        l2: the L2 strength lambda (the penalty lambda sum W^2 on the weight matrices), 0 to 0.1.
        dropout: the dropout rate after each hidden layer, 0 to 0.5 (inverted dropout).
        epochs: the epochs of one training run (and of one click of "train more").
        seed: the seed of the initial weights, the dropout masks and the mini-batch order.

    Returns:
        The :class:`MLPPlayground`; display it as the last expression of a notebook cell.
    """
    return MLPPlayground(dataset=dataset, hidden_layers=hidden_layers, units=units,
                         activation=activation, learning_rate=learning_rate, l2=l2,
                         dropout=dropout, epochs=epochs, seed=seed)
