r"""Batch normalization (slides: "Batch normalization"; Ioffe & Szegedy, 2015).

A layer between a hidden layer and the next that normalizes each feature over the mini-batch,
then lets the network re-scale and re-shift it with two learnable parameters per feature,
gamma (scale) and beta (shift). For a batch X of shape (m, n), feature by feature:

    mu_B      = (1/m) sum_i x_i                         (batch mean)
    sigma_B^2 = (1/m) sum_i (x_i - mu_B)^2              (batch variance)
    x_hat_i   = (x_i - mu_B) / sqrt(sigma_B^2 + eps)    (normalized: mean 0, variance 1)
    y_i       = gamma * x_hat_i + beta                  (scale and shift)

Training vs inference: while training the layer uses the batch statistics and keeps moving
averages of them, the two non-learnable parameters of the slides:

    running_mean = momentum * running_mean + (1 - momentum) * mu_B
    running_var  = momentum * running_var  + (1 - momentum) * sigma_B^2 * m / (m - 1)

(the unbiased variance, as in the paper's inference step). At inference time, when there may be a
single sample, the layer uses running_mean and running_var in place of mu_B and sigma_B^2, so it
is a fixed affine map. ``momentum`` follows Keras (0.9 keeps 90% of the old average); PyTorch's
``momentum=0.1`` means the same thing the other way round.

Backward (training mode), with G = dJ/dY:

    dJ/dgamma = sum_i G_i x_hat_i       dJ/dbeta = sum_i G_i
    dJ/dx_i   = gamma / (m sqrt(sigma_B^2 + eps)) * (m G_i - sum_j G_j - x_hat_i sum_j G_j x_hat_j)

(the mean and the variance depend on every x_i, hence the two sums).
"""

from __future__ import annotations

import numpy as np

from course.layers.base import Layer, check_input
from course.parameter import Parameter


class BatchNorm(Layer):
    """Normalize each of ``num_features`` features over the batch, then scale and shift.

    Args:
        num_features: n, the number of features (columns) of the input.
        momentum: weight of the old value in the running averages, in [0, 1).
        eps: added to the variance before the square root, > 0.
        dtype: dtype of gamma, beta and the running statistics.

    Attributes:
        gamma, beta: learnable Parameters of shape (n,), starting at 1 and 0.
        running_mean, running_var: the moving averages used in eval mode (start at 0 and 1).
    """

    def __init__(
        self, num_features: int, momentum: float = 0.9, eps: float = 1e-5, dtype=np.float64
    ) -> None:
        super().__init__()
        if not isinstance(num_features, (int, np.integer)) or num_features < 1:
            raise ValueError(f"BatchNorm num_features must be a positive int, got {num_features!r}")
        if not 0 <= momentum < 1:
            raise ValueError(f"BatchNorm momentum must be in [0, 1), got {momentum}")
        if not eps > 0:
            raise ValueError(f"BatchNorm eps must be > 0, got {eps}")
        self.num_features = int(num_features)
        self.momentum = float(momentum)
        self.eps = float(eps)
        self.gamma = self.add_parameter(Parameter(np.ones(num_features), name="gamma", dtype=dtype))
        self.beta = self.add_parameter(Parameter(np.zeros(num_features), name="beta", dtype=dtype))
        self.running_mean = np.zeros(num_features, dtype=dtype)
        self.running_var = np.ones(num_features, dtype=dtype)
        self._cache: tuple | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = check_input(self, x, self.num_features)
        if self.training:
            return self._forward_train(x)
        return self._forward_eval(x)

    def _forward_train(self, x: np.ndarray) -> np.ndarray:
        m = x.shape[0]
        if m < 2:
            raise ValueError(
                "BatchNorm in training mode needs a batch of at least 2 samples to compute a "
                f"variance, got a batch of {m}; use a larger batch or call model.eval()"
            )
        mu = x.mean(axis=0)
        centred = x - mu
        var = (centred * centred).mean(axis=0)  # what x.var(axis=0) computes, without x - mu again
        inv_std = 1 / np.sqrt(var + self.eps)
        x_hat = centred * inv_std
        self._cache = ("train", x_hat, inv_std)
        self._update_running_stats(mu, var * m / (m - 1))
        return self.gamma.data * x_hat + self.beta.data

    def _forward_eval(self, x: np.ndarray) -> np.ndarray:
        inv_std = 1 / np.sqrt(self.running_var + self.eps)
        x_hat = (x - self.running_mean) * inv_std
        self._cache = ("eval", x_hat, inv_std)
        return self.gamma.data * x_hat + self.beta.data

    def _update_running_stats(self, mu: np.ndarray, unbiased_var: np.ndarray) -> None:
        self.running_mean *= self.momentum
        self.running_mean += (1 - self.momentum) * mu
        self.running_var *= self.momentum
        self.running_var += (1 - self.momentum) * unbiased_var

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        mode, x_hat, inv_std = self._require_cache(self._cache)
        g = self._check_grad_shape(grad_out, x_hat.shape)
        self.gamma.add_grad(np.sum(g * x_hat, axis=0))
        self.beta.add_grad(np.sum(g, axis=0))
        grad_x_hat = g * self.gamma.data
        if mode == "eval":
            # running statistics are constants: y = gamma (x - mu_run) / sqrt(var_run + eps) + beta
            return grad_x_hat * inv_std
        m = g.shape[0]
        sum_g = grad_x_hat.sum(axis=0)
        sum_g_xhat = (grad_x_hat * x_hat).sum(axis=0)
        return (inv_std / m) * (m * grad_x_hat - sum_g - x_hat * sum_g_xhat)

    def extra_repr(self) -> str:
        return f"{self.num_features}, momentum={self.momentum}, eps={self.eps}"
