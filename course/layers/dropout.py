r"""Dropout (slides: "Dropout: Training Time", "Dropout: Test Time").

At training time each neuron's output is set to zero with probability ``rate`` (the *dropout
rate*; ``keep = 1 - rate`` is the *keep probability*), by multiplying with a random binary mask
z (z_i = 1 with probability keep). Each mask is one member of an ensemble of networks that share
their weights.

At test time we want the average over the masks, E_z[f(x, z)]. For one layer,
E_train[a] = keep * E_test[a] (the slides' example with rate 0.5). Two ways to make training and
test agree:

* ``mode="inverted"`` (the standard today, the default): scale by 1 / keep at *training* time,
  a = x * z / keep, so E[a] = x; at test time the layer is the identity.
* ``mode="scale_at_test"`` (the slides' form, from Srivastava et al. 2014): a = x * z while
  training, and multiply by keep at *test* time, a = keep * x.

Both give the same expected activation; the inverted form leaves the test-time network untouched.
"""

from __future__ import annotations

import numpy as np

from course.layers.base import Layer, check_input
from course.rng import RngLike, make_rng

DROPOUT_MODES = ("inverted", "scale_at_test")


class Dropout(Layer):
    """Drop each input with probability ``rate`` while training.

    Args:
        rate: the drop probability, in [0, 1).
        rng: random generator or seed for the masks.
        mode: "inverted" (scale by 1/keep while training) or "scale_at_test" (scale by keep
            at test time, as on the slides).

    Attributes:
        mask: the binary mask z of the last training forward pass (1 = kept).
        fixed_mask: set it to a 0/1 array to use that mask instead of drawing one (for
            gradient checks and worked examples); ``None`` (the default) draws a new mask
            each forward pass.
    """

    def __init__(self, rate: float = 0.5, rng: RngLike = None, mode: str = "inverted") -> None:
        super().__init__()
        if not 0 <= rate < 1:
            raise ValueError(
                f"Dropout rate is the probability of dropping a unit and must be in [0, 1), "
                f"got {rate}"
            )
        if mode not in DROPOUT_MODES:
            raise ValueError(f"Unknown dropout mode {mode!r}; choose one of {DROPOUT_MODES}")
        self.rate = float(rate)
        self.mode = mode
        self.rng = make_rng(rng)
        self.mask: np.ndarray | None = None
        self.fixed_mask: np.ndarray | None = None
        self._scale_mask: np.ndarray | None = None  # what backward multiplies by

    @property
    def keep_prob(self) -> float:
        """The probability of keeping a unit, 1 - rate."""
        return 1.0 - self.rate

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = check_input(self, x)
        if not self.training:
            self._scale_mask = None
            if self.mode == "scale_at_test":
                return x * self.keep_prob  # E_test[a] = keep * x
            return x  # inverted dropout: the identity at test time
        mask = self._draw_mask(x)
        self.mask = mask
        if self.mode == "inverted":
            scaled = mask / self.keep_prob  # a = x * z / keep
        else:
            scaled = mask  # a = x * z
        self._scale_mask = scaled
        return x * scaled

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """dJ/dx = dJ/da * z / keep (inverted) or * z (scale_at_test) in training mode."""
        if self.training:
            scaled = self._require_cache(self._scale_mask)
            grad_out = self._check_grad_shape(grad_out, scaled.shape)
            return grad_out * scaled
        if self.mode == "scale_at_test":
            return np.asarray(grad_out) * self.keep_prob
        return np.asarray(grad_out)

    def _draw_mask(self, x: np.ndarray) -> np.ndarray:
        if self.fixed_mask is not None:
            mask = np.asarray(self.fixed_mask)
            if mask.shape != x.shape:
                raise ValueError(
                    f"Dropout.fixed_mask has shape {mask.shape} but the input has shape "
                    f"{x.shape}; set a mask of the input's shape or set fixed_mask = None"
                )
            return mask.astype(x.dtype)
        # u ~ U[0, 1) per unit; the unit is kept (z = 1) when u >= rate: P(keep) = 1 - rate
        u = self.rng.random(x.shape, dtype=x.dtype if x.dtype == np.float32 else np.float64)
        return (u >= self.rate).astype(x.dtype)

    def extra_repr(self) -> str:
        return f"rate={self.rate}, mode={self.mode!r}"
