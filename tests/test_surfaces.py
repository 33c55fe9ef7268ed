"""Tests for course.surfaces: values, analytic gradients, minima and optimizer paths."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from course import surfaces
from course.optim import SGD, Adam, Momentum

ALL_SURFACES = {
    "quadratic": surfaces.quadratic(),
    "quadratic_rotated": surfaces.quadratic(a=2.0, b=10.0, angle=0.7),
    "rosenbrock": surfaces.rosenbrock(),
    "rosenbrock_a2": surfaces.rosenbrock(a=2.0, b=5.0),
    "beale": surfaces.beale(),
    "saddle": surfaces.saddle(),
}


def numerical_gradient(surface, point, h=1e-6):
    """Central differences (J(p + h e_i) - J(p - h e_i)) / 2h for each coordinate i."""
    grad = np.zeros(2)
    for i in range(2):
        step = np.zeros(2)
        step[i] = h
        grad[i] = (surface(point + step) - surface(point - step)) / (2 * h)
    return grad


@pytest.mark.parametrize("name", ALL_SURFACES)
def test_gradient_matches_central_differences_at_random_points(name):
    surface = ALL_SURFACES[name]
    rng = np.random.default_rng(0)
    for _ in range(10):
        point = rng.uniform([surface.xlim[0], surface.ylim[0]], [surface.xlim[1], surface.ylim[1]])
        analytic = surface.grad(point)
        numeric = numerical_gradient(surface, point)
        assert analytic.shape == (2,)
        np.testing.assert_allclose(
            analytic, numeric, rtol=1e-5, atol=1e-4 * (1 + abs(numeric).max())
        )


@pytest.mark.parametrize("name", ALL_SURFACES)
def test_minimum_is_the_smallest_value_on_a_grid_and_a_stationary_point(name):
    surface = ALL_SURFACES[name]
    X, Y, Z = surface.grid(resolution=301)
    assert surface.min_value <= Z.min() + 1e-12
    # the grid's best point is close to one of the known minimisers
    best = np.array([X.flat[Z.argmin()], Y.flat[Z.argmin()]])
    spacing = max(np.ptp(surface.xlim), np.ptp(surface.ylim)) / 300
    distances = np.linalg.norm(surface.minima - best, axis=1)
    assert distances.min() < 5 * spacing
    for minimiser in surface.minima:
        np.testing.assert_allclose(surface.grad(minimiser), 0.0, atol=1e-12)
        assert surface.xlim[0] < minimiser[0] < surface.xlim[1]
        assert surface.ylim[0] < minimiser[1] < surface.ylim[1]


def test_known_values_from_the_formulas():
    assert surfaces.quadratic(a=1, b=25)(np.array([2.0, 1.0])) == pytest.approx(0.5 * (4 + 25))
    assert surfaces.rosenbrock()(np.array([0.0, 0.0])) == pytest.approx(1.0)
    assert surfaces.rosenbrock(a=2.0, b=5.0).min_value == pytest.approx(0.0)
    np.testing.assert_allclose(surfaces.rosenbrock(a=2.0, b=5.0).minimum, [2.0, 4.0])
    assert surfaces.beale()(np.array([0.0, 0.0])) == pytest.approx(1.5**2 + 2.25**2 + 2.625**2)
    assert surfaces.beale().min_value == pytest.approx(0.0)
    assert surfaces.saddle().min_value == pytest.approx(-0.25)
    # the saddle point: zero gradient but not a minimum
    np.testing.assert_allclose(surfaces.saddle().grad(np.zeros(2)), 0.0)
    assert surfaces.saddle()(np.zeros(2)) > surfaces.saddle().min_value


def test_rotating_the_quadratic_by_a_right_angle_swaps_its_curvatures():
    rotated = surfaces.quadratic(a=1.0, b=25.0, angle=np.pi / 2)
    swapped = surfaces.quadratic(a=25.0, b=1.0)
    points = np.random.default_rng(1).normal(size=(2, 7))
    np.testing.assert_allclose(rotated(points), swapped(points), atol=1e-12)
    np.testing.assert_allclose(rotated.grad(points), swapped.grad(points), atol=1e-12)


def test_grid_evaluation_matches_point_by_point():
    surface = surfaces.rosenbrock()
    X, Y = np.meshgrid(np.linspace(-2, 2, 5), np.linspace(-1, 3, 4))
    grid = np.stack([X, Y])
    values = surface(grid)
    grads = surface.grad(grid)
    assert values.shape == (4, 5)
    assert grads.shape == (2, 4, 5)
    for i in range(4):
        for j in range(5):
            point = np.array([X[i, j], Y[i, j]])
            assert values[i, j] == pytest.approx(float(surface(point)))
            np.testing.assert_allclose(grads[:, i, j], surface.grad(point))


def test_points_with_the_wrong_shape_are_rejected_with_a_clear_error():
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        surfaces.beale()(np.zeros(3))
    with pytest.raises(ValueError, match="np.stack"):
        surfaces.beale().grad(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="positive"):
        surfaces.quadratic(a=-1.0)


def test_sgd_path_equals_a_hand_written_gradient_descent_loop():
    surface = surfaces.rosenbrock()
    lr, steps, start = 1e-3, 50, np.array([-1.2, 1.0])

    theta = start.copy()
    expected = [theta.copy()]
    for _ in range(steps):
        x, y = theta
        grad = np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])
        theta = theta - lr * grad
        expected.append(theta.copy())

    path = surfaces.optimizer_path(SGD, surface, start, steps, lr=lr)
    assert path.shape == (steps + 1, 2)
    np.testing.assert_allclose(path, np.array(expected), rtol=1e-12)
    np.testing.assert_allclose(
        surfaces.gradient_descent_path(surface, start, lr=lr, steps=steps), path
    )


def test_gradient_descent_on_the_quadratic_follows_the_closed_form():
    # theta_t = (1 - eta a)^t x_0 and (1 - eta b)^t y_0 for J = 1/2 (a x^2 + b y^2)
    a, b, lr, steps = 1.0, 25.0, 0.03, 40
    path = surfaces.gradient_descent_path(surfaces.quadratic(a, b), [-4.0, 2.0], lr=lr, steps=steps)
    t = np.arange(steps + 1)
    np.testing.assert_allclose(path[:, 0], -4.0 * (1 - lr * a) ** t)
    np.testing.assert_allclose(path[:, 1], 2.0 * (1 - lr * b) ** t)


def test_default_start_is_the_surface_start_and_the_start_is_not_modified():
    surface = surfaces.beale()
    start = np.array([1.0, 1.0])
    path = surfaces.optimizer_path(SGD, surface, start, 3, lr=1e-3)
    np.testing.assert_array_equal(start, [1.0, 1.0])
    np.testing.assert_array_equal(path[0], start)
    default = surfaces.optimizer_path(SGD, surface, steps=3, lr=1e-3)
    np.testing.assert_array_equal(default[0], surface.start)


def test_a_too_large_learning_rate_returns_a_shorter_finite_path_without_warnings():
    # on J = 1/2 (x^2 + 25 y^2) gradient descent diverges for lr > 2/25: |1 - 25 lr| > 1
    surface = surfaces.quadratic()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = surfaces.gradient_descent_path(surface, lr=0.1, steps=1000)
        exploding = surfaces.gradient_descent_path(surfaces.rosenbrock(), lr=0.1, steps=1000)
    assert 2 <= len(path) < 1001
    assert np.all(np.isfinite(path))
    assert np.linalg.norm(path, axis=1).max() <= 1e6
    # it did grow: each step multiplies y by (1 - 25 * 0.1) = -1.5
    np.testing.assert_allclose(path[:, 1], surface.start[1] * (-1.5) ** np.arange(len(path)))
    assert len(exploding) < 1001
    assert np.all(np.isfinite(exploding))


def test_saddle_point_traps_gradient_descent_started_on_the_ridge():
    surface = surfaces.saddle()
    on_ridge = surfaces.gradient_descent_path(surface, [2.0, 0.0], lr=0.1, steps=200)
    np.testing.assert_allclose(on_ridge[-1], [0.0, 0.0], atol=1e-8)  # stuck at the saddle
    nearby = surfaces.gradient_descent_path(surface, [2.0, 0.01], lr=0.1, steps=200)
    np.testing.assert_allclose(nearby[-1], [0.0, 1.0], atol=1e-3)  # escapes to a minimum


def test_other_optimizers_get_their_hyperparameters_and_make_progress():
    surface = surfaces.quadratic()
    start = surface.start
    for cls, hyper in ((Momentum, {"lr": 0.02, "beta": 0.9}), (Adam, {"lr": 0.1})):
        path = surfaces.optimizer_path(cls, surface, start, 200, **hyper)
        assert path.shape == (201, 2)
        assert surface(path[-1]) < 1e-2 * surface(start)


def test_negative_steps_are_rejected():
    with pytest.raises(ValueError, match="steps"):
        surfaces.optimizer_path(SGD, surfaces.quadratic(), steps=-1, lr=0.1)
