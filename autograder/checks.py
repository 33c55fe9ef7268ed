"""The checks that run inside a notebook's test cells: compare, explain, give partial credit.

An assignment's test cell grades one exercise. It calls :func:`grade_cases` and leaves the
returned score as the cell's last expression; nbgrader reads that number as the cell's partial
credit::

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

The same test cells run in three modes (``AUTOGRADER_MODE``, see ``current_mode``):

* **check**, when a student runs the notebook: everything above happens in their kernel;
* **record**, when the grader runs a submission: only the student's function runs, and what it
  returned is published as data (:mod:`autograder.answers`); nothing is compared, since the
  student's code may have replaced anything in that kernel;
* **judge**, in the grader's own kernel that never runs student code
  (:mod:`autograder.judge`): the recorded returns stand in for the student's function, and the
  comparison and the score happen here. This is the score that counts.

Everything is printed to standard output: nbgrader gives no credit to a test cell that writes
to standard error, so warnings raised by the student's code are silenced here.
"""

from __future__ import annotations

import contextlib
import copy
import math
import os
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

    def apply(self, function: Callable) -> Any:
        """``function`` called on a fresh copy of this case's inputs (an answer that changes
        its inputs cannot spoil the next call)."""
        return function(*copy.deepcopy(self.args), **copy.deepcopy(self.kwargs))

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
# Grading: three modes
# ----------------------------------------------------------------------------------------------
# "check" (a student running the notebook): call the student's function and the reference on
#     each case, compare, print, return the score.
# "record" (the student's kernel while the grader grades it): call only the student's function
#     and publish what it returned, as data (autograder.answers); compare nothing.
# "judge" (a kernel of the grader's that never runs student code): take the recorded returns in
#     place of calls to the student's function, call the reference, compare, print, return the
#     score. This score is the one that counts (see autograder/judge.py).
MODE_VARIABLE = "AUTOGRADER_MODE"


def current_mode() -> str:
    """``"check"``, ``"record"`` or ``"judge"`` (set by the grader in the kernel's environment)."""
    mode = os.environ.get(MODE_VARIABLE, "check")
    return mode if mode in ("record", "judge") else "check"


@dataclass
class Outcome:
    """What the student's function did on one case."""

    returned: Any = None
    problem: str | None = None  # why there is no value to compare (it raised, ...)


def _forbidden_message(name: str, qualified: str) -> str:
    return (f"{name}: no credit: your answer calls {qualified}, the library's own "
            "implementation of what this exercise asks you to write. Write it yourself.")


@contextlib.contextmanager
def _quietly():
    """No warnings and no NumPy floating-point complaints (nbgrader gives no credit to a test
    cell that writes to standard error)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def _call_student(student: Callable, case: Case, forbidden: Sequence[Callable]
                  ) -> tuple[Outcome, Callable | None]:
    """Run the student's function on one case: its outcome, and a forbidden function it called."""
    with _quietly(), _Tripwire(forbidden) as wire:
        try:
            outcome = Outcome(case.apply(student))
        except NotImplementedError:
            outcome = Outcome(problem="not implemented yet (it raises NotImplementedError)")
        except Exception as error:  # the student's code failed on this input
            outcome = Outcome(problem=f"raised {type(error).__name__}: {error}")
    return outcome, wire.tripped


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

    What the student's function returns must be data (numbers, arrays, strings, and lists,
    tuples and dicts of them): when the grader grades, it is recorded in the student's kernel
    and compared in another (see the module's notes on the three modes).
    """
    cases = [c if isinstance(c, Case) else Case(args=tuple(c)) for c in cases]
    name = name or getattr(student, "__name__", "your function")
    mode = current_mode()
    if mode == "record":
        # no reference value is computed in the student's kernel, and the reference itself is
        # dropped from this frame, so that the student's code finds neither on the call stack
        reference = None  # noqa: F841
        return _record(student, cases, name, forbidden)
    if mode == "judge":
        outcomes = _REPLAY.next_call(name, len(cases))
    else:
        outcomes = _run_here(student, cases, name, forbidden)
    if isinstance(outcomes, str):  # no credit at all, and why
        print(outcomes)
        return 0.0
    check = compare_outputs or (lambda got, expected: compare(got, expected, rtol, atol))
    passed = 0
    for number, (case, outcome) in enumerate(zip(cases, outcomes), start=1):
        label = f"case {number}" + (f" ({case.note})" if case.note else "")
        problem = outcome.problem
        if problem is None:
            expected = _expected(reference, case, number)
            with _quietly():
                try:
                    problem = check(outcome.returned, expected)
                except Exception as error:  # an answer of a shape the check did not expect
                    problem = f"raised {type(error).__name__}: {error}"
        if problem is None:
            passed += 1
            print(f"  ok    {label}")
        else:
            print(f"  FAIL  {label}: {name}({case.describe()}): {problem}")
    score = float(round(points * passed / len(cases), 2)) if cases else 0.0
    print(f"{name}: {passed} of {len(cases)} cases passed, {score:g} of {points:g} points")
    return score


def _run_here(student: Callable, cases: list[Case], name: str,
              forbidden: Sequence[Callable]) -> list[Outcome] | str:
    """Check mode: the student's function on every case, in this kernel."""
    if not callable(student):
        return f"{name}: not graded: expected a function, found {_short(student)}"
    hit = calls_forbidden(student, forbidden)
    if hit is not None:
        return _forbidden_message(name, _qualified(hit))
    outcomes = []
    for case in cases:
        outcome, tripped = _call_student(student, case, forbidden)
        if tripped is not None:
            return _forbidden_message(name, _qualified(tripped))
        outcomes.append(outcome)
    return outcomes


def _expected(reference: Callable, case: Case, number: int) -> Any:
    """The reference's value on a case (in judge mode computed once per case and kept)."""
    key = (_REPLAY.cell, _REPLAY.call, number) if current_mode() == "judge" else None
    if key is not None and key in _EXPECTED:
        return copy.deepcopy(_EXPECTED[key])
    with _quietly():
        expected = case.apply(reference)
    if key is not None:
        _EXPECTED[key] = copy.deepcopy(expected)
    return expected


# ----------------------------------------------------------------------------------------------
# Record mode: publish what the student's function returned
# ----------------------------------------------------------------------------------------------
_CALLS = {"cell": None, "next": 0}  # which grade_cases call of the running cell this is


def _call_index() -> int:
    """0 for the first grade_cases call of a cell, 1 for the second..."""
    try:
        cell = get_ipython().execution_count  # noqa: F821 (defined in an IPython kernel)
    except NameError:
        cell = None
    if _CALLS["cell"] != cell:
        _CALLS["cell"], _CALLS["next"] = cell, 0
    index = _CALLS["next"]
    _CALLS["next"] += 1
    return index


# What a student might replace to fool checks that ran in their kernel: (module, attribute,
# the module its genuine version comes from). Replacing them changes no score (the judge
# compares elsewhere), but the grader tells the lecturer that it happened.
WATCHED = [("numpy", "allclose", "numpy"), ("numpy", "isclose", "numpy"),
           ("numpy", "array_equal", "numpy"),
           ("numpy.testing", "assert_allclose", "numpy.testing"),
           ("numpy.testing", "assert_array_equal", "numpy.testing"),
           ("numpy.testing", "assert_equal", "numpy.testing"),
           ("math", "isclose", "math"), ("builtins", "abs", "builtins"),
           ("builtins", "round", "builtins"), ("builtins", "float", "builtins"),
           (__name__, "grade_cases", __name__), (__name__, "compare", __name__)]
_GENUINE = {"grade_cases": "grade_cases", "compare": "compare"}  # replaced below by objects


def replaced_functions() -> list[str]:
    """The watched functions that are not the genuine ones any more (``numpy.allclose``)."""
    replaced = []
    for module_name, attribute, home in WATCHED:
        module = sys.modules.get(module_name)
        if module is None:
            continue
        value = getattr(module, attribute, None)
        if module_name == __name__:
            genuine = value is _GENUINE.get(attribute)
        else:
            genuine = (getattr(value, "__module__", None) or "").startswith(home)
        if not genuine:
            replaced.append(f"{module_name}.{attribute}")
    return replaced


def _record(student: Callable, cases: list[Case], name: str,
            forbidden: Sequence[Callable]) -> float:
    """Record mode: run the student's function on every case and publish the returns."""
    from autograder import answers

    record: dict[str, Any] = {"call": _call_index(), "name": name, "cases": len(cases),
                              "replaced": replaced_functions()}
    outcomes = _run_here(student, cases, name, forbidden)
    if isinstance(outcomes, str):
        record["no_credit"] = outcomes
    else:
        encoded = []
        for outcome in outcomes:
            if outcome.problem is not None:
                encoded.append({"problem": outcome.problem})
                continue
            try:
                encoded.append({"returned": answers.encode(outcome.returned)})
            except answers.NotData as error:
                encoded.append({"problem": f"returned {error}: the grader cannot check it"})
        record["outcomes"] = encoded
    text = answers.dumps(record)
    if len(text) > answers.MAX_BYTES:
        record.pop("outcomes")
        record["no_credit"] = (f"{name}: no credit: your answers to these {len(cases)} cases "
                               f"take {len(text) / 1024**2:.0f} MB, more than the grader keeps")
        text = answers.dumps(record)
    from IPython.display import publish_display_data

    publish_display_data({answers.MIME_TYPE: text,
                          "text/plain": f"[{name}: {len(cases)} answers recorded for grading]"})
    return 0.0


# ----------------------------------------------------------------------------------------------
# Judge mode: the recorded returns in place of the student's function
# ----------------------------------------------------------------------------------------------
class _Replay:
    """The recorded calls of one test cell, handed out in order (set by :func:`replay`)."""

    def __init__(self, cell: str = "", records: Sequence[dict] = (), note: str = "") -> None:
        self.cell = cell
        self.records = {record.get("call"): record for record in records}
        self.note = note  # why records are missing, if the grader knows
        self.call = -1

    def next_call(self, name: str, count: int) -> list[Outcome] | str:
        from autograder import answers

        self.call += 1
        record = self.records.get(self.call)
        if record is None:
            why = self.note or ("in your notebook this test did not get this far (an error "
                                "or a time limit before it), or your code interfered with it")
            return f"{name}: no credit: no answers were recorded: {why}"
        if "no_credit" in record:
            return str(record["no_credit"])[:2000]
        outcomes = record.get("outcomes")
        if record.get("cases") != count or not isinstance(outcomes, list) or len(outcomes) != count:
            return (f"{name}: no credit: your notebook ran a different set of cases here "
                    f"than the tests have ({count}): the tests were changed or interfered with")
        replayed = []
        for outcome in outcomes:
            if not isinstance(outcome, dict):
                replayed.append(Outcome(problem="the recorded answer is unreadable"))
            elif "returned" in outcome:
                try:
                    replayed.append(Outcome(answers.decode(outcome["returned"])))
                except (ValueError, TypeError) as error:
                    replayed.append(Outcome(problem=f"the recorded answer is unreadable: {error}"))
            else:
                replayed.append(Outcome(problem=str(outcome.get("problem", "no answer"))[:2000]))
        return replayed


_REPLAY = _Replay()
_GENUINE.update(grade_cases=grade_cases, compare=compare)
_EXPECTED: dict[tuple, Any] = {}  # judge mode: reference values, per (cell, call, case)


def replay(cell: str, records_file: str, note: str = "") -> None:
    """Judge mode: the next cell to run is test ``cell``, with the records saved in the file."""
    import json

    global _REPLAY
    with open(records_file, encoding="utf-8") as file:
        records = json.load(file)
    _REPLAY = _Replay(cell, records, note)


class StudentCodeNotHere:
    """Judge mode: stands for a name the student's answer defines; the judge has no student
    code, so a test that calls it outside ``grade_cases`` is a mistake in the test."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, *args, **kwargs):
        raise RuntimeError(f"the test called the student's {self.name} outside grade_cases; "
                           "the grader can only judge what grade_cases records")

    def __repr__(self) -> str:
        return f"<the student's {self.name}>"
