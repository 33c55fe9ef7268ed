"""The optimizer contract shared by SGD, Momentum, Adagrad, Adadelta, RMSProp and Adam.

An optimizer holds a list of :class:`~course.parameter.Parameter` objects and, on each call to
:meth:`Optimizer.step`, moves every ``param.data`` using its gradient ``g = param.grad`` (the slides
write ``g = nabla_theta J``). The simplest rule is gradient descent, ``theta <- theta - eta g``; the
other optimizers keep a little memory of past gradients per parameter (a velocity, a running mean
of squared gradients, ...). That memory lives in ``optimizer.state[param]``, a dict created on the
first step, with keys named for what they hold, so a lecture can inspect and plot it::

    opt = Adam(model.parameters(), lr=1e-3)
    for X, y in batches:
        opt.zero_grad()           # grads are accumulated by backward, so clear them first
        loss = ...forward, then backward...
        opt.step()
    opt.state[W1]["exp_avg"]      # Adam's running mean of the gradient of W1

Every update works in place on ``param.data`` and on the state arrays (``out=`` arguments and one
scratch buffer per parameter, ``state["scratch"]``, whose content means nothing between steps), so a
step allocates no new arrays and float32 parameters stay float32.

A large parameter is updated one block of ``BLOCK_BYTES`` at a time (see :meth:`Optimizer.step`):
the update is elementwise, so the numbers are the same, and the scratch buffer stays in the CPU's
cache instead of being written to memory and read back.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from numbers import Real

import numpy as np

from course.parameter import Parameter

# How much of each array one block of an update covers: 256 kB (64K float32 numbers), so that a
# block of the scratch buffer and of the arrays it is combined with stay in a core's cache.
BLOCK_BYTES = 256 * 1024


def parameter_list(params: Iterable[Parameter], caller: str) -> list[Parameter]:
    """Materialize ``params`` (a list, tuple or generator of Parameters) into a checked list.

    ``caller`` names the function or class in the error messages. An empty result is an error:
    it is almost always a bug (for example a ``model.parameters()`` generator already used up).
    """
    if isinstance(params, Parameter):
        raise TypeError(
            f"{caller} expected an iterable of Parameters, got a single Parameter; "
            f"wrap it in a list: [{params.name or 'param'}]"
        )
    try:
        params = list(params)
    except TypeError:
        raise TypeError(
            f"{caller} expected an iterable of Parameters (a list or a generator), "
            f"got {type(params).__name__}"
        ) from None
    if not params:
        raise ValueError(
            f"{caller} got an empty list of parameters; pass the model's parameters "
            "(a generator can only be used once: make it a list if you need it twice)"
        )
    for index, param in enumerate(params):
        if not isinstance(param, Parameter):
            raise TypeError(
                f"{caller} expected Parameters, but element {index} is a {type(param).__name__}; "
                "wrap arrays in course.parameter.Parameter"
            )
    return params


def check_nonnegative(what: str, value: float) -> float:
    """Return ``value`` as a float if it is a finite number >= 0, else raise a ValueError."""
    number = as_real_number(what, value)
    if not math.isfinite(number):
        raise ValueError(f"Invalid {what}: {value} (must be a finite number >= 0)")
    if number < 0:
        raise ValueError(f"Invalid {what}: {value} (must be >= 0)")
    return number


def check_positive(what: str, value: float) -> float:
    """Return ``value`` as a float if it is a finite number > 0, else raise a ValueError."""
    number = as_real_number(what, value)
    if not (math.isfinite(number) and number > 0):
        raise ValueError(f"Invalid {what}: {value} (must be a finite number > 0)")
    return number


def check_decay_rate(what: str, value: float) -> float:
    """Return ``value`` as a float if it lies in [0, 1) (a moving-average decay), else raise."""
    number = as_real_number(what, value)
    if not 0 <= number < 1:
        raise ValueError(f"Invalid {what}: {value} (must be in [0, 1))")
    return number


def as_real_number(what: str, value) -> float:
    """Return ``value`` as a Python float, or raise a TypeError if it is not a real number.

    Python floats matter for speed and dtype: NumPy treats them as "weak" scalars, so a float32
    array times a Python float stays float32 (times an ``np.float64`` it would compute in float64).
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{what} must be a real number, got {type(value).__name__}")
    return float(value)


class Optimizer:
    """Base class: holds the parameters, their per-parameter state and the learning rate.

    Args:
        params: an iterable (list or generator) of :class:`~course.parameter.Parameter`.
        lr: the learning rate ``eta`` (>= 0). It is a public attribute: assign ``opt.lr = 0.01``
            between steps to change it (the new value is checked like the first one).

    A subclass writes the update of ONE parameter in :meth:`_update` and the state it needs in
    :meth:`_init_state`; :meth:`step` loops over the parameters and creates the state on the first
    step. ``_hyperparameters`` lists the constructor arguments shown by ``repr``.
    """

    _hyperparameters: tuple[str, ...] = ("lr",)

    def __init__(self, params: Iterable[Parameter], lr: float) -> None:
        self.params: list[Parameter] = parameter_list(params, type(self).__name__)
        seen: set[int] = set()
        for param in self.params:
            if id(param) in seen:
                raise ValueError(
                    f"{type(self).__name__} got the same parameter twice ({param!r}); "
                    "it would be updated twice per step"
                )
            seen.add(id(param))
        self.lr = lr
        self.state: dict[Parameter, dict] = {}

    @property
    def lr(self) -> float:
        """The learning rate ``eta``; may be changed between steps."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = check_nonnegative("learning rate", value)

    def step(self) -> None:
        """Update every parameter once from its current ``.grad``.

        A parameter larger than ``BLOCK_BYTES`` is updated block by block: :meth:`_update`
        receives consecutive parts of it (flat views of ``data``, ``grad`` and the state's
        arrays) and the same small part of its scratch buffer for each. Every update is
        elementwise, so the result is the same, bit for bit. But an update makes several passes
        over its arrays (Adam twelve), and over a whole 784x512 float32 matrix (1.6 MB, more
        than a core's cache) each pass goes to memory, while a block's passes stay in the cache:
        in ``benchmarks/bench_mlp.py``'s network, Adam's steps take about 15% less time.
        """
        for param in self.params:
            state = self.state.get(param)
            if state is None:
                state = self.state[param] = self._init_state(param)
            state["step"] += 1
            if param.size * param.data.itemsize <= BLOCK_BYTES:
                self._update(param, state)  # a small parameter in one go (most of them)
                continue
            for block, block_state in _blocks(param, state):
                self._update(block, block_state)

    def zero_grad(self) -> None:
        """Set every parameter's gradient to zero, in place."""
        for param in self.params:
            param.zero_grad()

    def _init_state(self, param: Parameter) -> dict:
        """Return the fresh state of ``param`` (must contain ``"step": 0``)."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement _init_state(param); "
            "Optimizer is a base class: use SGD, Momentum, Adagrad, Adadelta, RMSProp or Adam"
        )

    def _update(self, param: Parameter, state: dict) -> None:
        """Apply one update to ``param.data`` in place (``state["step"]`` is already counted)."""
        raise NotImplementedError(f"{type(self).__name__} must implement _update(param, state)")

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._hyperparameters)
        return f"{type(self).__name__}({args})"


class _Block:
    """A part of a parameter, as :meth:`Optimizer._update` sees it: ``data`` and ``grad``."""

    __slots__ = ("data", "grad")

    def __init__(self, data: np.ndarray, grad: np.ndarray) -> None:
        self.data, self.grad = data, grad


def _blocks(param: Parameter, state: dict) -> Iterator[tuple[Parameter | _Block, dict]]:
    """``(param, state)`` itself, or, for a parameter larger than ``BLOCK_BYTES``, its consecutive
    blocks: flat views of ``data``, ``grad`` and every state array, each block with the first
    part of the scratch buffer (so the same memory, which stays in the cache, serves them all).
    Parameters whose arrays are not contiguous (views made by hand) are updated whole."""
    size = max(1, BLOCK_BYTES // param.data.itemsize)
    arrays = {key: value for key, value in state.items() if isinstance(value, np.ndarray)}
    if param.size <= size or not all(
        a.flags.c_contiguous for a in (param.data, param.grad, *arrays.values())
    ):
        yield param, state
        return
    data, grad = param.data.reshape(-1), param.grad.reshape(-1)
    flat = {key: value.reshape(-1) for key, value in arrays.items() if key != "scratch"}
    scratch = state["scratch"].reshape(-1)[:size] if "scratch" in state else None
    block_state = dict(state)
    for start in range(0, param.size, size):
        stop = min(start + size, param.size)
        for key, value in flat.items():
            block_state[key] = value[start:stop]
        if scratch is not None:
            block_state["scratch"] = scratch[: stop - start]
        yield _Block(data[start:stop], grad[start:stop]), block_state
