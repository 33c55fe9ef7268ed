"""Tests for course.regularization: L1/L2 penalties and early stopping."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course.parameter import Parameter
from course.regularization import EarlyStopping, l1_penalty, l2_penalty


def model_params(rng):
    """A dense W (3x4), its bias b (4,), a batch-norm gamma (4,) and a 4-D kernel (2x1x2x2)."""
    return [
        Parameter(rng.standard_normal((3, 4)), name="W"),
        Parameter(rng.standard_normal(4), name="b"),
        Parameter(rng.standard_normal(4), name="gamma"),
        Parameter(rng.standard_normal((2, 1, 2, 2)), name="K"),
    ]


def numerical_gradient(f, x, h=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f()
        x[i] = old - h
        down = f()
        x[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad


# ---------------------------------------------------------------------------------------------
# Penalties
# ---------------------------------------------------------------------------------------------


def test_l1_penalty_closed_form_and_gradient():
    rng = np.random.default_rng(0)
    W, b, gamma, K = params = model_params(rng)
    lam = 0.3
    value = l1_penalty(params, lam)
    assert value == pytest.approx(lam * (np.abs(W.data).sum() + np.abs(K.data).sum()), rel=1e-14)
    np.testing.assert_array_equal(W.grad, lam * np.sign(W.data))
    np.testing.assert_array_equal(K.grad, lam * np.sign(K.data))
    assert not b.grad.any() and not gamma.grad.any()  # 1-D parameters are skipped


def test_l2_penalty_closed_form_and_gradient():
    rng = np.random.default_rng(1)
    W, b, gamma, K = params = model_params(rng)
    lam = 0.05
    value = l2_penalty(params, lam)
    assert value == pytest.approx(lam * ((W.data**2).sum() + (K.data**2).sum()), rel=1e-14)
    np.testing.assert_allclose(W.grad, 2 * lam * W.data, rtol=1e-15)
    np.testing.assert_allclose(K.grad, 2 * lam * K.data, rtol=1e-15)
    assert not b.grad.any() and not gamma.grad.any()


def test_small_worked_example():
    W = Parameter([[1.0, -2.0], [0.0, 3.0]])
    bias = Parameter([100.0, -100.0])
    assert l1_penalty([W, bias], 0.5) == 0.5 * 6.0
    np.testing.assert_array_equal(W.grad, [[0.5, -0.5], [0.0, 0.5]])  # sign(0) = 0
    W.zero_grad()
    assert l2_penalty([W, bias], 0.5) == 0.5 * 14.0
    np.testing.assert_array_equal(W.grad, [[1.0, -2.0], [0.0, 3.0]])  # 2 * 0.5 * w
    assert not bias.grad.any()


@pytest.mark.parametrize("penalty", [l1_penalty, l2_penalty])
def test_penalty_gradient_matches_numerical_gradient_and_is_added(penalty):
    rng = np.random.default_rng(2)
    W = Parameter(rng.uniform(0.1, 1.0, (3, 5)) * rng.choice([-1.0, 1.0], (3, 5)))  # away from 0
    data_grad = rng.standard_normal((3, 5))
    W.grad[...] = data_grad  # as if a backward pass had already filled it
    lam = 0.7
    penalty([W], lam)
    added = W.grad - data_grad

    probe = Parameter(W.data)
    numeric = numerical_gradient(lambda: penalty([probe], lam), probe.data)
    np.testing.assert_allclose(added, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("penalty", [l1_penalty, l2_penalty])
def test_penalty_edge_cases(penalty):
    rng = np.random.default_rng(3)
    params = model_params(rng)
    assert penalty(params, 0.0) == 0.0
    assert all(not p.grad.any() for p in params)
    assert penalty(iter(params[1:3]), 1.0) == 0.0  # only 1-D parameters: nothing to penalize
    with pytest.raises(ValueError, match=r"lam.*-0\.1"):
        penalty(params, -0.1)
    with pytest.raises(ValueError, match="empty"):
        penalty([], 0.1)
    with pytest.raises(TypeError, match="ndarray"):
        penalty([np.ones((2, 2))], 0.1)


def test_penalties_keep_float32():
    W = Parameter(np.ones((2, 2)), dtype=np.float32)
    l1_penalty([W], 0.1)
    l2_penalty([W], 0.1)
    assert W.grad.dtype == np.float32
    np.testing.assert_allclose(W.grad, 0.1 + 0.2, rtol=1e-6)


# ---------------------------------------------------------------------------------------------
# Early stopping
# ---------------------------------------------------------------------------------------------


def run(stopper, losses, params=None, pass_params_to_step=False):
    """Feed losses one per epoch; before each epoch set every parameter's data to the epoch index.

    Returns the list of step() results.
    """
    results = []
    for epoch, loss in enumerate(losses):
        for p in params or []:
            p.data[...] = epoch
        results.append(stopper.step(loss, params if pass_params_to_step else None))
    return results


def test_stops_after_patience_epochs_without_improvement():
    stopper = EarlyStopping(patience=3)
    losses = [1.0, 0.8, 0.9, 0.85, 0.95, 0.7]
    assert run(stopper, losses[:5]) == [False, False, False, False, True]
    assert stopper.best_loss == 0.8
    assert stopper.best_epoch == 1
    assert losses[stopper.best_epoch] == stopper.best_loss
    assert stopper.wait == 3
    assert stopper.epoch == 5
    assert stopper.best_state is None  # no parameters given


def test_improvement_resets_wait():
    stopper = EarlyStopping(patience=2)
    assert run(stopper, [1.0, 1.1, 0.9, 1.0, 0.8, 0.85, 0.86]) == [
        False, False, False, False, False, False, True,
    ]
    assert stopper.best_epoch == 4
    assert stopper.best_loss == 0.8


def test_best_state_and_restore():
    rng = np.random.default_rng(4)
    params = [Parameter(rng.standard_normal((2, 3))), Parameter(rng.standard_normal(3))]
    stopper = EarlyStopping(patience=2, params=(p for p in params))
    results = run(stopper, [3.0, 2.0, 1.5, 1.7, 1.6], params)
    assert results[-1] is True
    assert stopper.best_epoch == 2
    for saved, p in zip(stopper.best_state, params, strict=True):
        assert saved.shape == p.data.shape
        np.testing.assert_array_equal(saved, 2.0)  # the values at epoch 2
        assert not np.shares_memory(saved, p.data)  # a copy
        np.testing.assert_array_equal(p.data, 4.0)  # training went on after the best epoch
    data = [p.data for p in params]
    stopper.restore()
    for p, array in zip(params, data, strict=True):
        assert p.data is array  # in place
        np.testing.assert_array_equal(p.data, 2.0)


def test_params_given_to_step_are_copied_and_restored():
    params = [Parameter(np.zeros((2, 2)))]
    stopper = EarlyStopping(patience=1)
    run(stopper, [5.0, 4.0, 4.5], params, pass_params_to_step=True)
    np.testing.assert_array_equal(stopper.best_state[0], 1.0)
    stopper.restore()
    np.testing.assert_array_equal(params[0].data, 1.0)
    # restore into other parameters of the same shapes
    other = [Parameter(np.full((2, 2), -7.0))]
    stopper.restore(other)
    np.testing.assert_array_equal(other[0].data, 1.0)


def test_min_delta_is_respected():
    stopper = EarlyStopping(patience=2, min_delta=0.1)
    # 0.95 and 0.92 are below 1.0 but not by more than 0.1: no improvement
    assert run(stopper, [1.0, 0.95, 0.92]) == [False, False, True]
    assert stopper.best_loss == 1.0 and stopper.best_epoch == 0
    stopper = EarlyStopping(patience=2, min_delta=0.1)
    assert run(stopper, [1.0, 0.95, 0.85, 0.8]) == [False, False, False, False]
    assert stopper.best_epoch == 2 and stopper.best_loss == 0.85
    # min_delta = 0: equal is not an improvement, any decrease is
    stopper = EarlyStopping(patience=1)
    assert run(stopper, [1.0, 1.0]) == [False, True]
    stopper = EarlyStopping(patience=1)
    assert run(stopper, [1.0, 0.999999]) == [False, False]


def test_nan_loss_is_no_improvement():
    stopper = EarlyStopping(patience=2)
    assert run(stopper, [math.nan, 1.0, math.nan, math.nan]) == [False, False, False, True]
    assert stopper.best_loss == 1.0
    assert stopper.best_epoch == 1
    stopper = EarlyStopping(patience=1)
    assert run(stopper, [math.nan]) == [True]
    assert stopper.best_epoch is None and stopper.best_loss == math.inf


def test_restore_errors():
    params = [Parameter(np.zeros((2, 2)))]
    with pytest.raises(RuntimeError, match="no best state"):
        EarlyStopping(params=params).restore()
    stopper = EarlyStopping(params=params)
    stopper.step(1.0)
    with pytest.raises(ValueError, match=r"shape \(3,\).*\(2, 2\)"):
        stopper.restore([Parameter(np.zeros(3))])
    with pytest.raises(ValueError, match="holds 1 arrays, but 2"):
        stopper.restore(params + params)


def test_reset():
    params = [Parameter(np.zeros(2))]
    stopper = EarlyStopping(patience=1, params=params)
    run(stopper, [1.0, 2.0])
    stopper.reset()
    assert stopper.best_loss == math.inf
    assert stopper.best_epoch is None and stopper.best_state is None
    assert stopper.wait == 0 and stopper.epoch == 0
    assert run(stopper, [3.0, 2.0]) == [False, False]  # 3.0 counts as the first loss again
    assert stopper.best_epoch == 1


@pytest.mark.parametrize(
    "kwargs, error, text",
    [
        ({"patience": 0}, ValueError, "patience: 0"),
        ({"patience": -3}, ValueError, "patience: -3"),
        ({"patience": 2.5}, TypeError, "float"),
        ({"patience": True}, TypeError, "bool"),
        ({"min_delta": -0.01}, ValueError, r"min_delta: -0\.01"),
        ({"params": [np.zeros(2)]}, TypeError, "ndarray"),
    ],
)
def test_early_stopping_validation(kwargs, error, text):
    with pytest.raises(error, match=text):
        EarlyStopping(**kwargs)


def test_val_loss_must_be_a_number():
    with pytest.raises(TypeError, match="val_loss"):
        EarlyStopping().step("0.5")
    assert EarlyStopping().step(np.float32(0.5)) is False
