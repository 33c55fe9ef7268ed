"""Optimizers: the update rules of the slides, one class per algorithm.

Every optimizer takes the parameters to update and its hyperparameters, and offers ``step()``
(update every parameter from its ``.grad``) and ``zero_grad()``; per-parameter memory lives in
``optimizer.state[param]``. See :mod:`course.optim.base` for the shared contract.
"""

from course.optim.adadelta import Adadelta
from course.optim.adagrad import Adagrad
from course.optim.adam import Adam
from course.optim.base import Optimizer
from course.optim.momentum import Momentum
from course.optim.rmsprop import RMSProp
from course.optim.sgd import SGD

__all__ = ["Optimizer", "SGD", "Momentum", "Adagrad", "Adadelta", "RMSProp", "Adam"]
