"""Plain (stochastic, mini-batch) gradient descent."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from course.optim.base import Optimizer
from course.parameter import Parameter


class SGD(Optimizer):
    r"""Gradient descent: step against the gradient, scaled by the learning rate.

    .. math::

        \theta \leftarrow \theta - \eta \, \mathbf{g}, \qquad
        \mathbf{g} = \nabla_\theta \mathcal{J}

    With ``g`` computed on the whole training set this is batch gradient descent, on one example
    stochastic gradient descent, on a mini-batch mini-batch gradient descent: the rule is the same
    (Robbins & Monro, 1951, "A Stochastic Approximation Method").

    Args:
        params: the parameters to update (a list or a generator of Parameters).
        lr: the learning rate ``eta`` (>= 0).

    State per parameter: ``step`` (number of updates) and ``scratch`` (a work buffer).
    """

    def __init__(self, params: Iterable[Parameter], lr: float) -> None:
        super().__init__(params, lr)

    def _init_state(self, param: Parameter) -> dict:
        return {"step": 0, "scratch": np.empty_like(param.data)}

    def _update(self, param: Parameter, state: dict) -> None:
        theta, g, scratch = param.data, param.grad, state["scratch"]
        # theta = theta - lr * g
        np.multiply(g, self.lr, out=scratch)
        np.subtract(theta, scratch, out=theta)
