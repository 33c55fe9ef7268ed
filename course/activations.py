r"""Activation functions g(z), their derivatives g'(z), and activation layers.

The slides: "the purpose of an activation function is to introduce non-linearities into the
network"; with only linear activations a network of any depth is a linear function of its input.

Each activation is written twice, on purpose:

* as a plain function of ``z`` (``sigmoid(z)``) with its derivative ``sigmoid_grad(z)``
  (dg/dz at ``z``), for plots and for reading the math;
* as a layer (``Sigmoid()``) with ``forward``/``backward`` for use in a :class:`Sequential`
  network. The layer's backward is the chain rule for one module:
  dJ/dz = dJ/da * g'(z), element by element.

All functions work element-wise on arrays of any shape and keep a floating input's dtype.
"""

from __future__ import annotations

import numpy as np

from course.layers.base import Layer


def _as_float_array(z) -> np.ndarray:
    z = np.asarray(z)
    if z.dtype.kind != "f":  # not a floating dtype: ints, bools
        z = z.astype(np.float64)
    return z


# --------------------------------------------------------------------------------------------
# Functions and their derivatives
# --------------------------------------------------------------------------------------------
def step(z) -> np.ndarray:
    r"""Heaviside step: g(z) = 1 if z >= 0 else 0 (the McCulloch-Pitts neuron "fires").

    Its derivative is 0 almost everywhere, which is why gradient descent needs smooth
    activations instead.
    """
    z = _as_float_array(z)
    return (z >= 0).astype(z.dtype)


def sigmoid(z) -> np.ndarray:
    r"""Logistic sigmoid: g(z) = 1 / (1 + e^{-z}), with values in (0, 1).

    Computed without overflow for large |z|: for z < 0 it uses the equal form
    e^{z} / (1 + e^{z}).
    """
    z = _as_float_array(z)
    e = np.exp(-np.abs(z))  # in (0, 1], never overflows
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype, copy=False)


def sigmoid_grad(z) -> np.ndarray:
    r"""Derivative of the sigmoid at z: g'(z) = g(z) (1 - g(z)), at most 1/4 (at z = 0)."""
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z) -> np.ndarray:
    r"""Hyperbolic tangent: g(z) = (e^z - e^{-z}) / (e^z + e^{-z}), with values in (-1, 1)."""
    return np.tanh(_as_float_array(z))


def tanh_grad(z) -> np.ndarray:
    r"""Derivative of tanh at z: g'(z) = 1 - g(z)^2."""
    t = tanh(z)
    return 1 - t * t


def relu(z) -> np.ndarray:
    r"""Rectified linear unit: g(z) = max(0, z)."""
    z = _as_float_array(z)
    return np.maximum(z, 0)


def relu_grad(z) -> np.ndarray:
    r"""Derivative of ReLU: g'(z) = 1 if z > 0, else 0 (the slides take 0 at z = 0)."""
    z = _as_float_array(z)
    return (z > 0).astype(z.dtype)


def leaky_relu(z, alpha: float = 0.01) -> np.ndarray:
    r"""Leaky ReLU: g(z) = z if z > 0, else alpha z (a small slope keeps negative units alive)."""
    z = _as_float_array(z)
    return np.where(z > 0, z, z * alpha)


def leaky_relu_grad(z, alpha: float = 0.01) -> np.ndarray:
    r"""Derivative of leaky ReLU: g'(z) = 1 if z > 0, else alpha."""
    z = _as_float_array(z)
    grad = np.full_like(z, alpha)
    grad[z > 0] = 1
    return grad


def elu(z, alpha: float = 1.0) -> np.ndarray:
    r"""Exponential linear unit: g(z) = z if z > 0, else alpha (e^z - 1)."""
    z = _as_float_array(z)
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))


def elu_grad(z, alpha: float = 1.0) -> np.ndarray:
    r"""Derivative of ELU: g'(z) = 1 if z > 0, else alpha e^z."""
    z = _as_float_array(z)
    return np.where(z > 0, np.ones_like(z), alpha * np.exp(np.minimum(z, 0)))


def softmax(z, axis: int = -1) -> np.ndarray:
    r"""Softmax: sigma(z)_i = e^{z_i} / sum_{j=1}^{K} e^{z_j}, a vector of probabilities.

    Numerically stable: softmax(z) = softmax(z - max_j z_j) (the factor e^{-max} cancels), so
    the largest exponent is e^0 = 1 and nothing overflows, even at z = 1000.
    Every entry is positive, whatever the sign of z: that is why dividing the raw scores by
    their sum would not do (negative scores would give negative "probabilities").
    """
    z = _as_float_array(z)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


# --------------------------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------------------------
class Activation(Layer):
    """Base class of the activation layers: a = g(z) element by element, no parameters.

    Subclasses set ``name`` and implement ``forward`` (keeping a cache) and ``backward``.
    """

    name = "activation"

    def __init__(self) -> None:
        super().__init__()
        self._cache: np.ndarray | None = None

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        cache = self._require_cache(self._cache)
        grad_out = self._check_grad_shape(grad_out, cache.shape)
        return self._backward(grad_out, cache)

    def _backward(self, grad_out: np.ndarray, cache: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class Sigmoid(Activation):
    """a = sigmoid(z); backward: dJ/dz = dJ/da * a (1 - a) (caches the output a)."""

    name = "sigmoid"

    def forward(self, x: np.ndarray) -> np.ndarray:
        a = sigmoid(x)
        self._cache = a
        return a

    def _backward(self, grad_out, a):
        return grad_out * a * (1 - a)


class Tanh(Activation):
    """a = tanh(z); backward: dJ/dz = dJ/da * (1 - a^2) (caches the output a)."""

    name = "tanh"

    def forward(self, x: np.ndarray) -> np.ndarray:
        a = tanh(x)
        self._cache = a
        return a

    def _backward(self, grad_out, a):
        return grad_out * (1 - a * a)


class ReLU(Activation):
    """a = max(0, z); backward: dJ/dz = dJ/da where z > 0, else 0 (caches the input z)."""

    name = "relu"

    def forward(self, x: np.ndarray) -> np.ndarray:
        z = _as_float_array(x)
        self._cache = z
        return np.maximum(z, 0)

    def _backward(self, grad_out, z):
        return grad_out * (z > 0)


class LeakyReLU(Activation):
    """a = z if z > 0 else alpha z; backward: dJ/dz = dJ/da * (1 or alpha)."""

    name = "leaky_relu"

    def __init__(self, alpha: float = 0.01) -> None:
        super().__init__()
        self.alpha = float(alpha)

    def forward(self, x: np.ndarray) -> np.ndarray:
        z = _as_float_array(x)
        self._cache = z
        return leaky_relu(z, self.alpha)

    def _backward(self, grad_out, z):
        return grad_out * leaky_relu_grad(z, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class ELU(Activation):
    """a = z if z > 0 else alpha (e^z - 1); backward: dJ/dz = dJ/da * (1 or alpha e^z)."""

    name = "elu"

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = float(alpha)

    def forward(self, x: np.ndarray) -> np.ndarray:
        z = _as_float_array(x)
        self._cache = z
        return elu(z, self.alpha)

    def _backward(self, grad_out, z):
        return grad_out * elu_grad(z, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class Identity(Activation):
    """a = z (a linear activation); backward passes the gradient through unchanged."""

    name = "linear"

    def forward(self, x: np.ndarray) -> np.ndarray:
        z = _as_float_array(x)
        self._cache = z
        return z

    def _backward(self, grad_out, z):
        return grad_out


class Softmax(Activation):
    r"""a = softmax(z) along the last axis (each row of a batch is one distribution).

    backward: the Jacobian of softmax is da_i/dz_j = a_i (delta_ij - a_j), so
    dJ/dz_j = a_j (dJ/da_j - sum_i dJ/da_i a_i). In practice, combine softmax with the
    cross-entropy loss (:class:`course.losses.SoftmaxCrossEntropy`): its gradient is simply
    a - y and it is numerically safer.
    """

    name = "softmax"

    def forward(self, x: np.ndarray) -> np.ndarray:
        a = softmax(x, axis=-1)
        self._cache = a
        return a

    def _backward(self, grad_out, a):
        return a * (grad_out - np.sum(grad_out * a, axis=-1, keepdims=True))


ACTIVATIONS: dict[str, type[Activation]] = {
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "elu": ELU,
    "linear": Identity,
    "softmax": Softmax,
}


def get_activation(name: str) -> Activation:
    """Make an activation layer from its name ("relu", "tanh", ...)."""
    try:
        return ACTIVATIONS[name.lower()]()
    except KeyError:
        raise ValueError(
            f"Unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}"
        ) from None
