r"""Lecture 8's dropout explorer: how the dropout rate changes overfitting.

A network much larger than its data (a 2-64-64-2 MLP for 40 noisy "moons" points) learns the
training set by heart when it is trained long: the training loss goes to zero while the
validation loss climbs, and the decision boundary wiggles around single noisy points. Dropout
(slides: "Dropout: Training Time") sets each hidden neuron to zero with probability ``rate`` in
every forward pass, so no neuron can rely on a few others; the student moves the **dropout rate**
slider and sees

* left: the training loss (measured with dropout on, as it is trained) and the validation loss
  (measured in eval mode, without dropout) per epoch;
* right: the decision boundary with the training points, titled with the final training and
  validation accuracy.

The network is::

    Dense(2, 64) -> ReLU -> Dropout(rate) -> Dense(64, 64) -> ReLU -> Dropout(rate) -> Dense(64, 2)

trained with Adam on the softmax cross-entropy, one full batch per epoch. The data depend only on
the seed and are made once (cached); each rate's trained result is kept too, so moving the slider
back to a rate already seen redraws at once. The same seed gives the same pictures. With seed 0
the data, the initial weights, the masks and the shuffling are those of lecture 8's network
(``big_mlp`` and ``train``), so ``dropout_explorer(epochs=300)`` at rate 0.5 draws the lecture's
run with dropout 0.5.
"""

from __future__ import annotations

import functools
from numbers import Integral, Real

import numpy as np
from matplotlib.figure import Figure

from course.activations import ReLU
from course.data import moons
from course.layers import Dense, Dropout
from course.losses import SoftmaxCrossEntropy
from course.network import Sequential
from course.optim import Adam
from course.plots import plot_decision_boundary
from course.train import History, evaluate, fit
from course.widgets.base import Explorer, float_slider, one_blas_thread

TRAIN_SIZE = 40  # few points: a 2-64-64-2 network (4,482 parameters) overfits them
VALIDATION_SIZE = 400
NOISE = 0.35  # standard deviation of the jitter around the two half-moons
HIDDEN_UNITS = 64
LEARNING_RATE = 0.01
DEFAULT_EPOCHS = 200  # about 0.2 s of training on a 2-core laptop
MAX_DROPOUT_RATE = 0.9
BOUNDARY_RESOLUTION = 120  # grid points per axis of the decision-boundary picture
PROGRESS_EVERY = 10  # epochs between two progress reports


@functools.lru_cache(maxsize=8)
def noisy_moons(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The explorer's data for ``seed``: (X_train, y_train, X_val, y_val), made once per seed.

    Two noisy half-moons (:func:`course.data.moons` with noise ``NOISE``): ``TRAIN_SIZE``
    training points drawn with ``rng=seed`` and a separate validation set of
    ``VALIDATION_SIZE`` points drawn from the same distribution with ``rng=seed + 1``. For seed 0
    these are lecture 8's data (``moons(40, noise=0.35, rng=0)`` and
    ``moons(400, noise=0.35, rng=1)``). The arrays are read-only, since the cache shares them.
    """
    X_train, y_train = moons(TRAIN_SIZE, noise=NOISE, rng=seed)
    X_val, y_val = moons(VALIDATION_SIZE, noise=NOISE, rng=seed + 1)
    arrays = (X_train, y_train, X_val, y_val)
    for array in arrays:
        array.setflags(write=False)
    return arrays


def dropout_network(dropout_rate: float, seed: int) -> Sequential:
    """The 2-64-64-2 ReLU network with a Dropout(``dropout_rate``) after each hidden layer.

    The same seed gives the same initial weights for every rate, so two rates differ only by
    dropout.
    """
    return Sequential(
        Dense(2, HIDDEN_UNITS, rng=seed),
        ReLU(),
        Dropout(dropout_rate, rng=seed + 10),
        Dense(HIDDEN_UNITS, HIDDEN_UNITS, rng=seed + 1),
        ReLU(),
        Dropout(dropout_rate, rng=seed + 11),
        Dense(HIDDEN_UNITS, 2, rng=seed + 2),
    )


class DropoutExplorer(Explorer):
    """A "dropout rate" slider (0 to 0.9) that retrains the network and redraws.

    Build it with :func:`dropout_explorer`. ``result`` (what :meth:`draw` returned last) is a
    dict with ``dropout_rate``, ``epochs``, ``train_loss`` and ``val_loss`` (one value per
    epoch, as plotted), ``best_epoch`` (1-based epoch of the lowest validation loss),
    ``train_accuracy`` and ``val_accuracy`` (final, in eval mode) and ``boundary_labels`` (the
    predicted class at every grid point of the decision-boundary picture).
    """

    def __init__(
        self, dropout_rate: float = 0.5, seed: int = 0, epochs: int = DEFAULT_EPOCHS
    ) -> None:
        self.seed = _check_int("seed", seed, minimum=0)
        self.epochs = _check_int("epochs", epochs, minimum=1)
        dropout_rate = _check_dropout_rate(dropout_rate)
        self.loss = SoftmaxCrossEntropy()
        self.data = noisy_moons(self.seed)
        self._trained: dict[float, tuple[Sequential, History]] = {}  # rate -> trained result
        controls = {
            "dropout_rate": float_slider(
                "dropout rate", dropout_rate, 0.0, MAX_DROPOUT_RATE, 0.05
            ),
        }
        super().__init__(
            controls,
            title=f"Dropout against overfitting (2-64-64-2 MLP, {TRAIN_SIZE} noisy moons points)",
        )

    def train_network(self, dropout_rate: float) -> tuple[Sequential, History]:
        """Train a fresh network with this dropout rate (or return the one trained before)."""
        key = round(float(dropout_rate), 6)
        if key not in self._trained:
            X_train, y_train, X_val, y_val = self.data
            model = dropout_network(key, self.seed)
            history = fit(
                model, self.loss, Adam(model.parameters(), lr=LEARNING_RATE),
                X_train, y_train, epochs=self.epochs, batch_size=len(X_train),
                X_val=X_val, y_val=y_val, callbacks=[self._show_progress],
                progress=False, rng=self.seed,
            )
            self._trained[key] = (model, history)
        return self._trained[key]

    def draw(self, figure: Figure, dropout_rate: float) -> dict:
        X_train, y_train, X_val, y_val = self.data
        loss_ax, boundary_ax = figure.subplots(1, 2)
        predicted = {}

        def predict(points: np.ndarray) -> np.ndarray:
            # the model's labels for the picture's grid, kept so that draw can return them
            predicted["labels"] = model.predict(points)
            return predicted["labels"]

        with one_blas_thread():
            model, history = self.train_network(dropout_rate)
            _, train_accuracy = evaluate(model, self.loss, X_train, y_train)  # dropout off
            _, val_accuracy = evaluate(model, self.loss, X_val, y_val)
            plot_decision_boundary(
                predict, X_train, y_train, ax=boundary_ax, resolution=BOUNDARY_RESOLUTION,
                title=f"train accuracy {train_accuracy:.2f}, "
                f"validation accuracy {val_accuracy:.2f}",
            )

        best = int(np.argmin(history.val_loss))
        loss_ax.plot(history.epoch, history.train_loss, label="training loss (dropout on)")
        loss_ax.plot(history.epoch, history.val_loss, label="validation loss")
        loss_ax.plot(
            history.epoch[best], history.val_loss[best], "o", color="black",
            label=f"lowest validation loss (epoch {history.epoch[best]})",
        )
        loss_ax.set(
            title=f"Loss per epoch, dropout rate {dropout_rate:.2f}",
            xlabel="epoch", ylabel="cross-entropy loss",
        )
        loss_ax.legend()
        figure.tight_layout()
        return {
            "dropout_rate": float(dropout_rate),
            "epochs": history.epochs,
            "train_loss": list(history.train_loss),
            "val_loss": list(history.val_loss),
            "best_epoch": history.epoch[best],
            "train_accuracy": train_accuracy,
            "val_accuracy": val_accuracy,
            "boundary_labels": predicted["labels"],
        }

    def _show_progress(self, history: History, model: Sequential) -> bool:
        """fit's callback after each epoch: report progress every few epochs; never stop."""
        epoch = history.epochs
        if epoch % PROGRESS_EVERY == 0 or epoch == self.epochs:
            self.report_progress(epoch / self.epochs, f"training epoch {epoch}/{self.epochs}")
        return False


def dropout_explorer(
    dropout_rate: float = 0.5, seed: int = 0, epochs: int = DEFAULT_EPOCHS
) -> DropoutExplorer:
    """A slider for the dropout rate that retrains a small overfitting network and redraws.

    Args:
        dropout_rate: the starting dropout rate, in [0, 0.9] (0 = no dropout).
        seed: seeds the data, the initial weights, the dropout masks and the shuffling; the
            same seed gives the same result.
        epochs: full-batch epochs per training run (the default answers in well under a
            second).

    Returns:
        The :class:`DropoutExplorer`; display it as the last expression of a notebook cell.
    """
    return DropoutExplorer(dropout_rate=dropout_rate, seed=seed, epochs=epochs)



def _check_dropout_rate(value) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"dropout_rate must be a number in [0, 0.9], got {type(value).__name__}")
    if not 0.0 <= value <= MAX_DROPOUT_RATE:
        raise ValueError(
            f"dropout_rate must be in [0, {MAX_DROPOUT_RATE}] (the slider's range), got {value}"
        )
    return float(value)


def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)
