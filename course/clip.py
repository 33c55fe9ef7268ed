"""Gradient clipping: keep one huge gradient from throwing the parameters far away.

Exploding gradients make a single update so large that training overshoots and diverges. Clipping
limits the gradient before the optimizer uses it, in two ways (slides, "Gradient clipping"):

* :func:`clip_by_value` clips every component into ``[low, high]``: simple, but it changes the
  direction of the gradient;
* :func:`clip_by_norm` rescales the whole gradient when its norm is too large: it keeps the
  direction and only controls the length (the slides recommend this one).

Both work in place on ``param.grad``; call them between the backward pass and ``optimizer.step()``::

    loss.backward ...                       # fills p.grad for every parameter
    norm = clip_by_norm(params, max_norm=5.0)
    optimizer.step()
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from course.optim.base import as_real_number, parameter_list
from course.parameter import Parameter


def clip_by_value(params: Iterable[Parameter], low: float, high: float) -> None:
    r"""Clip every gradient component into ``[low, high]``, in place.

    With the slides' thresholds ``alpha = high`` (max) and ``beta = low`` (min), for each
    component ``g_i`` of each parameter's gradient:

    .. math::

        g_i \leftarrow \alpha \ \text{ if } g_i > \alpha, \qquad
        g_i \leftarrow \beta \ \text{ if } g_i < \beta, \qquad
        \text{else } g_i \text{ is unchanged.}

    This **changes the direction** of the gradient (large components are cut, small ones are not),
    which can send the update into a bad neighbourhood; :func:`clip_by_norm` keeps the direction.

    Args:
        params: the parameters whose ``.grad`` to clip (a list or a generator).
        low: the lower threshold ``beta`` (may be ``-inf``).
        high: the upper threshold ``alpha`` (may be ``inf``); must be >= ``low``.
    """
    low, high = _threshold("low", low), _threshold("high", high)
    if low > high:
        raise ValueError(
            f"clip_by_value needs low <= high, got low={low} > high={high}; "
            "a usual choice is low = -high"
        )
    for param in parameter_list(params, "clip_by_value"):
        np.clip(param.grad, low, high, out=param.grad)


def clip_by_norm(params: Iterable[Parameter], max_norm: float) -> float:
    r"""Rescale all gradients together so that their global L2 norm is at most ``max_norm``.

    The norm is taken over all parameters' gradients as one long vector ``g``:

    .. math::

        \|g\| = \sqrt{\sum_{\text{params}} \sum_i g_i^2}, \qquad
        \text{if } \|g\| > v: \quad g \leftarrow \frac{g}{\|g\|} \, v

    with the threshold ``v = max_norm``. The scaling is the same for every parameter, so the
    **direction** of ``g`` is kept and only its length is limited.

    Args:
        params: the parameters whose ``.grad`` to rescale in place (a list or a generator).
        max_norm: the threshold ``v`` (> 0; ``inf`` only measures the norm).

    Returns:
        The global norm ``||g||`` measured *before* clipping (handy to log and plot: spikes show
        exploding gradients).

    Raises:
        ValueError: if the gradients contain NaN or inf (their norm is not finite, so there is no
            direction to keep). The gradients are left untouched. Training has usually already
            diverged by then: try a smaller learning rate.
    """
    max_norm = _threshold("max_norm", max_norm)
    if not max_norm > 0:
        raise ValueError(f"Invalid max_norm: {max_norm} (must be > 0)")
    params = parameter_list(params, "clip_by_norm")
    norm = _global_grad_norm(params)
    if not math.isfinite(norm):
        bad = [p.name or f"#{i}" for i, p in enumerate(params) if not np.isfinite(p.grad).all()]
        if bad:
            detail = f"the gradients contain NaN or inf (in parameter(s) {', '.join(bad)})"
        else:
            detail = "the gradients are so large that their squares overflow"
        raise ValueError(
            f"clip_by_norm: the gradient norm is {norm}: {detail}; "
            "training has probably diverged: try a smaller learning rate"
        )
    if norm > max_norm:
        # g = g / ||g|| * v
        scale = max_norm / norm
        for param in params:
            np.multiply(param.grad, scale, out=param.grad)
    return norm


def _global_grad_norm(params: list[Parameter]) -> float:
    """||g|| = sqrt(sum over params of sum_i g_i^2), all gradients taken as one long vector."""
    sum_sq = sum(float(np.vdot(p.grad, p.grad)) for p in params)  # vdot flattens, no new array
    if math.isinf(sum_sq) and all(np.isfinite(p.grad).all() for p in params):
        # float32 squares overflow for components above about 1.8e19: sum again in float64
        sum_sq = 0.0
        for p in params:
            g = p.grad.astype(np.float64)
            sum_sq += float(np.vdot(g, g))
    return math.sqrt(sum_sq)


def _threshold(name: str, value: float) -> float:
    """``value`` as a float; +-inf are fine thresholds, nan is not."""
    value = as_real_number(name, value)
    if math.isnan(value):
        raise ValueError(f"{name} must be a number or +-inf, got nan")
    return value
