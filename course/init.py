r"""Weight initialization (slides: "Weight initialization").

A layer's weights W^{[l]} have shape (fan_in, fan_out) = (n^{[l-1]}, n^{[l]}); biases start at 0.

* **Zero** (or any constant) initialization fails to *break symmetry*: every hidden unit of a
  layer computes the same thing and receives the same gradient, so they stay identical forever.
* **Random** initialization U(-r, r) or N(0, sigma^2) breaks it, but r or sigma must be chosen
  so that activations keep zero mean and the same variance from layer to layer.
* **Xavier (Glorot)**: Var(W) = 1 / fan_avg with fan_avg = (fan_in + fan_out) / 2, i.e.
  U(-r, r) with r = sqrt(3 / fan_avg), or N(0, 1 / fan_avg). Good for tanh and sigmoid.
* **He (Kaiming)**: Var(W) = 2 / fan_in, i.e. N(0, 2 / fan_in) or U(-r, r) with
  r = sqrt(3 sigma^2) = sqrt(6 / fan_in). Good for ReLU and its variants.

About the slides' He formula: the slide writes sigma^2 = 2 / n^{[l]}, the layer's *output* count
(fan_out). He et al. (2015) derive 2 / fan_in (keeps the forward activations' variance) as the
standard default, and note that 2 / fan_out keeps the backward gradients' variance instead. We
use fan_in by default; ``mode="fan_out"`` gives the slide's form.

All named initializers are two lines on top of one core, :func:`variance_scaling`
(Var(W) = scale / fan), as in Keras. Numbers are drawn in float64 and then cast to ``dtype``, so
a seed gives the same weights (up to rounding) in float32 and float64.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course.rng import RngLike, make_rng

FAN_MODES = ("fan_in", "fan_out", "fan_avg")
DISTRIBUTIONS = ("normal", "uniform")


def _check_fans(fan_in: int, fan_out: int) -> None:
    for name, value in (("fan_in", fan_in), ("fan_out", fan_out)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")


def zeros(shape, dtype=np.float64) -> np.ndarray:
    r"""W = 0: the zero initialization (fails to break symmetry; see the module docstring)."""
    return np.zeros(shape, dtype=dtype)


def uniform(shape, r: float, rng: RngLike = None, dtype=np.float64) -> np.ndarray:
    r"""W ~ U(-r, +r), the general uniform initialization (Var = r^2 / 3)."""
    if r < 0:
        raise ValueError(f"uniform initialization needs r >= 0, got r={r}")
    return make_rng(rng).uniform(-r, r, size=shape).astype(dtype)


def normal(shape, std: float, rng: RngLike = None, dtype=np.float64) -> np.ndarray:
    r"""W ~ N(mu = 0, sigma^2 = std^2), the general normal initialization."""
    if std < 0:
        raise ValueError(f"normal initialization needs std >= 0, got std={std}")
    return (make_rng(rng).standard_normal(size=shape) * std).astype(dtype)


def variance_scaling(
    fan_in: int,
    fan_out: int,
    scale: float = 1.0,
    mode: str = "fan_in",
    distribution: str = "normal",
    rng: RngLike = None,
    dtype=np.float64,
) -> np.ndarray:
    r"""The one core of Xavier and He: W of shape (fan_in, fan_out) with Var(W) = scale / n.

    n is ``fan_in``, ``fan_out`` or ``fan_avg = (fan_in + fan_out) / 2`` (``mode``).
    ``distribution="normal"``: W ~ N(0, scale / n).
    ``distribution="uniform"``: W ~ U(-r, r) with r = sqrt(3 scale / n) (a uniform on [-r, r]
    has variance r^2 / 3).
    """
    _check_fans(fan_in, fan_out)
    fans = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}
    if mode not in fans:
        raise ValueError(f"Unknown mode {mode!r}; choose one of {FAN_MODES}")
    variance = scale / fans[mode]
    shape = (fan_in, fan_out)
    if distribution == "normal":
        return normal(shape, std=np.sqrt(variance), rng=rng, dtype=dtype)
    if distribution == "uniform":
        return uniform(shape, r=np.sqrt(3 * variance), rng=rng, dtype=dtype)
    raise ValueError(f"Unknown distribution {distribution!r}; choose one of {DISTRIBUTIONS}")


def xavier_uniform(fan_in: int, fan_out: int, rng: RngLike = None, dtype=np.float64) -> np.ndarray:
    r"""Xavier/Glorot uniform: W ~ U(-r, r), r = sqrt(3 / fan_avg) (Glorot & Bengio, 2010)."""
    return variance_scaling(fan_in, fan_out, 1.0, "fan_avg", "uniform", rng, dtype)


def xavier_normal(fan_in: int, fan_out: int, rng: RngLike = None, dtype=np.float64) -> np.ndarray:
    r"""Xavier/Glorot normal: W ~ N(0, sigma^2), sigma^2 = 1 / fan_avg (Glorot & Bengio, 2010)."""
    return variance_scaling(fan_in, fan_out, 1.0, "fan_avg", "normal", rng, dtype)


def he_uniform(
    fan_in: int, fan_out: int, rng: RngLike = None, mode: str = "fan_in", dtype=np.float64
) -> np.ndarray:
    r"""He uniform: W ~ U(-r, r), r = sqrt(3 sigma^2) = sqrt(6 / n) (He et al., 2015).

    n = fan_in by default; ``mode="fan_out"`` uses n^{[l]} as the slides write it.
    """
    return variance_scaling(fan_in, fan_out, 2.0, mode, "uniform", rng, dtype)


def he_normal(
    fan_in: int, fan_out: int, rng: RngLike = None, mode: str = "fan_in", dtype=np.float64
) -> np.ndarray:
    r"""He normal: W ~ N(0, sigma^2), sigma^2 = 2 / n (He et al., 2015).

    n = fan_in by default; ``mode="fan_out"`` uses n^{[l]} as the slides write it.
    """
    return variance_scaling(fan_in, fan_out, 2.0, mode, "normal", rng, dtype)


def zeros_init(fan_in: int, fan_out: int, rng: RngLike = None, dtype=np.float64) -> np.ndarray:
    """Zero initialization in the (fan_in, fan_out, rng, dtype) form layers use."""
    _check_fans(fan_in, fan_out)
    return zeros((fan_in, fan_out), dtype=dtype)


def uniform_fan_in(fan_in: int, fan_out: int, rng: RngLike = None, dtype=np.float64) -> np.ndarray:
    r"""The slides' plain uniform initialization: W ~ U(-1/sqrt(n^{[l-1]}), 1/sqrt(n^{[l-1]})).

    Its variance 1 / (3 fan_in) is too small to keep activations alive through deep tanh or
    ReLU networks: the lecture's "uniform initialization problem".
    """
    _check_fans(fan_in, fan_out)
    return uniform((fan_in, fan_out), r=1 / np.sqrt(fan_in), rng=rng, dtype=dtype)


def normal_small(fan_in: int, fan_out: int, rng: RngLike = None, dtype=np.float64) -> np.ndarray:
    r"""A common naive choice: W ~ N(0, 0.01^2), whatever the layer's size."""
    _check_fans(fan_in, fan_out)
    return normal((fan_in, fan_out), std=0.01, rng=rng, dtype=dtype)


Initializer = Callable[..., np.ndarray]

INITIALIZERS: dict[str, Initializer] = {
    "zeros": zeros_init,
    "uniform": uniform_fan_in,
    "normal": normal_small,
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
}


def get_initializer(init: str | Initializer) -> Initializer:
    """Look an initializer up by name, or accept a callable ``f(fan_in, fan_out, rng, dtype)``."""
    if callable(init):
        return init
    if isinstance(init, str) and init.lower() in INITIALIZERS:
        return INITIALIZERS[init.lower()]
    raise ValueError(
        f"Unknown initializer {init!r}; choose one of {sorted(INITIALIZERS)} "
        "or pass a function f(fan_in, fan_out, rng, dtype)"
    )
