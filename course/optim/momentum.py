"""Gradient descent with momentum: follow a moving average of the gradients."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from course.optim.base import Optimizer, check_decay_rate
from course.parameter import Parameter


class Momentum(Optimizer):
    r"""SGD with momentum (SGDM), in the slides' exponential-moving-average form.

    .. math::

        v \leftarrow \beta v + (1 - \beta) \, \mathbf{g}, \qquad
        \theta \leftarrow \theta - \eta \, v, \qquad v_0 = 0

    The velocity ``v`` averages the recent gradients (the last ``~1 / (1 - beta)`` of them count
    most), so steps along directions where the gradient keeps its sign grow, and zig-zags across a
    steep valley cancel out (Polyak, 1964, "Some methods of speeding up the convergence of iteration
    methods"; Rumelhart, Hinton & Williams, 1986).

    PyTorch's ``SGD(momentum=beta)`` accumulates ``v = beta v + g`` instead, without the
    ``(1 - beta)``. That only rescales ``v`` by ``1 / (1 - beta)``, so only the learning rate
    differs: PyTorch's ``SGD(lr=eta, momentum=beta)`` takes the same steps as
    ``Momentum(lr=eta / (1 - beta), beta=beta)`` (for ``beta = 0.9``, ten times the learning rate).

    Args:
        params: the parameters to update (a list or a generator of Parameters).
        lr: the learning rate ``eta`` (>= 0).
        beta: the momentum decay, in [0, 1) (0 gives plain SGD).

    State per parameter: ``velocity`` (``v``), ``step`` and ``scratch`` (a work buffer).
    """

    _hyperparameters = ("lr", "beta")

    def __init__(self, params: Iterable[Parameter], lr: float, beta: float = 0.9) -> None:
        super().__init__(params, lr)
        self.beta = check_decay_rate("beta", beta)

    def _init_state(self, param: Parameter) -> dict:
        return {
            "step": 0,
            "velocity": np.zeros_like(param.data),
            "scratch": np.empty_like(param.data),
        }

    def _update(self, param: Parameter, state: dict) -> None:
        theta, g = param.data, param.grad
        v, scratch = state["velocity"], state["scratch"]
        # v = beta * v + (1 - beta) * g
        np.multiply(v, self.beta, out=v)
        np.multiply(g, 1.0 - self.beta, out=scratch)
        np.add(v, scratch, out=v)
        # theta = theta - lr * v
        np.multiply(v, self.lr, out=scratch)
        np.subtract(theta, scratch, out=theta)
