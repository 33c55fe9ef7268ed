"""Initializers: the stated variances (within 5% at fan 1000), shapes, dtypes, seeds, errors."""

import numpy as np
import pytest

from course import init

FAN = 1000
RNG = 0


@pytest.mark.parametrize(
    "make, variance",
    [
        (lambda: init.xavier_uniform(FAN, FAN, rng=RNG), 1 / FAN),
        (lambda: init.xavier_normal(FAN, FAN, rng=RNG), 1 / FAN),
        (lambda: init.xavier_normal(FAN, 3 * FAN, rng=RNG), 1 / (2 * FAN)),
        (lambda: init.he_normal(FAN, FAN // 2, rng=RNG), 2 / FAN),
        (lambda: init.he_uniform(FAN, FAN // 2, rng=RNG), 2 / FAN),
        (lambda: init.he_normal(FAN // 2, FAN, rng=RNG, mode="fan_out"), 2 / FAN),
        (lambda: init.he_uniform(FAN // 2, FAN, rng=RNG, mode="fan_out"), 2 / FAN),
        (lambda: init.uniform((FAN, FAN), r=0.1, rng=RNG), 0.1**2 / 3),
        (lambda: init.normal((FAN, FAN), std=0.2, rng=RNG), 0.04),
    ],
)
def test_stated_variance_within_5_percent(make, variance):
    w = make()
    assert abs(w.var() / variance - 1) < 0.05
    assert abs(w.mean()) < 0.05 * np.sqrt(variance)


def test_uniform_bounds_are_the_slides_r():
    w = init.xavier_uniform(300, 100, rng=1)
    r = np.sqrt(3 / 200)
    assert w.min() >= -r and w.max() <= r and w.max() > 0.99 * r
    w = init.he_uniform(300, 100, rng=1)
    assert np.abs(w).max() <= np.sqrt(6 / 300)


def test_shapes_dtypes_and_seeds():
    w = init.he_normal(5, 7, rng=3, dtype=np.float32)
    assert w.shape == (5, 7) and w.dtype == np.float32
    assert np.array_equal(init.he_normal(5, 7, rng=3), init.he_normal(5, 7, rng=3))
    assert not np.array_equal(init.he_normal(5, 7, rng=3), init.he_normal(5, 7, rng=4))
    assert np.allclose(w, init.he_normal(5, 7, rng=3), atol=1e-6)  # same draw, rounded
    assert not np.any(init.zeros((3, 4)))


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="fan_in must be a positive int"):
        init.xavier_uniform(0, 3)
    with pytest.raises(ValueError, match="Unknown mode 'fan_middle'"):
        init.he_normal(3, 3, mode="fan_middle")
    with pytest.raises(ValueError, match="Unknown initializer 'glorot'"):
        init.get_initializer("glorot")
    with pytest.raises(ValueError, match="r >= 0"):
        init.uniform((2, 2), r=-1)
