"""Adam: momentum on the gradient plus RMSProp's per-coordinate scaling."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from course.optim.base import Optimizer, check_decay_rate, check_nonnegative
from course.parameter import Parameter


class Adam(Optimizer):
    r"""Adam (Adaptive Moment Estimation; Kingma & Ba, 2015, "Adam: A Method for Stochastic
    Optimization"), with the paper's bias correction by default.

    .. math::

        m_t = \beta_1 m_{t-1} + (1 - \beta_1) \left[\frac{\delta L}{\delta w_t}\right], \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) \left[\frac{\delta L}{\delta w_t}\right]^2

        \hat m_t = \frac{m_t}{1 - \beta_1^t}, \qquad
        \hat v_t = \frac{v_t}{1 - \beta_2^t}, \qquad
        w_{t+1} = w_t - \hat m_t \left(\frac{\alpha}{\sqrt{\hat v_t} + \varepsilon}\right)

    with ``m_0 = v_0 = 0`` and ``t = 1, 2, ...`` the step count, all operations elementwise.
    ``m`` is the momentum (a moving average of the gradient), ``v`` is RMSProp's moving average of
    the squared gradient.

    Bias correction: ``m`` and ``v`` start at 0, so early on they are too small by the factors
    ``1 - beta1^t`` and ``1 - beta2^t``; dividing by them fixes this. Without it, the first steps
    are tiny or (because ``1 - beta2`` is much smaller than ``1 - beta1``) too large. With it, the
    first step moves each coordinate by about ``alpha * sign(g)``.

    The slides write Adam without bias correction; ``bias_correction=False`` gives exactly their
    formula, ``w_{t+1} = w_t - m_t * alpha / (sqrt(v_t) + eps)``.

    Args:
        params: the parameters to update (a list or a generator of Parameters).
        lr: the learning rate ``alpha`` (>= 0).
        beta1: the decay of the gradient average ``m``, in [0, 1).
        beta2: the decay of the squared-gradient average ``v``, in [0, 1).
        eps: added to the denominator, >= 0.
        bias_correction: divide by ``1 - beta^t`` as in the paper (default) or not (the slides).

    State per parameter: ``exp_avg`` (``m``), ``exp_avg_sq`` (``v``), ``step`` (``t``) and
    ``scratch`` (a work buffer).
    """

    _hyperparameters = ("lr", "beta1", "beta2", "eps", "bias_correction")

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        bias_correction: bool = True,
    ) -> None:
        super().__init__(params, lr)
        self.beta1 = check_decay_rate("beta1", beta1)
        self.beta2 = check_decay_rate("beta2", beta2)
        self.eps = check_nonnegative("eps", eps)
        if not isinstance(bias_correction, (bool, np.bool_)):
            raise TypeError(
                f"bias_correction must be True or False, got {type(bias_correction).__name__}"
            )
        self.bias_correction = bool(bias_correction)

    def _init_state(self, param: Parameter) -> dict:
        return {
            "step": 0,
            "exp_avg": np.zeros_like(param.data),
            "exp_avg_sq": np.zeros_like(param.data),
            "scratch": np.empty_like(param.data),
        }

    def _update(self, param: Parameter, state: dict) -> None:
        theta, g = param.data, param.grad
        m, v, scratch = state["exp_avg"], state["exp_avg_sq"], state["scratch"]
        beta1, beta2, t = self.beta1, self.beta2, state["step"]

        # m = beta1 * m + (1 - beta1) * g
        np.multiply(m, beta1, out=m)
        np.multiply(g, 1.0 - beta1, out=scratch)
        np.add(m, scratch, out=m)
        # v = beta2 * v + (1 - beta2) * g^2
        np.multiply(v, beta2, out=v)
        np.multiply(g, g, out=scratch)
        np.multiply(scratch, 1.0 - beta2, out=scratch)
        np.add(v, scratch, out=v)

        # theta = theta - lr * m_hat / (sqrt(v_hat) + eps),  m_hat = m / c1,  v_hat = v / c2
        # with c1 = 1 - beta1^t and c2 = 1 - beta2^t (c1 = c2 = 1 without bias correction).
        # Computed without building m_hat and v_hat (as in Kingma & Ba, section 2), which is
        # the same number because eps is scaled too:
        #     theta = theta - step_size * m / (sqrt(v) + eps * sqrt(c2)),
        #     step_size = lr * sqrt(c2) / c1
        c1, c2 = (1.0 - beta1**t, 1.0 - beta2**t) if self.bias_correction else (1.0, 1.0)
        step_size = self.lr * math.sqrt(c2) / c1
        np.sqrt(v, out=scratch)
        np.add(scratch, self.eps * math.sqrt(c2), out=scratch)
        np.divide(m, scratch, out=scratch)
        np.multiply(scratch, step_size, out=scratch)
        np.subtract(theta, scratch, out=theta)
