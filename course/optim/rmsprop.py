"""RMSProp: divide the step by a moving root mean square of recent gradients."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from course.optim.base import Optimizer, check_decay_rate, check_nonnegative
from course.parameter import Parameter


class RMSProp(Optimizer):
    r"""RMSProp (Root Mean Square Propagation; Tieleman & Hinton, 2012, Coursera "Neural Networks
    for Machine Learning", lecture 6.5).

    .. math::

        v_t = \beta v_{t-1} + (1 - \beta) \left[\frac{\delta L}{\delta w_t}\right]^2

        w_{t+1} = w_t - \frac{\alpha}{\sqrt{v_t} + \epsilon}
                  \left[\frac{\delta L}{\delta w_t}\right]

    with ``v_0 = 0``, all operations elementwise. Like Adagrad it divides each coordinate's step by
    the size of its recent gradients, but ``v`` is an exponential moving average, so old gradients
    are forgotten and the steps do not shrink forever.

    The slides write the denominator as ``(v_t + eps)^(1/2)``; we use the standard
    ``sqrt(v_t) + eps`` (as PyTorch and Keras do). The two differ only when ``v_t`` is about
    ``eps`` or smaller, where ``eps`` just prevents a division by zero.

    Args:
        params: the parameters to update (a list or a generator of Parameters).
        lr: the learning rate ``alpha`` (>= 0).
        beta: the decay of the moving average, in [0, 1).
        eps: added to the denominator, >= 0 (with 0, a zero gradient on a fresh state gives nan).

    State per parameter: ``avg_sq_grad`` (``v``), ``step`` and ``scratch`` (a work buffer).
    """

    _hyperparameters = ("lr", "beta", "eps")

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 0.001,
        beta: float = 0.9,
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params, lr)
        self.beta = check_decay_rate("beta", beta)
        self.eps = check_nonnegative("eps", eps)

    def _init_state(self, param: Parameter) -> dict:
        return {
            "step": 0,
            "avg_sq_grad": np.zeros_like(param.data),
            "scratch": np.empty_like(param.data),
        }

    def _update(self, param: Parameter, state: dict) -> None:
        theta, g = param.data, param.grad
        v, scratch = state["avg_sq_grad"], state["scratch"]
        # v = beta * v + (1 - beta) * g^2
        np.multiply(v, self.beta, out=v)
        np.multiply(g, g, out=scratch)
        np.multiply(scratch, 1.0 - self.beta, out=scratch)
        np.add(v, scratch, out=v)
        # theta = theta - lr * g / (sqrt(v) + eps)
        np.sqrt(v, out=scratch)
        np.add(scratch, self.eps, out=scratch)
        np.divide(g, scratch, out=scratch)
        np.multiply(scratch, self.lr, out=scratch)
        np.subtract(theta, scratch, out=theta)
