r"""Gradient checking: compare backpropagation with numerical derivatives.

The central difference approximates a partial derivative with an error of order h^2:

    df/dx_i ~ ( f(x + h e_i) - f(x - h e_i) ) / (2 h)

It costs two evaluations of f per coordinate, far too slow for training, but it is an
independent check of an analytic gradient. The agreement is measured by the relative error

    rel(a, b) = ||a - b|| / max(||a|| + ||b||, tiny)

which is below 1e-7 or so in float64 when backward is right, and around 1 when it is wrong.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course.network import input_gradient
from course.rng import RngLike, make_rng


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    r"""Central-difference gradient of a scalar function f at x: (f(x + h e_i) - f(x - h e_i)) / 2h.

    ``f`` is called as ``f(x)``; x is changed in place one coordinate at a time and restored,
    so f may also read x from elsewhere (for example when x is a layer's weight array).
    """
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"numerical_gradient needs a floating array, got dtype {x.dtype}")
    grad = np.zeros(x.shape, dtype=np.float64)
    flat_x = x.reshape(-1)  # a view: writing into it changes x
    flat_grad = grad.reshape(-1)
    for i in range(flat_x.size):
        original = flat_x[i]
        flat_x[i] = original + h
        f_plus = float(f(x))
        flat_x[i] = original - h
        f_minus = float(f(x))
        flat_x[i] = original
        flat_grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray, floor: float = 1e-12) -> float:
    r"""rel(a, b) = ||a - b|| / max(||a|| + ||b||, floor): 0 when equal, about 1 when unrelated.

    ``floor`` keeps two gradients that are both (almost) zero from looking different: their
    difference is then measured against ``floor`` instead of their own tiny norms.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(
            f"relative_error needs arrays of the same shape, got {a.shape} and {b.shape}"
        )
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), floor))


def check_layer(layer, x: np.ndarray, rng: RngLike = None, h: float = 1e-5) -> float:
    r"""Max relative error between a layer's backward pass and numerical gradients.

    Uses the scalar J = sum(forward(x) * G) with a random upstream gradient G, so that
    dJ/d(output) = G. Backward gives dJ/dx and adds dJ/dtheta into each parameter's ``.grad``;
    both are compared with :func:`numerical_gradient`. The layer stays in its current mode
    (call ``layer.eval()`` first to check the evaluation-mode pass). Parameter gradients are
    reset to zero before and after.

    The layer's forward pass must be deterministic (set ``Dropout.fixed_mask``) and the check
    needs float64 (float32 rounding swamps a difference quotient).
    """
    x = np.array(x, dtype=np.float64)  # a copy we may perturb
    for p in layer.parameters():
        if p.data.dtype != np.float64:
            raise ValueError(
                f"check_layer needs float64 parameters, but {p!r} is {p.data.dtype}: build the "
                "layer with dtype=np.float64"
            )
    out = layer.forward(x)
    if not np.array_equal(out, layer.forward(x)):
        raise ValueError(
            f"{layer!r} gives different outputs for the same input (random masks?); make it "
            "deterministic before checking, e.g. set dropout.fixed_mask to a 0/1 array"
        )
    upstream = make_rng(rng).standard_normal(out.shape)

    def objective(_: np.ndarray) -> float:
        return float(np.sum(layer.forward(x) * upstream))

    layer.zero_grad()
    layer.forward(x)
    pairs = [(input_gradient(layer, upstream), numerical_gradient(objective, x, h))]
    for p in layer.parameters():
        pairs.append((p.grad.copy(), numerical_gradient(objective, p.data, h)))
    layer.zero_grad()
    # A gradient that is truly zero (the bias of a Dense layer followed by BatchNorm: the batch
    # mean cancels it) is compared against 1e-4 of the largest gradient in the check, not against
    # its own rounding noise; any real mistake still gives an error far above 1e-6.
    scale = max(np.linalg.norm(analytic) for analytic, _ in pairs)
    return max(relative_error(a, n, floor=max(1e-4 * scale, 1e-12)) for a, n in pairs)
