"""Layers: the modules a network is built from (one file per layer, as in Keras).

* :class:`Layer` (base.py): ``forward``, ``backward``, ``parameters``, ``train`` / ``eval``.
* :class:`Dense` (dense.py): z = a W + b.
* :class:`Dropout` (dropout.py): random masks while training.
* :class:`BatchNorm` (batchnorm.py): normalize each feature over the batch.

The activation layers (``ReLU``, ``Sigmoid``, ...) live in :mod:`course.activations`.
"""

from course.layers.base import Layer
from course.layers.batchnorm import BatchNorm
from course.layers.dense import Dense
from course.layers.dropout import Dropout

__all__ = ["Layer", "Dense", "Dropout", "BatchNorm"]
