"""The gradient checker itself: it must accept right gradients and reject wrong ones."""

import numpy as np
import pytest

from course.gradcheck import check_layer, numerical_gradient, relative_error
from course.layers import Dense


def test_numerical_gradient_of_known_functions():
    x = np.array([1.0, -2.0, 0.5])
    assert np.allclose(numerical_gradient(lambda v: np.sum(v**3), x), 3 * x**2, atol=1e-8)
    A = np.arange(9.0).reshape(3, 3)
    g = numerical_gradient(lambda v: v @ A @ v, x)
    assert np.allclose(g, (A + A.T) @ x, atol=1e-8)
    assert np.array_equal(x, [1.0, -2.0, 0.5])  # restored


def test_relative_error():
    a = np.array([1.0, 2.0, 3.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(a, -a) == pytest.approx(1.0)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    with pytest.raises(ValueError, match="same shape"):
        relative_error(a, a[:2])


class WrongDense(Dense):
    """A deliberately broken backward (forgets the transpose's partner): the check must fail."""

    def backward(self, grad_out):
        x = self._cache
        self.W.grad += x.T @ grad_out * 0.5
        self.b.grad += grad_out.sum(axis=0)
        return grad_out @ self.W.data.T


def test_check_layer_rejects_a_wrong_backward():
    x = np.random.default_rng(0).standard_normal((4, 3))
    assert check_layer(Dense(3, 2, rng=0), x) < 1e-7
    assert check_layer(WrongDense(3, 2, rng=0), x) > 0.1


def test_check_layer_needs_float64():
    with pytest.raises(ValueError, match="float64"):
        check_layer(Dense(3, 2, dtype=np.float32), np.ones((2, 3)))
