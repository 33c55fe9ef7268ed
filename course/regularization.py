r"""Regularization against overfitting: L1 / L2 weight penalties and early stopping.

Slides, "Regularization": minimize the empirical loss *and* the complexity of the model,

.. math::

    \text{Cost} = \text{Empirical Loss} + \lambda \, \text{Complexity}, \qquad
    \text{Complexity} = \sum_i |w_i|^q

with ``q = 1`` (L1: tends to make many weights exactly zero, a sparse model) or ``q = 2``
(L2: shrinks all weights, rarely to zero). :func:`l1_penalty` and :func:`l2_penalty` return
``lambda * Complexity`` to add to the loss, and add its gradient into the weights' ``.grad``; call
them after the backward pass, before ``optimizer.step()``::

    loss = data_loss + l2_penalty(params, lam=1e-4)   # also adds 2 * lam * w into each W.grad
    optimizer.step()

Which parameters are penalized: weight matrices only, that is parameters whose ``data.ndim >= 2``
(dense ``W`` of shape (n_in, n_out), convolution kernels). Biases and batch-norm ``gamma``/``beta``
are 1-D and are skipped: they do not make the model more complex, and pushing ``gamma`` to zero
would switch units off.

Slides, "Early stopping": stop training when the validation error is minimal. :class:`EarlyStopping`
watches the validation loss once per epoch, keeps a copy of the best weights, and says when to stop.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from course.optim.base import as_real_number, check_nonnegative, parameter_list
from course.parameter import Parameter


def l1_penalty(params: Iterable[Parameter], lam: float) -> float:
    r"""L1 penalty ``lambda * sum_i |w_i|`` over the weight matrices; adds its gradient to grad.

    .. math::

        \Omega(w) = \lambda \sum_i |w_i|, \qquad
        \frac{\partial \Omega}{\partial w_i} = \lambda \, \operatorname{sign}(w_i)

    (at ``w_i = 0``, where ``|w|`` has no derivative, the gradient used is 0). Only parameters with
    ``data.ndim >= 2`` count; 1-D ones (biases, batch-norm ``gamma``/``beta``) are skipped.

    Args:
        params: the model's parameters (a list or a generator); every one is checked, the weight
            matrices among them are penalized.
        lam: the regularization strength ``lambda`` (>= 0).

    Returns:
        The penalty, to add to the data loss.
    """
    lam = check_nonnegative("lam (the regularization strength lambda)", lam)
    total = 0.0
    for w in _weight_matrices(params, "l1_penalty"):
        sign = np.sign(w.data)
        total += float(np.vdot(sign, w.data))  # sum_i |w_i| = sum_i sign(w_i) * w_i
        # dOmega/dw = lam * sign(w)
        np.multiply(sign, lam, out=sign)
        np.add(w.grad, sign, out=w.grad)
    return lam * total


def l2_penalty(params: Iterable[Parameter], lam: float) -> float:
    r"""L2 penalty ``lambda * sum_i w_i^2`` over the weight matrices; adds its gradient to grad.

    .. math::

        \Omega(w) = \lambda \sum_i w_i^2, \qquad
        \frac{\partial \Omega}{\partial w_i} = 2 \lambda w_i

    With plain gradient descent this is "weight decay": every step also shrinks each weight by the
    factor ``1 - 2 eta lambda``. (Some texts write ``lambda / 2 * sum w^2`` to get ``lambda w``;
    we follow the slides.) Only parameters with ``data.ndim >= 2`` count; 1-D ones (biases,
    batch-norm ``gamma``/``beta``) are skipped.

    Args:
        params: the model's parameters (a list or a generator); every one is checked, the weight
            matrices among them are penalized.
        lam: the regularization strength ``lambda`` (>= 0).

    Returns:
        The penalty, to add to the data loss.
    """
    lam = check_nonnegative("lam (the regularization strength lambda)", lam)
    total = 0.0
    for w in _weight_matrices(params, "l2_penalty"):
        total += float(np.vdot(w.data, w.data))  # sum_i w_i^2
        # dOmega/dw = 2 * lam * w
        w.grad += (2.0 * lam) * w.data
    return lam * total


def _weight_matrices(params: Iterable[Parameter], caller: str) -> list[Parameter]:
    """The parameters that are penalized: those with ``data.ndim >= 2``."""
    return [p for p in parameter_list(params, caller) if p.data.ndim >= 2]


class EarlyStopping:
    """Stop training when the validation loss has not improved for ``patience`` epochs.

    Call :meth:`step` once per epoch with that epoch's validation loss; it returns True when it is
    time to stop. An epoch *improves* when ``val_loss < best_loss - min_delta``; then the loss, the
    epoch and a copy of the parameters' values are remembered, so that :meth:`restore` can put the
    best weights back after training (the slides: "stop the training procedure when the validation
    error is minimum")::

        stopper = EarlyStopping(patience=5, params=model.parameters())
        for epoch in range(100):
            train_one_epoch(...)
            if stopper.step(validation_loss(...)):
                break
        stopper.restore()          # the weights of epoch stopper.best_epoch

    Args:
        patience: how many epochs in a row without improvement are tolerated; an int >= 1.
            ``step`` returns True on the ``patience``-th such epoch.
        min_delta: how much lower than the best loss a loss must be to count as an improvement
            (>= 0; 0 means any decrease).
        params: the parameters whose values to keep at the best epoch (a list or a generator),
            or None to give them to :meth:`step` instead, or not at all (then only the loss is
            watched).

    Attributes:
        best_loss: the lowest validation loss so far (``inf`` before the first improvement).
        best_epoch: 0-based index of the ``step`` call that gave ``best_loss`` (None before), so
            ``val_losses[best_epoch] == best_loss`` for the list of losses passed in.
        best_state: copies of the parameters' ``.data`` at ``best_epoch`` (None if no parameters
            were given by then).
        wait: epochs since the last improvement.
        epoch: number of ``step`` calls so far.

    A NaN validation loss never counts as an improvement.
    """

    def __init__(
        self,
        patience: int = 5,
        min_delta: float = 0.0,
        params: Iterable[Parameter] | None = None,
    ) -> None:
        if isinstance(patience, bool) or not isinstance(patience, (int, np.integer)):
            raise TypeError(f"patience must be an int >= 1, got {type(patience).__name__}")
        if patience < 1:
            raise ValueError(f"Invalid patience: {patience} (must be an int >= 1)")
        self.patience = int(patience)
        self.min_delta = check_nonnegative("min_delta", min_delta)
        self.params: list[Parameter] | None = (
            None if params is None else parameter_list(params, "EarlyStopping")
        )
        self.reset()

    def reset(self) -> None:
        """Forget the history (best loss, best epoch, best state, wait and epoch count)."""
        self.best_loss = math.inf
        self.best_epoch: int | None = None
        self.best_state: list[np.ndarray] | None = None
        self.wait = 0
        self.epoch = 0

    def step(self, val_loss: float, params: Iterable[Parameter] | None = None) -> bool:
        """Record one epoch's validation loss; return True if training should stop now.

        Args:
            val_loss: this epoch's validation loss.
            params: the parameters to copy if this epoch is the best so far; they replace any
                given before (to the constructor or to an earlier ``step``) and are the ones
                :meth:`restore` writes back to.
        """
        val_loss = as_real_number("val_loss", val_loss)
        if params is not None:
            self.params = parameter_list(params, "EarlyStopping.step")
        epoch = self.epoch
        self.epoch += 1
        if val_loss < self.best_loss - self.min_delta:  # False for NaN
            self.best_loss = val_loss
            self.best_epoch = epoch
            self.wait = 0
            if self.params is not None:
                self.best_state = [p.data.copy() for p in self.params]
        else:
            self.wait += 1
        return self.wait >= self.patience

    def restore(self, params: Iterable[Parameter] | None = None) -> None:
        """Copy the best parameters' values back into ``params`` (default: the watched ones).

        The copy is in place (``np.copyto``), so layers and optimizers that hold the parameters
        see the restored values.
        """
        if self.best_state is None:
            raise RuntimeError(
                "EarlyStopping.restore: there is no best state to restore; give the parameters to "
                "EarlyStopping(params=...) or to step(val_loss, params) before the best epoch"
            )
        target = self.params if params is None else parameter_list(params, "restore")
        if len(target) != len(self.best_state):
            raise ValueError(
                f"EarlyStopping.restore: the best state holds {len(self.best_state)} arrays, "
                f"but {len(target)} parameters were given"
            )
        for index, (param, saved) in enumerate(zip(target, self.best_state, strict=True)):
            if param.data.shape != saved.shape:
                raise ValueError(
                    f"EarlyStopping.restore: parameter {index} ({param.name or 'unnamed'}) has "
                    f"shape {param.data.shape}, but the saved value has shape {saved.shape}"
                )
        for param, saved in zip(target, self.best_state, strict=True):
            np.copyto(param.data, saved)

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta}, "
            f"best_loss={self.best_loss}, best_epoch={self.best_epoch}, wait={self.wait})"
        )
