"""Tests for the MLP playground of lecture 3 (course.widgets.playground).

Independent references used here:
* a network with linear activations is an affine map, so the logit it draws over the plane is
  exactly a plane (checked by least squares on the drawn grid), and no line classifies the two
  concentric circles well;
* L2 regularization shrinks the weights (sum of W^2 smaller than without it);
* the losses that are drawn are the losses the explorer returned, and training lowers them;
* the class colours are those of the static plots (course.plots.plot_decision_boundary, which
  colours class k with matplotlib's k-th tab10 colour), and the weights start from the
  initialization lecture 10 gives for the activation (Xavier for tanh, sigmoid and linear units,
  He for the ReLU family);
* run_playground, the same run without a panel, gives exactly the losses the panel draws.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba

import course.widgets.base
import course.widgets.playground
from course.layers import Dense, Dropout
from course.widgets import mlp_playground
from course.widgets.playground import (
    ACTIVATIONS,
    CLASS_COLORS,
    DATASETS,
    N_SAMPLES,
    PROBABILITY_CMAP,
    REDRAWS,
    MLPPlayground,
    make_dataset,
    run_playground,
)

EPOCHS = 60  # enough to solve circles with 8 tanh units; keeps the file fast


def plotted_lines(playground) -> dict[str, np.ndarray]:
    """The y data of the loss panel's lines, by label."""
    loss_ax = playground.figure.axes[1]
    return {line.get_label(): np.asarray(line.get_ydata()) for line in loss_ax.get_lines()}


def logit(probability: np.ndarray) -> np.ndarray:
    """The inverse of the sigmoid: the network's output o from P(class 1 | x)."""
    with np.errstate(divide="ignore"):
        return np.log(probability / (1 - probability))


@pytest.fixture
def fast_pictures(monkeypatch):
    """Skip the PNG rendering (the slow part) in tests about what is drawn, not how it looks.

    The figure is still drawn; only its conversion to PNG bytes is replaced. The tests without
    this fixture render for real.
    """
    def no_png(figure, dpi=80):
        return b"not rendered"

    monkeypatch.setattr(course.widgets.playground, "figure_png", no_png)
    monkeypatch.setattr(course.widgets.base, "figure_png", no_png)


@pytest.fixture(scope="module")
def circles_tanh() -> MLPPlayground:
    """The default playground (circles, 1 hidden layer of 8 tanh units), left untouched."""
    return mlp_playground(epochs=EPOCHS)


# --------------------------------------------------------------------------------------------
# The panel: controls, figure, response time
# --------------------------------------------------------------------------------------------
def test_controls_have_full_labels_and_sliders_update_on_release(circles_tanh):
    descriptions = {name: control.description for name, control in circles_tanh.controls.items()}
    assert descriptions == {
        "dataset": "data set",
        "hidden_layers": "hidden layers",
        "units": "units per hidden layer",
        "activation": "activation",
        "learning_rate": "learning rate (Adam)",
        "l2": "L2 regularization",
        "dropout": "dropout rate",
    }
    slider_types = (widgets.FloatSlider, widgets.IntSlider, widgets.FloatLogSlider)
    sliders = [c for c in circles_tanh.controls.values() if isinstance(c, slider_types)]
    assert len(sliders) == 5
    for slider in sliders:
        assert slider.continuous_update is False, slider.description
    assert circles_tanh.controls["learning_rate"].min == -4  # a log slider over 1e-4 .. 1
    assert circles_tanh.train_more_button in circles_tanh.children
    assert circles_tanh.train_more_button.description == f"train {EPOCHS} more epochs"


def test_every_axes_is_titled_and_labelled_with_legends(circles_tanh):
    axes = circles_tanh.figure.axes
    assert len(axes) == 2
    for ax in axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        assert ax.get_legend() is not None
    boundary_title = axes[0].get_title()
    result = circles_tanh.result
    assert f"train accuracy {result['train_accuracy']:.2f}" in boundary_title
    assert f"test accuracy {result['test_accuracy']:.2f}" in boundary_title
    assert set(plotted_lines(circles_tanh)) == {"train", "test"}


def test_response_time_is_recorded_and_the_repr_is_stable(circles_tanh):
    assert circles_tanh.seconds > 0  # measured, not asserted: the machine is shared
    assert repr(circles_tanh) == (
        "MLPPlayground(dataset='circles', hidden_layers=1, units=8, activation='tanh', "
        "learning_rate=0.03, l2=0.0, dropout=0.0)"
    )
    assert bytes(circles_tanh.image.value).startswith(b"\x89PNG")


# --------------------------------------------------------------------------------------------
# Training: the drawn data are right and change with the controls
# --------------------------------------------------------------------------------------------
def test_drawn_losses_are_the_returned_ones_and_training_lowers_them(circles_tanh):
    result = circles_tanh.result
    lines = plotted_lines(circles_tanh)
    np.testing.assert_array_equal(lines["train"], result["train_loss"])
    np.testing.assert_array_equal(lines["test"], result["test_loss"])
    assert len(result["train_loss"]) == EPOCHS
    # binary cross-entropy starts near log 2 = 0.69 for an untrained net and ends far below
    assert result["train_loss"][-1] < 0.3 * result["train_loss"][0]
    assert result["test_loss"][-1] < 0.3 * result["test_loss"][0]
    assert result["train_accuracy"] > 0.95 and result["test_accuracy"] > 0.9


def test_linear_activation_draws_a_straight_boundary_and_fails_on_circles(
    circles_tanh, fast_pictures
):
    linear = mlp_playground(activation="linear", epochs=EPOCHS)
    result = linear.result
    # The logit of an affine network is a plane over (x_1, x_2): fit one by least squares.
    xx, yy = np.meshgrid(result["grid_x"], result["grid_y"])
    design = np.column_stack([xx.ravel(), yy.ravel(), np.ones(xx.size)])
    z = logit(result["probability"]).ravel()
    coefficients, *_ = np.linalg.lstsq(design, z, rcond=None)
    np.testing.assert_allclose(design @ coefficients, z, atol=1e-6)
    # ... and with tanh it is not a plane (where the probability is not rounded to 0 or 1)
    z_tanh = logit(circles_tanh.result["probability"]).ravel()
    finite = np.isfinite(z_tanh)
    coefficients, *_ = np.linalg.lstsq(design[finite], z_tanh[finite], rcond=None)
    assert np.max(np.abs(design[finite] @ coefficients - z_tanh[finite])) > 1.0
    # A line cannot separate a ring from the disc inside it.
    assert result["test_accuracy"] < 0.75 < circles_tanh.result["test_accuracy"]


def test_class_colours_are_those_of_the_static_plots(circles_tanh):
    tab10 = plt.get_cmap("tab10")
    blue, orange = to_rgba(tab10(0)), to_rgba(tab10(1))  # plot_decision_boundary: class 0, 1
    assert [to_rgba(c) for c in CLASS_COLORS] == [blue, orange]
    # the probability map: P = 0 (class 0) is class 0's colour, P = 1 is class 1's
    np.testing.assert_allclose(PROBABILITY_CMAP(0.0), blue, atol=1e-2)
    np.testing.assert_allclose(PROBABILITY_CMAP(1.0), orange, atol=1e-2)
    # every drawn point has the colour of its class
    points = [c for c in circles_tanh.figure.axes[0].collections if isinstance(c, PathCollection)]
    for collection in points:
        expected = blue if collection.get_label().endswith("class 0") else orange
        np.testing.assert_allclose(collection.get_facecolor()[0], expected)
    # the loss curves use neither class colour
    for line in circles_tanh.figure.axes[1].get_lines():
        assert to_rgba(line.get_color()) not in (blue, orange)


@pytest.mark.parametrize("activation", [value for _, value in ACTIVATIONS])
def test_weights_start_from_the_initialization_for_the_activation(activation):
    expected = "he_normal" if activation in ("relu", "leaky_relu") else "xavier_normal"
    model = run_playground(activation=activation, hidden_layers=2, epochs=1)["model"]
    dense = [layer for layer in model if isinstance(layer, Dense)]
    assert len(dense) == 3
    assert {layer.init for layer in dense} == {expected}


def test_run_playground_is_the_run_the_panel_draws(circles_tanh):
    run = run_playground(epochs=EPOCHS)
    result = circles_tanh.result
    assert run["train_loss"] == result["train_loss"]
    assert run["test_loss"] == result["test_loss"]
    assert run["train_accuracy"] == result["train_accuracy"]
    assert run["test_accuracy"] == result["test_accuracy"]
    assert run["layer_sizes"] == result["layer_sizes"] == [2, 8, 1]


def test_changing_units_or_layers_rebuilds_the_network_and_changes_the_boundary(fast_pictures):
    playground = mlp_playground(epochs=8)
    before = playground.result["probability"]
    assert playground.result["layer_sizes"] == [2, 8, 1]

    playground.controls["units"].value = 3
    assert playground.result["layer_sizes"] == [2, 3, 1]
    assert playground.model[0].W.data.shape == (2, 3)
    assert not np.allclose(playground.result["probability"], before)
    assert "2-3-1" in playground.figure.texts[0].get_text()  # the suptitle names the network

    playground.controls["hidden_layers"].value = 3
    assert playground.result["layer_sizes"] == [2, 3, 3, 3, 1]
    assert [layer.W.data.shape for layer in playground.model if isinstance(layer, Dense)] == [
        (2, 3), (3, 3), (3, 3), (3, 1)]
    assert len(playground.result["train_loss"]) == 8  # retrained from scratch


def test_changing_the_data_set_draws_its_points(fast_pictures):
    playground = mlp_playground(dataset="xor", epochs=4)
    X_xor = playground.X_train
    playground.controls["dataset"].value = "moons"
    X_moons, _ = make_dataset("moons")
    np.testing.assert_array_equal(playground.X_train, X_moons[: len(playground.X_train)])
    assert not np.array_equal(playground.X_train, X_xor)
    drawn = np.vstack([collection.get_offsets() for collection in
                       playground.figure.axes[0].collections
                       if isinstance(collection, PathCollection)])
    assert len(drawn) == N_SAMPLES  # every train and test point, once
    assert "moons" in playground.figure.texts[0].get_text()


def test_l2_shrinks_the_weights_and_dropout_adds_dropout_layers(fast_pictures):
    def squared_weights(playground):
        return sum(float(np.sum(layer.W.data ** 2)) for layer in playground.model
                   if isinstance(layer, Dense))

    plain = mlp_playground(epochs=20)
    regularized = mlp_playground(l2=0.1, epochs=20)
    assert squared_weights(regularized) < 0.5 * squared_weights(plain)
    assert not any(isinstance(layer, Dropout) for layer in plain.model)

    regularized.controls["hidden_layers"].value = 2
    regularized.controls["dropout"].value = 0.3
    dropouts = [layer for layer in regularized.model if isinstance(layer, Dropout)]
    assert [d.rate for d in dropouts] == [0.3, 0.3]


def test_training_redraws_the_picture_during_training():
    playground = mlp_playground(epochs=8)
    images, progress = [], []
    playground.image.observe(lambda change: images.append(bytes(change["new"])), names="value")
    playground.progress.observe(lambda change: progress.append(change["new"]), names="value")
    playground.controls["learning_rate"].value = 0.1
    assert len(images) == REDRAWS  # 3 pictures while training and the final one
    assert len(set(images)) == REDRAWS  # each one different: the boundary moves
    assert progress[-1] == 1.0


def test_train_more_continues_from_where_it_is(fast_pictures):
    playground = mlp_playground(epochs=10)
    first = list(playground.result["train_loss"])
    playground.train_more_button.click()
    after = playground.result["train_loss"]
    assert len(after) == 20
    assert after[:10] == first  # the first epochs are kept, not retrained
    assert np.mean(after[10:]) < np.mean(first)
    assert "after 20 epochs" in playground.figure.axes[0].get_title()
    # a control change starts over
    playground.controls["units"].value = 4
    assert len(playground.result["train_loss"]) == 10


def test_same_arguments_give_the_same_picture_and_the_seed_changes_it(fast_pictures):
    a = mlp_playground(epochs=5, seed=3).result
    b = mlp_playground(epochs=5, seed=3).result
    c = mlp_playground(epochs=5, seed=4).result
    np.testing.assert_array_equal(a["probability"], b["probability"])
    assert a["train_loss"] == b["train_loss"]
    assert not np.allclose(a["probability"], c["probability"])


# --------------------------------------------------------------------------------------------
# Data sets and bad input
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", [value for _, value in DATASETS])
def test_data_sets_are_fixed_two_class_and_two_dimensional(name):
    X, y = make_dataset(name)
    X_again, _ = make_dataset(name)
    assert X.shape == (N_SAMPLES, 2)
    assert set(np.unique(y)) == {0, 1}
    np.testing.assert_array_equal(X, X_again)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"dataset": "iris"}, ValueError, "unknown data set"),
        ({"activation": "softplus"}, ValueError, "unknown activation"),
        ({"hidden_layers": 4}, ValueError, "between 1 and 3"),
        ({"units": 2.5}, TypeError, "units must be an int"),
        ({"learning_rate": 5.0}, ValueError, "learning_rate must be between"),
        ({"dropout": 0.9}, ValueError, "dropout must be between"),
        ({"epochs": 0}, ValueError, "epochs must be between"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        mlp_playground(**kwargs)
