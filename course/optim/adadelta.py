"""Adadelta: RMSProp whose step size comes from the past updates themselves."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from course.optim.base import Optimizer, check_decay_rate, check_positive
from course.parameter import Parameter


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012, "ADADELTA: An Adaptive Learning Rate Method").

    .. math::

        E[g^2]_t = \rho \, E[g^2]_{t-1} + (1 - \rho) \, \mathbf{g}^2

        \Delta\theta_t = - \frac{\sqrt{E[\Delta\theta^2]_{t-1} + \epsilon}}
                                {\sqrt{E[g^2]_t + \epsilon}} \, \mathbf{g}

        E[\Delta\theta^2]_t = \rho \, E[\Delta\theta^2]_{t-1} + (1 - \rho) \, \Delta\theta_t^2

        \theta \leftarrow \theta + \eta \, \Delta\theta_t

    with both averages starting at 0, all operations elementwise. Like RMSProp it divides by a
    root mean square of recent gradients; instead of a hand-picked learning rate it multiplies by
    the root mean square of recent *updates*, so the step has the units of ``theta``. Zeiler's
    method has no learning rate; ``eta`` (default 1.0, which is Zeiler's rule) scales the step as
    in PyTorch's ``Adadelta(lr=)``. The running average of updates uses ``Delta theta`` before
    that scaling.

    Args:
        params: the parameters to update (a list or a generator of Parameters).
        rho: the decay of both moving averages, in [0, 1).
        eps: > 0; it also sets the size of the first steps, since ``E[Delta theta^2]`` starts
            at 0: after one step ``E[g^2] = (1 - rho) g^2``, so the first step is
            ``sqrt(eps) / sqrt((1 - rho) g^2 + eps) * g``, about ``sqrt(eps / (1 - rho))`` per
            coordinate (3.2e-3 with the defaults; lecture 7 checks it). With ``eps = 0`` nothing
            would ever move.
        lr: the learning rate ``eta`` (>= 0) that scales each update.

    State per parameter: ``avg_sq_grad`` (``E[g^2]``), ``avg_sq_delta`` (``E[Delta theta^2]``),
    ``delta`` (the last ``Delta theta``), ``step`` and ``scratch`` (a work buffer).
    """

    _hyperparameters = ("rho", "eps", "lr")

    def __init__(
        self,
        params: Iterable[Parameter],
        rho: float = 0.9,
        eps: float = 1e-6,
        lr: float = 1.0,
    ) -> None:
        super().__init__(params, lr)
        self.rho = check_decay_rate("rho", rho)
        self.eps = check_positive("eps", eps)

    def _init_state(self, param: Parameter) -> dict:
        return {
            "step": 0,
            "avg_sq_grad": np.zeros_like(param.data),
            "avg_sq_delta": np.zeros_like(param.data),
            "delta": np.zeros_like(param.data),
            "scratch": np.empty_like(param.data),
        }

    def _update(self, param: Parameter, state: dict) -> None:
        theta, g, rho, eps = param.data, param.grad, self.rho, self.eps
        avg_sq_grad, avg_sq_delta = state["avg_sq_grad"], state["avg_sq_delta"]
        delta, scratch = state["delta"], state["scratch"]

        # E[g^2] = rho * E[g^2] + (1 - rho) * g^2
        np.multiply(avg_sq_grad, rho, out=avg_sq_grad)
        np.multiply(g, g, out=scratch)
        np.multiply(scratch, 1.0 - rho, out=scratch)
        np.add(avg_sq_grad, scratch, out=avg_sq_grad)
        # delta = -sqrt(E[dtheta^2] + eps) / sqrt(E[g^2] + eps) * g
        np.add(avg_sq_delta, eps, out=delta)
        np.sqrt(delta, out=delta)
        np.add(avg_sq_grad, eps, out=scratch)
        np.sqrt(scratch, out=scratch)
        np.divide(delta, scratch, out=delta)
        np.multiply(delta, g, out=delta)
        np.negative(delta, out=delta)
        # E[dtheta^2] = rho * E[dtheta^2] + (1 - rho) * delta^2
        np.multiply(avg_sq_delta, rho, out=avg_sq_delta)
        np.multiply(delta, delta, out=scratch)
        np.multiply(scratch, 1.0 - rho, out=scratch)
        np.add(avg_sq_delta, scratch, out=avg_sq_delta)
        # theta = theta + lr * delta
        np.multiply(delta, self.lr, out=scratch)
        np.add(theta, scratch, out=theta)
