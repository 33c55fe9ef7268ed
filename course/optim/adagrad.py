"""Adagrad: a learning rate per coordinate, shrinking with the sum of its squared gradients."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from course.optim.base import Optimizer, check_nonnegative
from course.parameter import Parameter


class Adagrad(Optimizer):
    r"""Adagrad (Adaptive Gradient; Duchi, Hazan & Singer, 2011, "Adaptive Subgradient Methods for
    Online Learning and Stochastic Optimization").

    .. math::

        G_0 = 0, \qquad
        G_{t+1} \leftarrow G_t + \mathbf{g}^2, \qquad
        \theta \leftarrow \theta - \eta \, \frac{\mathbf{g}}{\sqrt{G_{t+1}} + \epsilon}

    (all operations elementwise). A coordinate with steep, large gradients builds up a large
    ``G`` and takes small steps; a gentle one keeps a large effective learning rate. Every past
    gradient counts equally, so the steps only ever shrink (RMSProp and Adadelta fix that with a
    moving average).

    Args:
        params: the parameters to update (a list or a generator of Parameters).
        lr: the learning rate ``eta`` (>= 0).
        eps: added to the denominator, >= 0 (the slides write ``1e-5``; ``1e-8`` is the usual
            default). With ``eps = 0`` a coordinate whose gradients so far are all zero gives
            ``0 / 0 = nan``: keep it positive.

    State per parameter: ``sum_sq_grad`` (``G``), ``step`` and ``scratch`` (a work buffer).
    """

    _hyperparameters = ("lr", "eps")

    def __init__(self, params: Iterable[Parameter], lr: float = 0.01, eps: float = 1e-8) -> None:
        super().__init__(params, lr)
        self.eps = check_nonnegative("eps", eps)

    def _init_state(self, param: Parameter) -> dict:
        return {
            "step": 0,
            "sum_sq_grad": np.zeros_like(param.data),
            "scratch": np.empty_like(param.data),
        }

    def _update(self, param: Parameter, state: dict) -> None:
        theta, g = param.data, param.grad
        G, scratch = state["sum_sq_grad"], state["scratch"]
        # G = G + g^2
        np.multiply(g, g, out=scratch)
        np.add(G, scratch, out=G)
        # theta = theta - lr * g / (sqrt(G) + eps)
        np.sqrt(G, out=scratch)
        np.add(scratch, self.eps, out=scratch)
        np.divide(g, scratch, out=scratch)
        np.multiply(scratch, self.lr, out=scratch)
        np.subtract(theta, scratch, out=theta)
