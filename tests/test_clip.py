"""Tests for course.clip: clipping by value and by (global) norm."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course.clip import clip_by_norm, clip_by_value
from course.parameter import Parameter


def params_with_grads(*grads, dtype=None):
    params = []
    for g in grads:
        p = Parameter(np.zeros(np.shape(g)), dtype=dtype)
        p.grad[...] = g
        params.append(p)
    return params


def flat(params):
    return np.concatenate([p.grad.ravel() for p in params])


# ---------------------------------------------------------------------------------------------
# By value
# ---------------------------------------------------------------------------------------------


def test_clip_by_value_follows_the_slides_rule():
    g = np.array([[-3.0, -0.5, 0.0], [0.4, 1.0, 7.5]])
    (p,) = params_with_grads(g)
    grad = p.grad
    clip_by_value([p], low=-1.0, high=0.5)
    # if g_i > alpha: g_i = alpha; elif g_i < beta: g_i = beta
    expected = [[-1.0, -0.5, 0.0], [0.4, 0.5, 0.5]]
    np.testing.assert_array_equal(p.grad, expected)
    assert p.grad is grad  # in place


def test_clip_by_value_several_params_and_a_generator():
    rng = np.random.default_rng(0)
    grads = [rng.normal(scale=3.0, size=(4, 5)), rng.normal(scale=3.0, size=5)]
    params = params_with_grads(*grads)
    clip_by_value((p for p in params), low=-2.0, high=2.0)
    for p, g in zip(params, grads, strict=True):
        expected = np.where(g > 2.0, 2.0, np.where(g < -2.0, -2.0, g))
        np.testing.assert_array_equal(p.grad, expected)


def test_clip_by_value_changes_the_direction():
    (p,) = params_with_grads([10.0, 1.0])
    before = p.grad.copy()
    clip_by_value([p], -2.0, 2.0)
    cosine = before @ p.grad / (np.linalg.norm(before) * np.linalg.norm(p.grad))
    assert cosine < 0.99


def test_clip_by_value_keeps_float32():
    (p,) = params_with_grads([5.0, -5.0, 0.1], dtype=np.float32)
    clip_by_value([p], np.float64(-1.0), np.float64(1.0))
    assert p.grad.dtype == np.float32
    np.testing.assert_array_equal(p.grad, np.array([1.0, -1.0, 0.1], dtype=np.float32))


def test_clip_by_value_validation():
    params = params_with_grads([1.0])
    with pytest.raises(ValueError, match=r"low=1\.0 > high=-1\.0"):
        clip_by_value(params, 1.0, -1.0)
    with pytest.raises(ValueError, match="nan"):
        clip_by_value(params, float("nan"), 1.0)
    with pytest.raises(TypeError, match="str"):
        clip_by_value(params, "-1", 1.0)
    with pytest.raises(TypeError, match="element 0 is a ndarray"):
        clip_by_value([np.ones(2)], -1.0, 1.0)
    with pytest.raises(ValueError, match="empty"):
        clip_by_value([], -1.0, 1.0)
    clip_by_value(params, -math.inf, 0.5)  # one-sided is fine
    np.testing.assert_array_equal(params[0].grad, [0.5])


# ---------------------------------------------------------------------------------------------
# By norm
# ---------------------------------------------------------------------------------------------


def test_clip_by_norm_returns_the_norm_before_and_rescales_to_max_norm():
    rng = np.random.default_rng(1)
    params = params_with_grads(rng.standard_normal((6, 4)), rng.standard_normal(4))
    before = flat(params)
    norm_before = np.linalg.norm(before)
    assert norm_before > 2.0

    returned = clip_by_norm(params, max_norm=2.0)

    after = flat(params)
    assert isinstance(returned, float)
    assert returned == pytest.approx(norm_before, rel=1e-12)
    assert np.linalg.norm(after) == pytest.approx(2.0, rel=1e-12)
    cosine = before @ after / (np.linalg.norm(before) * np.linalg.norm(after))
    assert cosine == pytest.approx(1.0, abs=1e-12)
    # g <- g / ||g|| * v, component by component
    np.testing.assert_allclose(after, before / norm_before * 2.0, rtol=1e-12)


def test_clip_by_norm_does_nothing_below_the_threshold():
    params = params_with_grads([3.0, 4.0], [[0.0]])
    norm = clip_by_norm(params, max_norm=5.5)
    assert norm == 5.0
    np.testing.assert_array_equal(params[0].grad, [3.0, 4.0])
    np.testing.assert_array_equal(params[1].grad, [[0.0]])


def test_clip_by_norm_is_global_over_params():
    # Each parameter's own norm (3 and 4) is below max_norm = 4.5, but together it is 5: both are
    # scaled by the same factor 4.5 / 5 (clipping each separately would leave both unchanged).
    a, b = params_with_grads([3.0, 0.0], [[0.0, 4.0]])
    norm = clip_by_norm(iter([a, b]), max_norm=4.5)
    assert norm == pytest.approx(5.0)
    np.testing.assert_allclose(a.grad, [2.7, 0.0], rtol=1e-14)
    np.testing.assert_allclose(b.grad, [[0.0, 3.6]], rtol=1e-14)


def test_clip_by_norm_float32():
    rng = np.random.default_rng(2)
    params = params_with_grads(rng.standard_normal((30, 20)), dtype=np.float32)
    norm_before = np.linalg.norm(params[0].grad.astype(np.float64))
    norm = clip_by_norm(params, 1.0)
    assert params[0].grad.dtype == np.float32
    assert norm == pytest.approx(norm_before, rel=1e-5)
    assert np.linalg.norm(params[0].grad.astype(np.float64)) == pytest.approx(1.0, rel=1e-5)


def test_clip_by_norm_huge_float32_gradients_do_not_overflow():
    # 1e20 squared overflows float32 (max 3.4e38), but the norm itself is representable.
    params = params_with_grads([3e20, 4e20], dtype=np.float32)
    norm = clip_by_norm(params, 1.0)
    assert norm == pytest.approx(5e20, rel=1e-6)
    np.testing.assert_allclose(params[0].grad, [0.6, 0.8], rtol=1e-6)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_clip_by_norm_raises_on_non_finite_gradients_and_leaves_them(bad):
    params = params_with_grads([1.0, 2.0], [3.0, bad])
    params[1].name = "W2"
    with pytest.raises(ValueError, match="NaN or inf.*W2.*smaller learning rate"):
        clip_by_norm(params, 1.0)
    np.testing.assert_array_equal(params[0].grad, [1.0, 2.0])


@pytest.mark.parametrize("max_norm", [0.0, -1.0, float("nan")])
def test_clip_by_norm_needs_a_positive_threshold(max_norm):
    with pytest.raises(ValueError, match="max_norm"):
        clip_by_norm(params_with_grads([1.0]), max_norm)


def test_clip_by_norm_with_infinite_threshold_only_measures():
    params = params_with_grads([30.0, 40.0])
    assert clip_by_norm(params, math.inf) == 50.0
    np.testing.assert_array_equal(params[0].grad, [30.0, 40.0])
