"""The lectures' interactive explorers (ipywidgets 8), one module each.

=============================  ==========================  ===========================
function                       module                      lecture
=============================  ==========================  ===========================
``mlp_playground()``           ``playground.py``           3, multilayer perceptrons
``learning_rate_explorer()``   ``learning_rate.py``        6, gradient descent
``optimizer_explorer()``       ``optimizers.py``           7, optimizers
``dropout_explorer()``         ``dropout.py``              8, regularization
``init_explorer()``            ``initialization.py``       10, weight initialization
=============================  ==========================  ===========================

Each returns an :class:`~course.widgets.base.Explorer`: display it in a notebook cell, move a
control, and the figure is redrawn. The modules are imported when a function is first used, so
``import course.widgets`` stays fast.
"""

from __future__ import annotations

import importlib

from course.widgets.base import Explorer, show_source

# name -> the module (in this package) that defines it
_EXPLORERS = {
    "mlp_playground": "playground",
    "learning_rate_explorer": "learning_rate",
    "optimizer_explorer": "optimizers",
    "dropout_explorer": "dropout",
    "init_explorer": "initialization",
}

__all__ = ["Explorer", "show_source", *_EXPLORERS]


def __getattr__(name: str):
    if name in _EXPLORERS:
        module = importlib.import_module(f"course.widgets.{_EXPLORERS[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'course.widgets' has no attribute {name!r}")
