"""The base class every layer (and every network) shares.

A layer is one module of the computation graph (see the backpropagation slides). It knows two
things:

* ``forward(x)``: compute its output from its input and keep in a *cache* whatever the backward
  pass will need (the input, a mask, ...);
* ``backward(grad_out)``: given dJ/d(output), return dJ/d(input) by the chain rule, and *add*
  dJ/d(parameter) into each of its parameters' ``.grad`` (with ``Parameter.add_grad``). A whole
  network, :class:`~course.network.Sequential`, returns dJ/d(input) only when asked
  (``backward(grad_out, input_grad=True)``): its input is the data, whose gradient training
  never uses.

Layers that behave differently while training (dropout, batch normalization) read
``self.training``, switched by :meth:`Layer.train` and :meth:`Layer.eval`.
"""

from __future__ import annotations

import numpy as np

from course.parameter import Parameter


class Layer:
    """Base class: ``forward``, ``backward``, ``parameters``, ``train`` / ``eval``.

    Subclasses implement :meth:`forward` and :meth:`backward`, and register their parameters
    with :meth:`add_parameter` so that :meth:`parameters` finds them.
    """

    def __init__(self) -> None:
        self.training: bool = True
        self._parameters: list[Parameter] = []

    # -- the two passes -------------------------------------------------------------------
    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement forward(x)")

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement backward(grad_out)")

    def backward_params_only(self, grad_out: np.ndarray) -> None:
        """Accumulate the parameter gradients only (the input gradient is not needed).

        A network calls this on its first layer (whose input is the data). The default runs
        :meth:`backward` and drops its result; :class:`Dense` overrides it to save work.
        """
        self.backward(grad_out)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    # -- parameters and modes -------------------------------------------------------------
    def add_parameter(self, parameter: Parameter) -> Parameter:
        """Register a trainable parameter of this layer and return it."""
        self._parameters.append(parameter)
        return parameter

    def parameters(self) -> list[Parameter]:
        """The layer's trainable parameters (an empty list for layers without any)."""
        return list(self._parameters)

    def num_parameters(self) -> int:
        """How many trainable numbers the layer has."""
        return sum(p.size for p in self.parameters())

    def zero_grad(self) -> None:
        """Set the gradient of every parameter to zero."""
        for p in self.parameters():
            p.zero_grad()

    def train(self) -> Layer:
        """Switch to training mode (dropout drops, batch norm uses batch statistics)."""
        self.training = True
        return self

    def eval(self) -> Layer:
        """Switch to evaluation mode (dropout is the identity, batch norm uses running stats)."""
        self.training = False
        return self

    # -- helpers for subclasses -----------------------------------------------------------
    def _require_cache(self, cache):
        """Return ``cache``, or raise a clear error if backward comes before forward."""
        if cache is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward() was called before forward(): run a forward "
                "pass on a batch first, then backward with the gradient of its output."
            )
        return cache

    def _check_grad_shape(self, grad_out: np.ndarray, expected: tuple[int, ...]) -> np.ndarray:
        grad_out = np.asarray(grad_out)
        if grad_out.shape != tuple(expected):
            raise ValueError(
                f"{type(self).__name__}.backward expected grad_out of shape {tuple(expected)} "
                f"(the shape of the last forward output), got {grad_out.shape}"
            )
        return grad_out

    def extra_repr(self) -> str:
        """What to show inside the parentheses of ``repr`` (override in subclasses)."""
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"


def check_input(layer: Layer, x: np.ndarray, features: int | None = None) -> np.ndarray:
    """Check that ``x`` is a 2-D batch ``(batch, features)``; return it as an array.

    Raises a ValueError that names the layer, the expected shape and the shape that came.
    """
    x = np.asarray(x)
    if x.ndim != 2 or (features is not None and x.shape[1] != features):
        expected = f"(batch, {features})" if features is not None else "(batch, features)"
        hint = ""
        if x.ndim == 1:
            hint = " A single sample must be a row: use x.reshape(1, -1)."
        elif x.ndim > 2:
            hint = " Flatten each sample first, e.g. x.reshape(len(x), -1)."
        raise ValueError(
            f"{layer!r} expected input of shape {expected}, got shape {x.shape}.{hint}"
        )
    if x.dtype.kind != "f":  # not a floating dtype (float16 to longdouble): ints, bools
        x = x.astype(np.float64)
    return x
