"""The dropout explorer of lecture 8: the slider retrains, and the pictures show the effect."""

import numpy as np
import pytest

from course.activations import ReLU
from course.data import moons
from course.layers import Dense
from course.losses import SoftmaxCrossEntropy
from course.network import Sequential
from course.optim import Adam
from course.train import fit
from course.widgets import dropout_explorer
from course.widgets.dropout import LEARNING_RATE, DropoutExplorer, noisy_moons


def line_data(explorer, label_start: str) -> np.ndarray:
    """The y data of the loss panel's line whose label starts with ``label_start``."""
    loss_ax = explorer.figure.axes[0]
    for line in loss_ax.get_lines():
        if line.get_label().startswith(label_start):
            return np.asarray(line.get_ydata(), dtype=float)
    raise AssertionError(f"no line labelled {label_start!r} in the loss panel")


@pytest.fixture(scope="module")
def runs():
    """One explorer moved from rate 0 to 0.8: what it plotted at each rate."""
    explorer = dropout_explorer(dropout_rate=0.0, seed=0)
    plotted = {}
    for rate in (0.0, 0.8):
        explorer.controls["dropout_rate"].value = rate
        plotted[rate] = {
            "result": explorer.result,
            "train_line": line_data(explorer, "training loss"),
            "val_line": line_data(explorer, "validation loss"),
            "titles": [ax.get_title() for ax in explorer.figure.axes],
        }
    return explorer, plotted


def test_changing_the_rate_changes_the_curves_and_the_boundary(runs):
    _, plotted = runs
    without, with_dropout = plotted[0.0], plotted[0.8]
    assert not np.allclose(without["val_line"], with_dropout["val_line"])
    assert not np.array_equal(
        without["result"]["boundary_labels"], with_dropout["result"]["boundary_labels"]
    )
    assert without["titles"] != with_dropout["titles"]
    # what is drawn is what draw() returned
    np.testing.assert_array_equal(without["val_line"], without["result"]["val_loss"])
    np.testing.assert_array_equal(with_dropout["train_line"], with_dropout["result"]["train_loss"])


def test_dropout_raises_the_training_loss_and_stops_the_overfitting(runs):
    _, plotted = runs
    train_0 = np.mean(plotted[0.0]["train_line"][-20:])
    train_8 = np.mean(plotted[0.8]["train_line"][-20:])
    assert train_8 > 2 * train_0
    # without dropout the network overfits: the validation loss ends far above its minimum
    val_0 = plotted[0.0]["val_line"]
    assert val_0[-1] > 1.5 * val_0.min()
    assert plotted[0.0]["result"]["train_accuracy"] >= 0.95
    # with dropout it ends lower than without
    assert plotted[0.8]["val_line"][-1] < val_0[-1]


def test_rate_zero_is_the_network_without_dropout_layers():
    """Dropout(0) keeps every unit: the curves equal those of a 2-64-64-2 net with no Dropout."""
    epochs = 25
    explorer = dropout_explorer(dropout_rate=0.0, seed=3, epochs=epochs)
    X_train, y_train, X_val, y_val = noisy_moons(3)
    model = Sequential(Dense(2, 64, rng=3), ReLU(), Dense(64, 64, rng=4), ReLU(),
                       Dense(64, 2, rng=5))
    history = fit(model, SoftmaxCrossEntropy(), Adam(model.parameters(), lr=LEARNING_RATE),
                  X_train, y_train, epochs=epochs, batch_size=len(X_train), X_val=X_val,
                  y_val=y_val, progress=False, rng=3)
    np.testing.assert_allclose(explorer.result["val_loss"], history.val_loss, rtol=1e-10)
    np.testing.assert_allclose(explorer.result["train_loss"], history.train_loss, rtol=1e-10)


def test_seed_0_gives_the_data_of_lecture_8():
    """Lecture 8 trains on moons(40, noise=0.35, rng=0) and validates on moons(400, ..., rng=1):
    the explorer's numbers can only match the lecture's if its data are the same."""
    X_train, y_train, X_val, y_val = noisy_moons(0)
    for (X, y), (X_lecture, y_lecture) in [
        ((X_train, y_train), moons(40, noise=0.35, rng=0)),
        ((X_val, y_val), moons(400, noise=0.35, rng=1)),
    ]:
        np.testing.assert_array_equal(X, X_lecture)
        np.testing.assert_array_equal(y, y_lecture)


def test_the_slider_is_labelled_in_full_and_spans_0_to_0_9(runs):
    explorer, _ = runs
    assert list(explorer.controls) == ["dropout_rate"]
    slider = explorer.controls["dropout_rate"]
    assert slider.description == "dropout rate"
    assert slider.min == 0.0 and slider.max == pytest.approx(0.9)
    assert slider.step in (0.05, 0.1)
    assert slider.continuous_update is False


def test_every_axes_is_titled_and_labelled(runs):
    explorer, plotted = runs
    axes = explorer.figure.axes
    assert len(axes) == 2
    for ax in axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        assert ax.get_legend() is not None
    # the boundary panel's title reports the final accuracies
    result = plotted[0.8]["result"]
    title = plotted[0.8]["titles"][1]
    assert f"{result['train_accuracy']:.2f}" in title and f"{result['val_accuracy']:.2f}" in title
    assert "train" in title and "validation" in title


def test_seconds_progress_and_repr(runs):
    explorer, _ = runs
    assert explorer.seconds > 0
    assert explorer.status.value.startswith("done")
    assert explorer.progress.value == 1.0
    assert repr(explorer) == "DropoutExplorer(dropout_rate=0.8)"
    assert isinstance(explorer, DropoutExplorer)


def test_progress_is_reported_while_training():
    explorer = dropout_explorer(dropout_rate=0.2, seed=1, epochs=30)
    seen = []
    explorer.progress.observe(lambda change: seen.append(change["new"]), names="value")
    explorer.controls["dropout_rate"].value = 0.4
    partial = [value for value in seen if 0 < value < 1]
    assert partial == pytest.approx([10 / 30, 20 / 30])
    assert seen[-1] == 1.0


def test_same_seed_same_result_other_seed_other_result():
    first = dropout_explorer(dropout_rate=0.5, seed=2, epochs=20).result
    again = dropout_explorer(dropout_rate=0.5, seed=2, epochs=20).result
    other = dropout_explorer(dropout_rate=0.5, seed=4, epochs=20).result
    np.testing.assert_array_equal(first["train_loss"], again["train_loss"])
    np.testing.assert_array_equal(first["boundary_labels"], again["boundary_labels"])
    assert not np.allclose(first["val_loss"], other["val_loss"])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"dropout_rate": 0.95}, "dropout_rate must be in"),
        ({"dropout_rate": -0.1}, "dropout_rate must be in"),
        ({"epochs": 0}, "epochs must be an int"),
        ({"seed": 1.5}, "seed must be an int"),
    ],
)
def test_bad_arguments_are_refused_clearly(kwargs, message):
    with pytest.raises(ValueError, match=message):
        dropout_explorer(**kwargs)
