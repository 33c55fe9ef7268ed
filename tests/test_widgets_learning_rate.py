"""Tests for the learning-rate explorer (course.widgets.learning_rate).

The reference is the closed form of gradient descent on the bowl J = 1/2 (a x^2 + b y^2):
each step multiplies x by (1 - eta a) and y by (1 - eta b), so

    theta_t = ((1 - eta a)^t x_0, (1 - eta b)^t y_0),

which converges iff eta < 2 / max(a, b) and oscillates along y when 1 - eta b < 0.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import pytest

from course.surfaces import quadratic
from course.widgets import learning_rate_explorer
from course.widgets.learning_rate import (
    LearningRateExplorer,
    judge_regime,
    make_surface,
    run_gradient_descent,
    zigzag_fraction,
)

A, B = 1.0, 10.0  # the explorer's "quadratic"
START = np.array([-4.0, 2.0])


def closed_form_path(eta: float, steps: int) -> np.ndarray:
    t = np.arange(steps + 1)
    return np.column_stack([(1 - eta * A) ** t * START[0], (1 - eta * B) ** t * START[1]])


def plotted_path(explorer) -> np.ndarray:
    """The data of the path line on the left panel (its label starts with eta)."""
    lines = [line for line in explorer.figure.axes[0].get_lines()
             if line.get_label().startswith("$\\eta$")]
    assert len(lines) == 1
    return np.asarray(lines[0].get_xydata())


def plotted_losses(explorer) -> np.ndarray:
    (line,) = explorer.figure.axes[1].get_lines()
    return np.asarray(line.get_ydata())


@pytest.fixture
def explorer() -> LearningRateExplorer:
    return learning_rate_explorer(learning_rate=0.1, surface="quadratic", steps=30)


@pytest.fixture(scope="module")
def untouched() -> LearningRateExplorer:
    """One explorer shared by the tests that only look at it (drawing takes ~0.2 s)."""
    return learning_rate_explorer(learning_rate=0.1, surface="quadratic", steps=30)


def assert_every_axes_has_title_labels_and_legend(figure) -> None:
    assert len(figure.axes) == 2
    for ax in figure.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        assert ax.get_legend() is not None


def test_the_explorers_quadratic_is_the_documented_bowl():
    surface = make_surface("quadratic")
    point = np.array([0.7, -1.3])
    assert surface(point) == pytest.approx(0.5 * (A * 0.7**2 + B * 1.3**2))
    np.testing.assert_allclose(surface.start, START)


def test_plotted_path_follows_the_closed_form_and_changes_with_the_slider(explorer):
    np.testing.assert_allclose(plotted_path(explorer), closed_form_path(0.1, 30), atol=1e-12)
    before = plotted_path(explorer)

    explorer.controls["learning_rate"].value = 0.18
    after = plotted_path(explorer)
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, closed_form_path(0.18, 30), atol=1e-12)
    np.testing.assert_allclose(explorer.result["path"], after)


def test_small_rate_ends_far_good_rate_near_too_large_oscillates_larger_diverges(explorer):
    slider = explorer.controls["learning_rate"]

    slider.value = 0.003  # (1 - 0.003)^30 = 0.91: x is still at about -3.7
    far = plotted_path(explorer)
    assert np.linalg.norm(far[-1]) > 3.0
    assert explorer.result["regime"] == "too slow"
    assert "too small" in explorer.figure.axes[0].get_title()
    assert_every_axes_has_title_labels_and_legend(explorer.figure)

    slider.value = 0.1  # x: 0.9^30 = 0.04 of the start, y: gone after one step
    near = plotted_path(explorer)
    assert np.linalg.norm(near[-1]) < 0.3
    assert explorer.result["regime"] == "converges"
    assert "converges" in explorer.figure.axes[0].get_title()

    slider.value = 0.19  # 1 - 0.19 * 10 = -0.9: y changes sign at every step
    zigzag = plotted_path(explorer)
    assert np.all(np.sign(zigzag[1:, 1]) == -np.sign(zigzag[:-1, 1]))
    assert explorer.result["regime"] == "oscillates"
    assert "oscillates" in explorer.figure.axes[0].get_title()

    slider.value = 0.5  # 1 - 0.5 * 10 = -4: |y| grows 4x per step, past 1e6 in ~10 steps
    diverging = plotted_path(explorer)
    assert len(diverging) < 31
    assert np.all(np.diff(np.abs(diverging[:, 1])) > 0)
    assert np.all(np.diff(plotted_losses(explorer)) > 0)
    assert explorer.result["regime"] == "diverges"
    assert "diverges" in explorer.figure.axes[0].get_title()
    assert_every_axes_has_title_labels_and_legend(explorer.figure)


def test_loss_panel_shows_the_loss_of_each_plotted_point_on_a_log_axis(untouched):
    path = closed_form_path(0.1, 30)
    expected = 0.5 * (A * path[:, 0] ** 2 + B * path[:, 1] ** 2)
    np.testing.assert_allclose(plotted_losses(untouched), np.maximum(expected, 1e-16), rtol=1e-9)
    assert untouched.figure.axes[1].get_yscale() == "log"


def test_steps_slider_sets_the_length_of_the_path(explorer):
    explorer.controls["steps"].value = 55
    assert len(plotted_path(explorer)) == 56
    assert len(plotted_losses(explorer)) == 56


def test_surface_picker_changes_the_surface_and_the_path(explorer):
    before = plotted_path(explorer)
    explorer.controls["learning_rate"].value = 0.001
    explorer.controls["surface"].value = "rosenbrock"
    path = plotted_path(explorer)
    assert path.shape != before.shape or not np.allclose(path, before)
    np.testing.assert_allclose(path[0], [-1.2, 1.0])
    minimum = [line for line in explorer.figure.axes[0].get_lines()
               if line.get_label() == "minimum"]
    np.testing.assert_allclose(minimum[0].get_xydata(), [[1.0, 1.0]])
    assert "Rosenbrock" in explorer.figure.texts[0].get_text()  # the suptitle
    assert_every_axes_has_title_labels_and_legend(explorer.figure)


def test_controls_have_full_labels_and_update_on_release(untouched):
    descriptions = {name: control.description for name, control in untouched.controls.items()}
    assert descriptions == {
        "learning_rate": "learning rate",
        "surface": "loss surface",
        "steps": "number of steps",
    }
    for control in untouched.controls.values():
        assert control.style.description_width == "initial"  # shown in full, not cut
        if isinstance(control, (widgets.FloatLogSlider, widgets.IntSlider)):
            assert control.continuous_update is False
    slider = untouched.controls["learning_rate"]
    assert slider.min <= -3 and 10**slider.max >= 1.5  # covers 1e-3 .. 1.5


def test_repr_shows_the_control_values(untouched):
    assert repr(untouched) == (
        "LearningRateExplorer(learning_rate=0.1, surface='quadratic', steps=30)"
    )


def test_judge_regime_on_hand_made_paths():
    surface = quadratic(a=1.0, b=10.0)
    # straight and slow: 10 small steps from (-4, 2) towards the origin, stopping at 80 %
    slow = START * np.linspace(1.0, 0.8, 11)[:, None]
    assert judge_regime(surface, slow, steps=10) == "too slow"
    # straight into the minimum
    good = START * np.linspace(1.0, 0.0, 11)[:, None]
    assert judge_regime(surface, good, steps=10) == "converges"
    # y flips sign every step, shrinking: a zig-zag that still converges
    t = np.arange(11)
    zigzag = np.column_stack([START[0] * 0.8**t, START[1] * (-0.9) ** t])
    assert zigzag_fraction(zigzag) == 1.0
    assert judge_regime(surface, zigzag, steps=10) == "oscillates"
    # stopped early (diverged), or ended higher than it began
    assert judge_regime(surface, good[:5], steps=10) == "diverges"
    assert judge_regime(surface, START * np.linspace(1.0, 3.0, 11)[:, None], steps=10) == (
        "diverges"
    )


def test_the_four_regimes_on_the_slider_match_the_theory():
    surface = make_surface("quadratic")
    # converges iff eta < 2 / b = 0.2; zig-zags along y when eta > 1 / b = 0.1
    assert run_gradient_descent(surface, 0.001, 30).regime == "too slow"
    assert run_gradient_descent(surface, 0.12, 30).regime == "converges"
    assert run_gradient_descent(surface, 0.195, 30).regime == "oscillates"
    for eta in (0.21, 0.4, 1.5):
        assert run_gradient_descent(surface, eta, 30).regime == "diverges"


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="unknown surface"):
        learning_rate_explorer(surface="volcano")
    with pytest.raises(ValueError, match="learning_rate"):
        learning_rate_explorer(learning_rate=0.0)
    with pytest.raises(ValueError, match="learning_rate"):
        learning_rate_explorer(learning_rate=50.0)
    with pytest.raises(ValueError, match="steps"):
        learning_rate_explorer(steps=2)
    with pytest.raises(ValueError, match="positive"):
        run_gradient_descent(make_surface("quadratic"), -0.1, 10)
