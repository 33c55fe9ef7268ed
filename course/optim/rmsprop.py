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

    **Where eps goes.** The course divides by ``sqrt(v_t) + eps``, as PyTorch's
    ``torch.optim.RMSprop`` does. The slides write ``(v_t + eps)^(1/2)``, eps inside the root,
    and so does Keras 3 (``keras.optimizers.RMSprop``: ``lr * g / sqrt(v + epsilon)``, default
    ``epsilon = 1e-7``), as did tf.keras's RMSprop from TensorFlow 2.11 on. Older Keras used
    ``sqrt(v_t) + eps`` (standalone Keras 2 and tf.keras up to TensorFlow 2.10, kept as
    ``tf.keras.optimizers.legacy.RMSprop``), except that with ``momentum > 0`` it called
    TensorFlow's ``ApplyRMSProp`` kernel, which takes ``sqrt(v_t + eps)``.

    The two forms agree while the root mean square ``sqrt(v_t)`` of a coordinate's gradients is
    much larger than ``eps`` (outside) or ``sqrt(eps)`` (inside), and they differ for coordinates
    whose gradients are small: inside the root, eps bounds the denominator below by
    ``sqrt(eps)`` (``3.2e-4`` for Keras' ``1e-7``), so a coordinate with gradients of RMS
    ``1e-4`` takes steps about 3.3 times smaller than with our form; outside the root,
    ``eps = 1e-8`` only matters below an RMS of about ``1e-8``. The same number is therefore not
    the same setting: Keras' ``epsilon = e`` behaves roughly like ``eps = sqrt(e)`` here (within
    a factor sqrt(2), since ``sqrt(v + e) <= sqrt(v) + sqrt(e) <= sqrt(2) sqrt(v + e)``).
    The defaults here are Keras' ``lr = 0.001`` and ``beta = 0.9`` (PyTorch: ``lr = 0.01``,
    ``alpha = 0.99``) and PyTorch's ``eps = 1e-8``.

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
