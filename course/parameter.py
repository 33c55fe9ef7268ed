"""A trainable array and its gradient.

A :class:`Parameter` is what an optimizer updates: ``W^{[l]}`` and ``b^{[l]}`` of a dense layer,
``gamma`` and ``beta`` of a batch-norm layer. It holds the value in ``.data`` and the gradient of
the loss with respect to it, ``dJ/d(data)``, in ``.grad`` (same shape, zeros until a backward pass).

Backward passes *add* into ``.grad`` (so a parameter used twice gets both contributions, as the
chain rule says); call ``optimizer.zero_grad()`` before each new backward pass.
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
        self.grad: np.ndarray = np.zeros_like(self.data)
        self.name = name

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
        """Set the gradient to zero (in place, so references to ``.grad`` stay valid)."""
        self.grad.fill(0)

    def __repr__(self) -> str:
        label = f"{self.name!r}, " if self.name else ""
        return f"Parameter({label}shape={self.data.shape}, dtype={self.data.dtype})"
