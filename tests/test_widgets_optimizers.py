"""Tests for the optimizer explorer (course.widgets.optimizers).

References: on the bowl J = 1/2 (x^2 + 25 y^2) the gradient is (x, 25 y), so gradient descent
has the closed form theta_t = ((1 - eta)^t x_0, (1 - 25 eta)^t y_0), and momentum is the slides'
two lines (v = beta v + (1 - beta) g; theta -= eta v) written out here in plain NumPy. Adam's and
Adagrad's first step moves every coordinate by eta against the sign of its gradient, RMSProp's by
eta / sqrt(1 - beta).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import pytest

from course.widgets import optimizer_explorer
from course.widgets.optimizers import (
    ALL,
    OPTIMIZER_SURFACES,
    OPTIMIZERS,
    SUGGESTED_LEARNING_RATES,
    OptimizerExplorer,
    make_surface,
    run_optimizer,
    suggested_learning_rate,
)

START = np.array([-4.0, 2.0])  # the quadratic's start


def bowl_gradient(theta: np.ndarray) -> np.ndarray:
    return np.array([theta[0], 25.0 * theta[1]])


def plotted_paths(explorer) -> dict[str, np.ndarray]:
    """optimizer name -> data of its path line on the left panel (labelled "Name (eta = ..)")."""
    paths = {}
    for line in explorer.figure.axes[0].get_lines():
        name = line.get_label().split(" ")[0]
        if name in OPTIMIZERS:
            paths[name] = np.asarray(line.get_xydata())
    return paths


def loss_lines(explorer) -> dict[str, np.ndarray]:
    return {line.get_label().split(" ")[0]: np.asarray(line.get_ydata())
            for line in explorer.figure.axes[1].get_lines()}


@pytest.fixture(scope="module")
def untouched() -> OptimizerExplorer:
    """One explorer shared by the tests that only look at it."""
    return optimizer_explorer()


def assert_every_axes_has_title_labels_and_legend(figure) -> None:
    assert len(figure.axes) == 2
    for ax in figure.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        assert ax.get_legend() is not None


def test_default_is_adam_on_rosenbrock_at_its_suggested_rate(untouched):
    assert untouched.controls["optimizer"].value == "Adam"
    assert untouched.controls["surface"].value == "rosenbrock"
    suggested = SUGGESTED_LEARNING_RATES["rosenbrock"]["Adam"]
    assert untouched.controls["learning_rate"].value == suggested
    assert repr(untouched) == (
        "OptimizerExplorer(optimizer='Adam', learning_rate=0.1, surface='rosenbrock', steps=500)"
    )
    path = plotted_paths(untouched)["Adam"]
    assert len(path) == 501
    np.testing.assert_allclose(path[0], [-1.2, 1.0])
    # Adam reaches the minimum (1, 1) of the banana valley in 500 steps
    assert np.linalg.norm(path[-1] - [1.0, 1.0]) < 0.3
    assert_every_axes_has_title_labels_and_legend(untouched.figure)
    assert untouched.figure.axes[1].get_yscale() == "log"


def test_controls_have_full_labels_and_sliders_update_on_release(untouched):
    descriptions = {name: control.description for name, control in untouched.controls.items()}
    assert descriptions == {
        "optimizer": "optimizer",
        "learning_rate": "learning rate",
        "surface": "loss surface",
        "steps": "number of steps",
    }
    sliders = [c for c in untouched.controls.values()
               if isinstance(c, (widgets.FloatLogSlider, widgets.IntSlider))]
    assert len(sliders) == 2
    for control in untouched.controls.values():
        assert control.style.description_width == "initial"
    for slider in sliders:
        assert slider.continuous_update is False
    assert list(untouched.controls["optimizer"].options) == [
        "SGD", "Momentum", "Adagrad", "Adadelta", "RMSProp", "Adam", "all"
    ]


def test_optimizer_picker_changes_the_path_sgd_and_momentum_match_the_slides():
    explorer = optimizer_explorer(optimizer="SGD", surface="quadratic", steps=40)
    eta = explorer.controls["learning_rate"].value
    assert eta == SUGGESTED_LEARNING_RATES["quadratic"]["SGD"]
    t = np.arange(41)
    closed_form = np.column_stack([(1 - eta) ** t * START[0], (1 - 25 * eta) ** t * START[1]])
    sgd = plotted_paths(explorer)["SGD"]
    np.testing.assert_allclose(sgd, closed_form, atol=1e-12)

    explorer.controls["optimizer"].value = "Momentum"
    eta = explorer.controls["learning_rate"].value
    assert set(plotted_paths(explorer)) == {"Momentum"}
    momentum = plotted_paths(explorer)["Momentum"]
    theta, v, expected = START.copy(), np.zeros(2), [START.copy()]
    for _ in range(40):  # the slides' pseudo-code
        v = 0.9 * v + (1 - 0.9) * bowl_gradient(theta)
        theta = theta - eta * v
        expected.append(theta.copy())
    np.testing.assert_allclose(momentum, np.array(expected), atol=1e-12)
    assert not np.allclose(momentum, sgd)


@pytest.mark.parametrize(
    ("optimizer", "first_step_factor"),
    [("Adam", 1.0), ("Adagrad", 1.0), ("RMSProp", 1 / np.sqrt(1 - 0.9))],
)
def test_adaptive_optimizers_first_step_has_size_eta_per_coordinate(optimizer, first_step_factor):
    surface = make_surface("quadratic")
    eta = 0.05
    run = run_optimizer(optimizer, surface, eta, steps=1)
    expected = START - eta * first_step_factor * np.sign(bowl_gradient(START))
    np.testing.assert_allclose(run.path[1], expected, rtol=1e-6)


def test_picking_an_optimizer_or_surface_resets_the_slider_and_redraws_once():
    explorer = optimizer_explorer(optimizer="SGD", surface="rosenbrock", steps=50)
    calls = []
    draw = explorer.draw

    def counting_draw(figure, **values):
        calls.append(values)
        return draw(figure, **values)

    explorer.draw = counting_draw
    explorer.controls["optimizer"].value = "Adagrad"
    assert len(calls) == 1
    suggested = suggested_learning_rate("Adagrad", "rosenbrock")
    assert calls[0]["learning_rate"] == suggested
    assert explorer.controls["learning_rate"].value == suggested
    assert explorer.result["learning_rates"] == {"Adagrad": suggested}

    explorer.controls["surface"].value = "beale"
    assert len(calls) == 2
    assert explorer.controls["learning_rate"].value == suggested_learning_rate("Adagrad", "beale")
    np.testing.assert_allclose(plotted_paths(explorer)["Adagrad"][0], [1.0, 1.5])  # Beale start

    explorer.controls["learning_rate"].value = 0.02  # the slider itself is not reset
    assert len(calls) == 3
    assert explorer.result["learning_rates"] == {"Adagrad": 0.02}


def test_learning_rate_slider_small_ends_far_good_ends_near_large_diverges():
    explorer = optimizer_explorer(optimizer="SGD", surface="quadratic", steps=100)
    good = plotted_paths(explorer)["SGD"]  # suggested 0.03: (1 - 0.03)^100 = 0.05
    assert len(good) == 101
    assert np.linalg.norm(good[-1]) < 0.25

    explorer.controls["learning_rate"].value = 1e-3  # (1 - 0.001)^100 = 0.9: x still near -3.6
    small = plotted_paths(explorer)["SGD"]
    assert len(small) == 101
    assert np.linalg.norm(small[-1]) > 3.0

    explorer.controls["learning_rate"].value = 0.2  # beyond 2 / 25: |1 - 25 eta| = 4 per step
    diverged = plotted_paths(explorer)["SGD"]
    assert len(diverged) < 101
    assert explorer.result["diverged"] == {"SGD": True}
    assert "diverged" in explorer.figure.axes[0].get_legend().get_texts()[-1].get_text()
    losses = loss_lines(explorer)["SGD"]
    assert np.all(np.diff(losses) > 0)
    assert_every_axes_has_title_labels_and_legend(explorer.figure)


def test_all_runs_every_optimizer_at_its_suggested_rate_and_disables_the_slider():
    explorer = optimizer_explorer(optimizer="Momentum", surface="saddle", steps=60)
    assert not explorer.controls["learning_rate"].disabled
    explorer.controls["optimizer"].value = ALL
    assert explorer.controls["learning_rate"].disabled
    paths = plotted_paths(explorer)
    assert list(paths) == list(OPTIMIZERS)
    assert set(loss_lines(explorer)) == set(OPTIMIZERS)
    assert explorer.result["learning_rates"] == SUGGESTED_LEARNING_RATES["saddle"]
    # six different paths from the same start
    for name, path in paths.items():
        np.testing.assert_allclose(path[0], [2.0, 0.01])
        for other, other_path in paths.items():
            if other != name:
                assert not np.allclose(path, other_path)
    assert_every_axes_has_title_labels_and_legend(explorer.figure)

    explorer.controls["optimizer"].value = "Adam"
    assert not explorer.controls["learning_rate"].disabled
    assert set(plotted_paths(explorer)) == {"Adam"}


@pytest.mark.parametrize("surface", list(OPTIMIZER_SURFACES))
def test_every_suggested_rate_makes_real_progress_in_500_steps(surface):
    loss_surface = make_surface(surface)
    for optimizer in OPTIMIZERS:
        eta = suggested_learning_rate(optimizer, surface)
        assert 1e-4 <= eta <= 10  # on the slider
        run = run_optimizer(optimizer, loss_surface, eta, steps=500)
        assert not run.diverged, (optimizer, surface)
        assert run.losses[-1] < 0.05 * run.losses[0], (optimizer, surface, run.losses[-1])


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="unknown optimizer"):
        optimizer_explorer(optimizer="Nesterov")
    with pytest.raises(ValueError, match="unknown surface"):
        optimizer_explorer(surface="volcano")
    with pytest.raises(ValueError, match="learning_rate"):
        optimizer_explorer(learning_rate=100.0)
    with pytest.raises(ValueError, match="steps"):
        optimizer_explorer(steps=5)
    with pytest.raises(ValueError, match="unknown optimizer"):
        suggested_learning_rate("all", "rosenbrock")
