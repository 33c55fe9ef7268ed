"""Activation functions: values from their closed forms, derivatives against central differences,
layers through check_layer, softmax stability."""

import numpy as np
import pytest

from course import activations as act
from course.gradcheck import check_layer

Z = np.linspace(-4, 4, 81) + 0.013  # avoid the kinks of ReLU and friends at exactly 0

FUNCTIONS = [
    (act.sigmoid, act.sigmoid_grad),
    (act.tanh, act.tanh_grad),
    (act.relu, act.relu_grad),
    (lambda z: act.leaky_relu(z, 0.1), lambda z: act.leaky_relu_grad(z, 0.1)),
    (lambda z: act.elu(z, 0.7), lambda z: act.elu_grad(z, 0.7)),
]


def test_closed_forms():
    assert np.allclose(act.sigmoid(Z), 1 / (1 + np.exp(-Z)))
    assert np.allclose(act.tanh(Z), (np.exp(Z) - np.exp(-Z)) / (np.exp(Z) + np.exp(-Z)))
    assert np.allclose(act.relu(Z), np.where(Z > 0, Z, 0))
    assert np.allclose(act.leaky_relu(Z), np.where(Z > 0, Z, 0.01 * Z))
    assert np.allclose(act.elu(Z), np.where(Z > 0, Z, np.exp(Z) - 1))
    assert list(act.step(np.array([-2.0, -1e-9, 0.0, 3.0]))) == [0, 0, 1, 1]


def test_slide_derivative_identities():
    g = act.sigmoid(Z)
    assert np.allclose(act.sigmoid_grad(Z), g * (1 - g))
    assert np.isclose(act.sigmoid_grad(0.0), 0.25)
    assert np.allclose(act.tanh_grad(Z), 1 - np.tanh(Z) ** 2)


@pytest.mark.parametrize("fn, grad", FUNCTIONS)
def test_derivatives_match_central_differences(fn, grad):
    h = 1e-6
    numerical = (fn(Z + h) - fn(Z - h)) / (2 * h)
    assert np.allclose(grad(Z), numerical, rtol=1e-6, atol=1e-8)


def test_sigmoid_does_not_overflow():
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        values = act.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    assert np.allclose(values, [0, 0.5, 1])


def test_softmax_is_a_stable_distribution():
    z = np.array([[1000.0, 1000.0, 999.0], [-5.0, 0.0, 5.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        p = act.softmax(z)
    assert np.all(np.isfinite(p))
    assert np.allclose(p.sum(axis=1), 1)
    e = np.exp(np.array([1.0, 1.0, 0.0]))
    assert np.allclose(p[0], e / e.sum())
    # negative scores still give positive probabilities (unlike dividing by the sum)
    assert np.all(p[1] > 0)
    assert np.allclose(act.softmax(z.T, axis=0), p.T)


def test_dtype_is_kept():
    z32 = Z.astype(np.float32)
    for fn, grad in FUNCTIONS:
        assert fn(z32).dtype == np.float32
        assert grad(z32).dtype == np.float32
    assert act.softmax(z32).dtype == np.float32
    assert act.relu(np.array([1, -2])).dtype == np.float64  # ints become floats


LAYERS = [act.Sigmoid, act.Tanh, act.ReLU, act.LeakyReLU, act.ELU, act.Softmax, act.Identity]


@pytest.mark.parametrize("layer_cls", LAYERS)
def test_layers_pass_gradient_check(layer_cls):
    x = np.random.default_rng(0).standard_normal((6, 5))
    assert check_layer(layer_cls(), x, rng=1) < 1e-6


@pytest.mark.parametrize("layer_cls", LAYERS)
def test_layer_backward_before_forward_is_a_clear_error(layer_cls):
    with pytest.raises(RuntimeError, match="before forward"):
        layer_cls().backward(np.ones((2, 3)))


def test_layer_backward_checks_gradient_shape():
    layer = act.ReLU()
    layer.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"expected grad_out of shape \(4, 3\)"):
        layer.backward(np.ones((3, 4)))


def test_get_activation():
    assert isinstance(act.get_activation("ReLU"), act.ReLU)
    with pytest.raises(ValueError, match="Unknown activation 'swish'"):
        act.get_activation("swish")
