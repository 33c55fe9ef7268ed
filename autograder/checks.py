"""The checks that run inside a student's notebook: compare, explain, give partial credit.

An assignment's test cell grades one exercise. It calls :func:`grade_cases` (or
:func:`grade_checks`) and leaves the returned score as the cell's last expression; nbgrader
reads that number as the cell's partial credit::

    from autograder.checks import grade_cases
    grade_cases(relu_grad_student, reference=relu_grad, cases=cases, points=5)

For each test case the student's function and the reference implementation get the same input
(each its own copy, so an answer that modifies its input cannot spoil the comparison); the
outputs are compared with tolerances; every case prints one line that says what was given, what
was expected and what came back. The score is ``points * passed / total`` (partial credit per
case).

An answer that simply calls the library's own implementation of the function being graded
(``forbidden=[course.activations.relu_grad]``) gets no credit for that exercise, with a line
that says why. It is caught two ways: by reading which names the answer's code refers to, and
by replacing the library function with a tripwire while the answer runs.

Everything is printed to standard output: nbgrader gives no credit to a test cell that writes
to standard error, so warnings raised by the student's code are silenced here.
"""

from __future__ import annotations

import copy
import math
import sys
import types
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Case:
    """One test input: positional ``args`` and keyword ``kwargs`` of the graded function."""

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    note: str = ""  # what this case is about, shown in the report ("negative inputs")

    def describe(self) -> str:
        parts = [_short(a) for a in self.args]
        parts += [f"{k}={_short(v)}" for k, v in self.kwargs.items()]
        return ", ".join(parts)


def random_arrays(seed: int, count: int, shapes: Sequence[tuple[int, ...]], scale: float = 1.0,
                  note: str = "") -> list[Case]:
    """``count`` cases of standard-normal arrays of the given shapes, from a fixed seed."""
    rng = np.random.default_rng(seed)
    return [
        Case(args=tuple(scale * rng.standard_normal(shape) for shape in shapes), note=note)
        for _ in range(count)
    ]


# ----------------------------------------------------------------------------------------------
# Comparing outputs
# ----------------------------------------------------------------------------------------------
def _short(value: Any) -> str:
    """A one-line description of a value for the report."""
    if isinstance(value, np.ndarray):
        if value.size <= 6:
            return np.array2string(value, precision=4, separator=", ").replace("\n", "")
        return f"array of shape {value.shape}"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        if len(value) > 6:
            return f"{type(value).__name__} of length {len(value)}"
        inner = ", ".join(_short(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def compare(got: Any, expected: Any, rtol: float = 1e-6, atol: float = 1e-8) -> str | None:
    """None if ``got`` matches ``expected`` within tolerances, else a sentence saying how not.

    Arrays must have the expected shape and values; tuples and lists are compared element by
    element; numbers with tolerances; anything else with ``==``.
    """
    if isinstance(expected, (tuple, list)) and not isinstance(got, np.ndarray):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            kind = type(expected).__name__
            return f"expected a {kind} of {len(expected)} values, got {_short(got)}"
        for index, (g, e) in enumerate(zip(got, expected)):
            problem = compare(g, e, rtol, atol)
            if problem:
                return f"item {index}: {problem}"
        return None
    if isinstance(expected, np.ndarray) or isinstance(got, np.ndarray):
        try:
            got_array = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            return f"expected an array, got {_short(got)}"
        expected_array = np.asarray(expected, dtype=float)
        if got_array.shape != expected_array.shape:
            return f"expected shape {expected_array.shape}, got shape {got_array.shape}"
        if not np.allclose(got_array, expected_array, rtol=rtol, atol=atol, equal_nan=True):
            wrong = ~np.isclose(got_array, expected_array, rtol=rtol, atol=atol, equal_nan=True)
            index = tuple(int(i) for i in np.argwhere(wrong)[0])
            return (f"{int(wrong.sum())} of {wrong.size} values differ; at index {index} expected "
                    f"{expected_array[index]:.6g}, got {got_array[index]:.6g}")
        return None
    if isinstance(expected, (bool, np.bool_)):
        if isinstance(got, (bool, np.bool_)) and bool(got) == bool(expected):
            return None
        return f"expected {bool(expected)!r}, got {_short(got)}"
    if isinstance(expected, (int, float, np.number)):
        try:
            got_number = float(got)
        except (TypeError, ValueError):
            return f"expected the number {expected!r}, got {_short(got)}"
        if math.isclose(got_number, float(expected), rel_tol=rtol, abs_tol=atol):
            return None
        return f"expected {float(expected):.6g}, got {got_number:.6g}"
    return None if got == expected else f"expected {_short(expected)}, got {_short(got)}"


# ----------------------------------------------------------------------------------------------
# Answers that call the library's own implementation
# ----------------------------------------------------------------------------------------------
def _code_objects(code: types.CodeType) -> Iterable[types.CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


def calls_forbidden(function: Callable, forbidden: Sequence[Callable]) -> Callable | None:
    """The forbidden function that ``function``'s code refers to, or None.

    Follows the names the code uses (``relu_grad``, ``course.activations.relu_grad``,
    ``A.relu_grad`` after ``import course.activations as A``), its closure and its defaults,
    and the code of the student's own helper functions it calls.
    """
    forbidden_ids = {id(f) for f in forbidden}
    seen: set[int] = set()
    stack: list[Callable] = [function]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        code = getattr(current, "__code__", None)
        if code is None:
            continue
        names = {name for c in _code_objects(code) for name in c.co_names}
        values = [getattr(current, "__globals__", {}).get(name) for name in names]
        values += [cell.cell_contents for cell in (current.__closure__ or ())
                   if _cell_has_contents(cell)]
        values += list(current.__defaults__ or ())
        # follow attribute chains on modules: course -> activations -> relu_grad
        frontier = list(values)
        for _depth in range(3):
            following = []
            for value in frontier:
                if isinstance(value, types.ModuleType):
                    following += [getattr(value, name, None) for name in names]
            values += following
            frontier = following
        for value in values:
            if value is None:
                continue
            if id(value) in forbidden_ids:
                return next(f for f in forbidden if f is value)
            # the student's own helpers (defined in the notebook) are followed too
            if isinstance(value, types.FunctionType) and value.__module__ == "__main__":
                stack.append(value)
    return None


def _cell_has_contents(cell) -> bool:
    try:
        cell.cell_contents  # noqa: B018
    except ValueError:
        return False
    return True


class _Tripwire:
    """Replaces forbidden library functions while the answer runs, and notes any call."""

    def __init__(self, forbidden: Sequence[Callable]) -> None:
        self.forbidden = list(forbidden)
        self.tripped: Callable | None = None
        self._saved: list[tuple[Any, str, Any]] = []

    def __enter__(self) -> _Tripwire:
        for function in self.forbidden:
            module = sys.modules.get(getattr(function, "__module__", ""), None)
            owner_name = getattr(function, "__qualname__", "").split(".")
            owner = module
            for part in owner_name[:-1]:  # methods: course.layers.dense.Dense.backward
                owner = getattr(owner, part, None)
            name = owner_name[-1] if owner_name else ""
            if owner is None or getattr(owner, name, None) is not function:
                continue
            self._saved.append((owner, name, function))
            setattr(owner, name, self._wire(function))
        return self

    def _wire(self, function: Callable) -> Callable:
        def tripwire(*args, **kwargs):
            if self.tripped is None:
                self.tripped = function
            return function(*args, **kwargs)

        return tripwire

    def __exit__(self, *exc) -> None:
        for owner, name, function in reversed(self._saved):
            setattr(owner, name, function)


def _qualified(function: Callable) -> str:
    return f"{getattr(function, '__module__', '?')}.{getattr(function, '__qualname__', function)}"


# ----------------------------------------------------------------------------------------------
# Grading
# ----------------------------------------------------------------------------------------------
def grade_cases(
    student: Callable,
    reference: Callable,
    cases: Iterable[Case],
    points: float,
    name: str | None = None,
    forbidden: Sequence[Callable] = (),
    rtol: float = 1e-6,
    atol: float = 1e-8,
    compare_outputs: Callable[[Any, Any], str | None] | None = None,
) -> float:
    """Compare ``student`` with ``reference`` on every case; print a report; return the score.

    Args:
        student: the student's function.
        reference: the reference implementation (the library's, or the solution's).
        cases: the inputs (see :class:`Case` and :func:`random_arrays`).
        points: the points of this exercise; the score is ``points * passed / total``.
        name: how to call the function in the report (default: its ``__name__``).
        forbidden: library functions the answer must not call; if it does, the score is 0.
        rtol, atol: tolerances of the comparison.
        compare_outputs: a custom ``f(got, expected) -> None or message`` instead of
            :func:`compare`.
    """
    cases = [c if isinstance(c, Case) else Case(args=tuple(c)) for c in cases]
    name = name or getattr(student, "__name__", "your function")
    check = compare_outputs or (lambda got, expected: compare(got, expected, rtol, atol))
    if not callable(student):
        print(f"{name}: not graded: expected a function, found {_short(student)}")
        return 0.0
    hit = calls_forbidden(student, forbidden)
    if hit is not None:
        print(f"{name}: no credit: your answer calls {_qualified(hit)}, the library's own "
              "implementation of what this exercise asks you to write. Write it yourself.")
        return 0.0
    passed = 0
    for number, case in enumerate(cases, start=1):
        expected = reference(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        label = f"case {number}" + (f" ({case.note})" if case.note else "")
        with warnings.catch_warnings(), np.errstate(all="ignore"), _Tripwire(forbidden) as wire:
            warnings.simplefilter("ignore")
            try:
                got = student(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
                problem = check(got, expected)
            except NotImplementedError:
                problem = "not implemented yet (it raises NotImplementedError)"
            except Exception as error:  # the student's code failed on this input
                problem = f"raised {type(error).__name__}: {error}"
        if wire.tripped is not None:
            print(f"{name}: no credit: your answer calls {_qualified(wire.tripped)}, the library's "
                  "own implementation of what this exercise asks you to write. Write it yourself.")
            return 0.0
        if problem is None:
            passed += 1
            print(f"  ok    {label}")
        else:
            print(f"  FAIL  {label}: {name}({case.describe()}): {problem}")
    score = float(round(points * passed / len(cases), 2)) if cases else 0.0
    print(f"{name}: {passed} of {len(cases)} cases passed, {score:g} of {points:g} points")
    return score


def grade_checks(checks: Sequence[tuple[str, Callable[[], bool]]], points: float,
                 name: str = "checks") -> float:
    """Partial credit for a list of ``(description, check)`` pairs; each check returns a bool.

    For exercises whose answer is not one function (a choice of weights, a trained model, a
    written number): each check is one condition the answer must meet.
    """
    passed = 0
    for description, check in checks:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                ok = bool(check())
                reason = "" if ok else "not met"
            except NotImplementedError:
                ok, reason = False, "not implemented yet"
            except Exception as error:
                ok, reason = False, f"raised {type(error).__name__}: {error}"
        passed += ok
        print(f"  {'ok  ' if ok else 'FAIL'}  {description}" + ("" if ok else f": {reason}"))
    score = float(round(points * passed / len(checks), 2)) if checks else 0.0
    print(f"{name}: {passed} of {len(checks)} checks passed, {score:g} of {points:g} points")
    return score
