"""Tests for course.plots: check what was drawn (line data, regions, panels), not just no error."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from course import plots, surfaces  # noqa: E402
from course.activations import ReLU, Tanh, relu, sigmoid, sigmoid_grad  # noqa: E402
from course.layers import Dense, Dropout  # noqa: E402
from course.losses import SoftmaxCrossEntropy  # noqa: E402
from course.network import Sequential  # noqa: E402
from course.neuron import Perceptron  # noqa: E402
from course.optim import SGD  # noqa: E402
from course.train import History, fit  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures_and_forbid_show(monkeypatch):
    def no_show(*args, **kwargs):
        raise AssertionError("plots must never call plt.show()")

    monkeypatch.setattr(plt, "show", no_show)
    yield
    plt.close("all")


def make_history(with_validation=True, with_accuracy=True, best_epoch=None):
    history = History()
    history.epoch = [1, 2, 3, 4]
    history.train_loss = [1.0, 0.6, 0.4, 0.3]
    history.val_loss = [1.1, 0.8, 0.7, 0.75] if with_validation else []
    history.train_acc = [0.5, 0.7, 0.8, 0.9] if with_accuracy else []
    history.val_acc = [0.45, 0.6, 0.7, 0.68] if with_accuracy and with_validation else []
    history.iteration_loss = [1.2, 0.9, 0.7, 0.6, 0.5, 0.45, 0.35, 0.3]
    history.iterations = 8
    history.epochs = 4
    history.best_epoch = best_epoch
    return history


def lines_by_label(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def assert_titled_and_labelled(ax):
    assert ax.get_title()
    assert ax.get_xlabel()
    assert ax.get_ylabel()


# --------------------------------------------------------------------------------------------
# Decision boundary
# --------------------------------------------------------------------------------------------
def assert_regions_match_predict(ax, predict, classes, n_points=40):
    """Grid points well inside a region (same label all around) lie in that label's band."""
    (contour,) = [c for c in ax.collections if isinstance(c, ContourSet)]
    bands = contour.get_paths()
    assert len(bands) == len(classes)
    rng = np.random.default_rng(0)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    points = rng.uniform([x0, y0], [x1, y1], size=(n_points, 2))
    step = 0.05 * max(x1 - x0, y1 - y0)
    around = np.array([[dx, dy] for dx in (-step, 0, step) for dy in (-step, 0, step)])
    checked = 0
    for point in points:
        labels = np.asarray(predict(point + around)).ravel()
        if np.all(labels == labels[0]):
            band = list(classes).index(labels[0])
            assert bands[band].contains_point(point), (point, labels[0])
            for other, path in enumerate(bands):
                if other != band:
                    assert not path.contains_point(point)
            checked += 1
    assert checked >= n_points // 2


def test_decision_boundary_of_a_three_class_function():
    def predict(X):  # regions: 0 below the line x1 + x2 = 0, 2 where x1 > 1, else 1
        return (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 0] > 1)

    X = np.random.default_rng(0).normal(size=(60, 2))
    y = predict(X)
    ax = plots.plot_decision_boundary(predict, X, y, padding=0.5)

    # the grid covers the data plus the padding
    np.testing.assert_allclose(ax.get_xlim(), [X[:, 0].min() - 0.5, X[:, 0].max() + 0.5])
    np.testing.assert_allclose(ax.get_ylim(), [X[:, 1].min() - 0.5, X[:, 1].max() + 0.5])
    assert_regions_match_predict(ax, predict, classes=[0, 1, 2])
    # one scatter per class with the class's points, and a legend naming the classes
    scatters = [c for c in ax.collections if not isinstance(c, ContourSet)]
    for label, scatter in zip([0, 1, 2], scatters, strict=True):
        np.testing.assert_allclose(scatter.get_offsets(), X[y == label])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["class 0", "class 1", "class 2"]
    assert_titled_and_labelled(ax)


def test_decision_boundary_of_a_perceptron_with_plus_minus_one_labels():
    perceptron = Perceptron(2)
    perceptron.weights = np.array([1.0, -2.0])
    perceptron.bias = 0.5
    X = np.random.default_rng(1).uniform(-3, 3, size=(40, 2))
    y = perceptron.predict(X)
    ax = plots.plot_decision_boundary(perceptron, X, y, title="Perceptron")
    assert ax.get_title() == "Perceptron"
    assert_regions_match_predict(ax, perceptron.predict, classes=[-1, 1])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class -1", "class 1"]


def test_decision_boundary_of_a_network_on_an_existing_axes():
    model = Sequential(Dense(2, 8, rng=0), ReLU(), Dense(8, 3, rng=1))
    X = np.random.default_rng(2).normal(size=(30, 2))
    y = model.predict(X)
    fig, ax = plt.subplots()
    returned = plots.plot_decision_boundary(model, X, y, ax=ax, resolution=80)
    assert returned is ax
    classes = np.unique(
        np.concatenate([y, model.predict(np.random.default_rng(3).normal(size=(2000, 2)) * 3)])
    )
    assert_regions_match_predict(ax, model.predict, classes=classes)


def test_decision_boundary_rejects_bad_inputs():
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        plots.plot_decision_boundary(lambda X: X[:, 0] > 0, np.zeros((5, 3)), np.zeros(5))
    with pytest.raises(TypeError, match="predict"):
        plots.plot_decision_boundary(object(), np.zeros((5, 2)), np.zeros(5))
    with pytest.raises(ValueError, match="one class label per row"):
        plots.plot_decision_boundary(lambda X: np.zeros(3), np.zeros((5, 2)), np.zeros(5))


# --------------------------------------------------------------------------------------------
# Training curves
# --------------------------------------------------------------------------------------------
def test_history_plot_draws_train_and_validation_curves_per_epoch():
    history = make_history(best_epoch=2)
    fig = plots.plot_history(history)
    assert isinstance(fig, Figure)
    loss_ax, acc_ax = fig.axes
    for ax, train, val in (
        (loss_ax, history.train_loss, history.val_loss),
        (acc_ax, history.train_acc, history.val_acc),
    ):
        lines = lines_by_label(ax)
        np.testing.assert_array_equal(lines["train"].get_xdata(), history.epoch)
        np.testing.assert_array_equal(lines["train"].get_ydata(), train)
        np.testing.assert_array_equal(lines["validation"].get_ydata(), val)
        np.testing.assert_array_equal(lines["best epoch"].get_xdata(), [3, 3])
        assert ax.get_xlabel() == "epoch"
        assert_titled_and_labelled(ax)
        assert ax.get_legend() is not None
    assert fig.get_suptitle()


def test_history_of_a_real_training_run():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    model = Sequential(Dense(2, 4, rng=0), ReLU(), Dense(4, 2, rng=1))
    optimizer = SGD(model.parameters(), lr=0.1)
    history = fit(model, SoftmaxCrossEntropy(), optimizer, X, y, 3, 10, X, y, progress=False, rng=0)
    fig = plots.plot_history(history)
    loss_ax, acc_ax = fig.axes
    np.testing.assert_allclose(lines_by_label(loss_ax)["train"].get_ydata(), history.train_loss)
    np.testing.assert_allclose(lines_by_label(acc_ax)["validation"].get_ydata(), history.val_acc)
    ax = plots.plot_iteration_loss(history)
    assert len(ax.get_lines()[0].get_ydata()) == history.iterations == 12


def test_history_without_validation_or_accuracy_has_one_panel_with_one_curve():
    history = make_history(with_validation=False, with_accuracy=False)
    fig = plots.plot_history(history)
    (ax,) = fig.axes
    assert list(lines_by_label(ax)) == ["train"]
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), history.train_loss)


def test_history_with_nan_accuracies_of_a_regression_has_no_accuracy_panel():
    history = make_history()
    history.train_acc = [float("nan")] * 4
    history.val_acc = [float("nan")] * 4
    fig = plots.plot_history(history)
    (ax,) = fig.axes
    np.testing.assert_array_equal(lines_by_label(ax)["validation"].get_ydata(), history.val_loss)


def test_history_plot_on_given_axes_and_bad_metric():
    fig, axes = plt.subplots(1, 2)
    assert plots.plot_history(make_history(), axes=axes) is fig
    assert len(axes[0].get_lines()) >= 2
    with pytest.raises(ValueError, match="metric"):
        plots.plot_history(make_history(), metrics=("f1",))
    with pytest.raises(ValueError, match="needs 2 axes"):
        plots.plot_history(make_history(), axes=[axes[0]])


def test_iteration_loss_and_its_moving_average():
    history = make_history()
    ax = plots.plot_iteration_loss(history, window=2)
    lines = lines_by_label(ax)
    raw = lines["mini-batch loss"]
    np.testing.assert_array_equal(raw.get_xdata(), np.arange(1, 9))
    np.testing.assert_array_equal(raw.get_ydata(), history.iteration_loss)
    average = lines["average of 2"]
    losses = np.array(history.iteration_loss)
    expected = (losses[:-1] + losses[1:]) / 2
    np.testing.assert_allclose(average.get_ydata(), expected)
    np.testing.assert_array_equal(average.get_xdata(), np.arange(2, 9))
    assert ax.get_xlabel() == "iteration"
    assert_titled_and_labelled(ax)


def test_comparing_histories_draws_one_labelled_curve_each():
    first, second = make_history(), make_history()
    second.val_loss = [2.0, 1.5, 1.0, 0.9]
    ax = plots.plot_histories({"SGD": first, "Adam": second}, metric="loss", split="val")
    lines = lines_by_label(ax)
    np.testing.assert_array_equal(lines["SGD"].get_ydata(), first.val_loss)
    np.testing.assert_array_equal(lines["Adam"].get_ydata(), second.val_loss)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["SGD", "Adam"]
    assert_titled_and_labelled(ax)

    ax = plots.plot_histories({"SGD": first}, x="iteration")
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), first.iteration_loss)
    assert ax.get_xlabel() == "iteration"

    ax = plots.plot_histories({"SGD": first}, metric="accuracy")
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), first.train_acc)


def test_comparing_histories_explains_missing_curves():
    no_val = make_history(with_validation=False)
    with pytest.raises(ValueError, match="validation data"):
        plots.plot_histories({"run": no_val}, split="val")
    with pytest.raises(ValueError, match="per iteration"):
        plots.plot_histories({"run": no_val}, metric="accuracy", x="iteration")
    with pytest.raises(ValueError, match="split"):
        plots.plot_histories({"run": no_val}, split="test")


# --------------------------------------------------------------------------------------------
# Loss surfaces
# --------------------------------------------------------------------------------------------
def test_loss_surface_draws_each_path_its_endpoints_and_the_minimum():
    surface = surfaces.rosenbrock()
    paths = {
        "short": np.array([[-1.2, 1.0], [-1.0, 0.9], [-0.5, 0.4]]),
        "long": np.array([[0.0, 2.0], [0.5, 1.0], [0.8, 0.7], [0.9, 0.8]]),
    }
    ax = plots.plot_loss_surface(surface, paths)
    lines = lines_by_label(ax)
    for name, path in paths.items():
        np.testing.assert_array_equal(lines[name].get_xdata(), path[:, 0])
        np.testing.assert_array_equal(lines[name].get_ydata(), path[:, 1])
        colour = lines[name].get_color()
        same_colour = [
            ln for ln in ax.get_lines() if ln.get_color() == colour and ln is not lines[name]
        ]
        endpoints = sorted((tuple(ln.get_xdata()), tuple(ln.get_ydata())) for ln in same_colour)
        expected = sorted([((path[0, 0],), (path[0, 1],)), ((path[-1, 0],), (path[-1, 1],))])
        assert endpoints == expected
    np.testing.assert_array_equal(lines["minimum"].get_xdata(), [1.0])
    np.testing.assert_array_equal(lines["minimum"].get_ydata(), [1.0])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["short", "long", "minimum"]
    assert ax.get_xlim() == surface.xlim and ax.get_ylim() == surface.ylim
    assert "Rosenbrock" in ax.get_title()
    assert_titled_and_labelled(ax)


def test_loss_surface_log_levels_start_just_above_the_minimum():
    surface = surfaces.saddle()  # its minimum value is negative: -1/4
    ax = plots.plot_loss_surface(surface, levels=12)
    (contour,) = [c for c in ax.collections if isinstance(c, ContourSet)]
    levels = contour.levels
    _, _, Z = surface.grid()
    assert len(levels) == 12
    assert surface.min_value < levels[0] < surface.min_value + 1e-3
    assert levels[-1] == pytest.approx(Z.max())
    gaps = np.diff(levels - surface.min_value)
    assert np.all(gaps[1:] > gaps[:-1])  # geometric: the gaps grow
    np.testing.assert_array_equal(lines_by_label(ax)["minimum"].get_ydata(), [1.0, -1.0])


def test_loss_surface_with_a_real_optimizer_path_and_a_bad_path():
    surface = surfaces.quadratic()
    path = surfaces.gradient_descent_path(surface, lr=0.03, steps=20)
    ax = plots.plot_loss_surface(surface, {"GD": path}, log_levels=False)
    np.testing.assert_array_equal(lines_by_label(ax)["GD"].get_xydata(), path)
    with pytest.raises(ValueError, match=r"\(T, 2\)"):
        plots.plot_loss_surface(surface, {"bad": np.zeros((3, 3))})


# --------------------------------------------------------------------------------------------
# Activations inside a network
# --------------------------------------------------------------------------------------------
def small_network():
    return Sequential(
        Dense(3, 6, rng=0),
        ReLU(),
        Dropout(0.5, rng=0),
        Dense(6, 4, rng=1),
        Tanh(),
        Dense(4, 2, rng=2),
    )


def test_layer_activations_are_the_hand_computed_outputs_in_eval_mode():
    model = small_network()
    X = np.random.default_rng(5).normal(size=(20, 3))
    dense1, dense2 = model.layers[0], model.layers[3]
    a1 = relu(X @ dense1.W.data + dense1.b.data)
    a2 = np.tanh(a1 @ dense2.W.data + dense2.b.data)  # dropout is the identity in eval mode

    outputs = plots.layer_activations(model, X)
    assert [name for name, _ in outputs] == ["layer 1 (relu)", "layer 2 (tanh)"]
    np.testing.assert_allclose(outputs[0][1], a1)
    np.testing.assert_allclose(outputs[1][1], a2)
    assert model.training and all(layer.training for layer in model.layers)  # mode restored

    model.eval()
    plots.layer_activations(model, X)
    assert not model.training


def test_activation_histograms_one_density_panel_per_activation_layer():
    model = small_network()
    X = np.random.default_rng(6).normal(size=(200, 3))
    fig = plots.plot_activation_histograms(model, X, bins=20)
    assert isinstance(fig, Figure)
    assert [ax.get_title() for ax in fig.axes] == ["layer 1 (relu)", "layer 2 (tanh)"]
    for ax, (_, a) in zip(fig.axes, plots.layer_activations(model, X), strict=True):
        (outline,) = ax.patches  # one filled step outline: (edge, height) pairs, then back along 0
        expected, edges = np.histogram(a.ravel(), bins=20, density=True)
        corners = outline.get_xy()[1 : 2 * len(expected) + 1]
        np.testing.assert_allclose(corners[::2], np.column_stack([edges[:-1], expected]))
        np.testing.assert_allclose(corners[1::2], np.column_stack([edges[1:], expected]))
        assert ax.get_ylabel() == "density"
        assert_titled_and_labelled(ax)
    assert fig.get_suptitle()


def test_activation_histograms_in_given_axes_leave_the_figure_to_the_caller():
    model = small_network()
    fig, axes = plt.subplots(1, 2)
    fig.suptitle("the caller's title")
    assert plots.plot_activation_histograms(model, np.ones((5, 3)), axes=axes) is fig
    assert fig.get_suptitle() == "the caller's title"
    assert [ax.get_title() for ax in axes] == ["layer 1 (relu)", "layer 2 (tanh)"]
    with pytest.raises(ValueError, match="needs 2 axes"):
        plots.plot_activation_histograms(model, np.ones((5, 3)), axes=axes[:1])


def test_activation_histograms_need_activation_layers():
    with pytest.raises(ValueError, match="no activation layers"):
        plots.plot_activation_histograms(Sequential(Dense(3, 2, rng=0)), np.zeros((4, 3)))


# --------------------------------------------------------------------------------------------
# Smaller helpers
# --------------------------------------------------------------------------------------------
def test_activation_function_and_its_derivative():
    z = np.linspace(-4, 4, 50)
    ax = plots.plot_activation_function(sigmoid, sigmoid_grad, z=z, name="sigmoid")
    lines = lines_by_label(ax)
    np.testing.assert_allclose(lines["sigmoid(z)"].get_ydata(), 1 / (1 + np.exp(-z)))
    np.testing.assert_allclose(lines["sigmoid'(z)"].get_ydata(), np.exp(-z) / (1 + np.exp(-z)) ** 2)
    assert ax.get_title() == "sigmoid"
    assert_titled_and_labelled(ax)
    assert ax.get_legend() is not None
    default = plots.plot_activation_function(np.tanh)
    assert len(lines_by_label(default)["tanh(z)"].get_xdata()) == 400


def test_gradient_norms_as_bars_and_as_lines():
    norms = [1e-6, 1e-4, 1e-2, 1.0]
    ax = plots.plot_gradient_norms(norms)
    np.testing.assert_allclose([p.get_height() for p in ax.patches], norms)
    np.testing.assert_allclose([p.get_x() + p.get_width() / 2 for p in ax.patches], [1, 2, 3, 4])
    assert ax.get_yscale() == "log"
    assert_titled_and_labelled(ax)

    ax = plots.plot_gradient_norms({"sigmoid": norms, "relu": [1.0, 1.0, 1.0]}, log_scale=False)
    lines = lines_by_label(ax)
    np.testing.assert_allclose(lines["sigmoid"].get_ydata(), norms)
    np.testing.assert_array_equal(lines["relu"].get_xdata(), [1, 2, 3])
    assert ax.get_yscale() == "linear"


def test_weight_matrix_image_and_symmetric_colour_scale():
    dense = Dense(5, 3, rng=0)
    ax = plots.plot_weight_matrix(dense.W)
    (image,) = ax.get_images()
    np.testing.assert_array_equal(image.get_array(), dense.W.data)
    low, high = image.get_clim()
    assert low == -high == -np.abs(dense.W.data).max()
    assert_titled_and_labelled(ax)
    with pytest.raises(ValueError, match="2-D"):
        plots.plot_weight_matrix(np.zeros(3))


def test_digits_grid_shows_the_first_images_with_their_labels():
    X = np.arange(10 * 64, dtype=float).reshape(10, 64)
    y = np.arange(10)
    predicted = y.copy()
    predicted[3] = 7
    fig = plots.plot_digits(X, y, n=5, predicted=predicted)
    shown = [ax for ax in fig.axes if ax.get_images()]
    assert len(shown) == 5
    for i, ax in enumerate(shown):
        np.testing.assert_array_equal(ax.get_images()[0].get_array(), X[i].reshape(8, 8))
    assert shown[3].get_title() == "true 3, pred 7"
    assert shown[2].get_title() == "true 2, pred 2"
    with pytest.raises(ValueError, match=r"\(n, 64\)"):
        plots.plot_digits(np.zeros((3, 10)))


def test_computation_graph_is_autograds_figure():
    autograd = pytest.importorskip("course.autograd")
    x = autograd.Value(2.0, label="x")
    out = x * x + x
    out.backward()
    fig = plots.plot_computation_graph(out)
    assert isinstance(fig, Figure)
    assert fig.axes
