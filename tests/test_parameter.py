"""Parameter: zero_grad and add_grad keep the chain rule's sum, and spare the zeros' pass."""

import numpy as np

from course.activations import Tanh
from course.gradcheck import check_layer
from course.layers import Dense, Layer
from course.network import Sequential
from course.parameter import Parameter

RNG = np.random.default_rng(3)


def test_a_fresh_parameter_has_a_zero_gradient():
    p = Parameter(np.ones((2, 3)))
    assert p.grad.shape == (2, 3) and not p.grad.any()


def test_zero_grad_reads_as_zeros_in_the_same_array():
    p = Parameter(np.ones(4))
    grad = p.grad
    grad += 5.0
    p.zero_grad()
    assert p.grad is grad and not grad.any()


def test_the_first_contribution_after_zero_grad_becomes_the_gradient():
    p = Parameter(np.ones((2, 2)))
    p.grad[...] = 7.0
    p.zero_grad()
    first = RNG.standard_normal((2, 2))
    p.add_grad(first)
    assert p.grad is first  # kept, not copied: no pass over memory
    second = RNG.standard_normal((2, 2))
    expected = first + second
    p.add_grad(second)
    np.testing.assert_array_equal(p.grad, expected)  # later ones are added (into `first`)


def test_without_zero_grad_contributions_add_up():
    p = Parameter(np.zeros(3))
    p.grad[...] = [1.0, 2.0, 3.0]
    p.add_grad(np.array([10.0, 20.0, 30.0]))
    np.testing.assert_array_equal(p.grad, [11.0, 22.0, 33.0])


def test_a_gradient_read_before_the_backward_pass_receives_it():
    """Someone who holds .grad (read after zero_grad) sees the gradient added into that array."""
    p = Parameter(np.zeros(3))
    p.grad[...] = 4.0
    p.zero_grad()
    held = p.grad
    p.add_grad(np.array([1.0, 2.0, 3.0]))
    assert p.grad is held
    np.testing.assert_array_equal(held, [1.0, 2.0, 3.0])


def test_contributions_that_cannot_be_kept_are_copied_in():
    p = Parameter(np.zeros((2, 2)), dtype=np.float32)
    p.zero_grad()
    contribution = np.arange(4.0).reshape(2, 2)  # float64: the gradient stays float32
    p.add_grad(contribution)
    assert p.grad.dtype == np.float32 and p.grad is not contribution
    np.testing.assert_array_equal(p.grad, [[0, 1], [2, 3]])
    p.zero_grad()
    big = np.arange(8.0, dtype=np.float32).reshape(2, 4)
    view = big[:, :2]  # a view into another array: it might change, so it is not kept
    p.add_grad(view)
    assert p.grad is not view and not np.shares_memory(p.grad, big)
    np.testing.assert_array_equal(p.grad, [[0, 1], [4, 5]])


class TwoUses(Layer):
    """a = x w + x^2 w: one parameter w (per feature) used twice, two add_grad calls."""

    def __init__(self, features: int) -> None:
        super().__init__()
        self.w = self.add_parameter(Parameter(RNG.standard_normal(features)))

    def forward(self, x):
        self._cache = x
        return x * self.w.data + x**2 * self.w.data

    def backward(self, grad_out):
        x = self._cache
        self.w.add_grad((grad_out * x).sum(axis=0))  # from the use in x w
        self.w.add_grad((grad_out * x**2).sum(axis=0))  # from the use in x^2 w
        return grad_out * (self.w.data + 2 * x * self.w.data)


def test_a_parameter_used_twice_gets_both_contributions():
    """The chain rule sums over a parameter's uses: checked against central differences, after
    zero_grad (the first contribution is kept, the second added to it)."""
    layer = TwoUses(3)
    x = RNG.standard_normal((5, 3))
    assert check_layer(layer, x, rng=0) < 1e-6
    model = Sequential(Dense(3, 3, rng=1), Tanh(), layer)
    assert check_layer(model, x, rng=0) < 1e-6


def test_dense_computes_in_its_own_dtype():
    """A float64 batch into a float32 layer is rounded first, instead of the whole network
    computing in float64."""
    layer = Dense(4, 3, rng=0, dtype=np.float32)
    x = RNG.standard_normal((6, 4))
    out = layer.forward(x)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, x.astype(np.float32) @ layer.W.data + layer.b.data)
    layer.zero_grad()
    layer.backward(np.ones((6, 3), dtype=np.float32))
    assert layer.W.grad.dtype == np.float32
    np.testing.assert_array_equal(layer.W.grad, x.astype(np.float32).T @ np.ones((6, 3),
                                                                                np.float32))
    wide = Dense(4, 3, rng=0)  # float64: a float32 batch is widened exactly
    x32 = x.astype(np.float32)
    np.testing.assert_array_equal(wide.forward(x32), x32.astype(np.float64) @ wide.W.data)
