"""A trainable array and its gradient.

A :class:`Parameter` is what an optimizer updates: ``W^{[l]}`` and ``b^{[l]}`` of a dense layer,
``gamma`` and ``beta`` of a batch-norm layer. It holds the value in ``.data`` and the gradient of
the loss with respect to it, ``dJ/d(data)``, in ``.grad`` (same shape, zeros until a backward pass).

Backward passes *add* into ``.grad`` with :meth:`Parameter.add_grad` (so a parameter used twice
gets both contributions, as the chain rule says); call ``optimizer.zero_grad()`` before each new
backward pass.
"""

from __future__ import annotations

import numpy as np


class Parameter:
    """A trainable array ``data`` with its gradient ``grad``.

    Args:
        data: the initial value; it is copied into a new array (float64 unless ``dtype`` says or
            the input is already a floating array).
        name: an optional label shown in ``repr`` (for example ``"W1"``).
        dtype: the floating dtype to store (default: keep a floating input's dtype, else float64).
    """

    def __init__(self, data, name: str = "", dtype=None) -> None:
        array = np.asarray(data)
        if dtype is None:
            dtype = array.dtype if np.issubdtype(array.dtype, np.floating) else np.float64
        if not np.issubdtype(np.dtype(dtype), np.floating):
            raise TypeError(f"Parameter dtype must be a floating type, got {np.dtype(dtype)}")
        self.data: np.ndarray = np.array(array, dtype=dtype)  # always a copy
        self._grad: np.ndarray = np.zeros_like(self.data)
        self._grad_is_zero = False  # True after zero_grad(), until the gradient is used
        self.name = name

    @property
    def grad(self) -> np.ndarray:
        """dJ/d(data): the sum of the contributions added since the last :meth:`zero_grad`."""
        if self._grad_is_zero:
            self._grad.fill(0)
            self._grad_is_zero = False  # whoever reads it may write into it
        return self._grad

    @grad.setter
    def grad(self, value: np.ndarray) -> None:
        self._grad = value
        self._grad_is_zero = False

    def add_grad(self, contribution: np.ndarray) -> None:
        """``grad += contribution``: add one use's share of dJ/d(data), as the chain rule does.

        Right after :meth:`zero_grad` there is nothing to add to, so a ``contribution`` of the
        gradient's shape and dtype simply becomes the gradient (the layers pass a fresh array,
        such as ``A^T G``; it is kept, not copied). That gives the same numbers as adding it to
        zeros and spares two passes over memory, one to write the zeros and one to add, about
        as much as the update step itself costs (PyTorch's ``zero_grad()`` does the same, by
        setting ``.grad`` to None).
        """
        if (
            self._grad_is_zero
            and contribution.shape == self._grad.shape
            and contribution.dtype == self._grad.dtype
            and contribution.base is None  # an array of its own, not a view into another one
        ):
            self._grad = contribution
            self._grad_is_zero = False
        else:
            grad = self.grad
            grad += contribution

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def zero_grad(self) -> None:
        """Set the gradient to zero.

        Reading ``.grad`` afterwards gives zeros, in the same array as before (references to it
        stay valid). The zeros are written only when someone reads them: if a backward pass
        comes first, its contribution replaces them (see :meth:`add_grad`).
        """
        self._grad_is_zero = True

    def __repr__(self) -> str:
        label = f"{self.name!r}, " if self.name else ""
        return f"Parameter({label}shape={self.data.shape}, dtype={self.data.dtype})"
