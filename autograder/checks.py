"""The checks that run inside a notebook's test cells: compare, explain, give partial credit.

An assignment's test cell grades one exercise. It calls :func:`grade_cases` and leaves the
returned score as the cell's last expression; nbgrader reads that number as the cell's partial
credit::

    from autograder.checks import grade_cases
    grade_cases(relu_grad_student, reference=relu_grad, cases=cases, points=5)

For each test case the student's function and the reference implementation get the same input
(each its own copy, so an answer that modifies its input cannot spoil the comparison); the
outputs are compared with tolerances; every case prints one line that says what was given, what
was expected and what came back. The score is ``points * credit / total``: partial credit per
case, and per output where the function returns several (``outputs=("dX", "dW", "db")``). A
case's expected value is its own (``Case(expected=...)``) or the reference's on its inputs,
computed for every case whatever the student's function did. A float32 result is compared
with float32's precision. Where the exercise says not to change the inputs in place,
``keeps_inputs=True`` fails a case whose inputs were changed.

An answer that reads the tests (a name of theirs it does not bind itself, the grading package,
the call stack: :mod:`autograder.peeking`) gets no credit for that exercise, in the student's
own run as when graded.

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
to standard error, so warnings raised by the student's code are silenced here, and what it writes
to standard error itself (a progress bar, a log line) is shown on standard output.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import linecache
import math
import os
import re
import sys
import types
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

NOT_GIVEN = object()  # a Case without an expected value: the reference computes it


@dataclass
class Case:
    """One test input: positional ``args`` and keyword ``kwargs`` of the graded function, and,
    for a case worked out by hand, its ``expected`` output (otherwise the reference computes
    it). The expected value belongs to its case: it never depends on other cases or on the
    order in which cases are graded."""

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    note: str = ""  # what this case is about, shown in the report ("negative inputs")
    expected: Any = NOT_GIVEN

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
            return np.array2string(value, precision=4, separator=", ",
                                   suppress_small=False).replace("\n", "")
        return f"array of shape {value.shape}"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        if len(value) > 6:
            return f"{type(value).__name__} of length {len(value)}"
        inner = ", ".join(_short(v) for v in value)
        if isinstance(value, list):
            return f"[{inner}]"
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


FLOAT32_RTOL = 1e-5  # what float32 arithmetic (about 7 digits) can promise after a few steps


def tolerances(got: Any, expected: Any, rtol: float, atol: float) -> tuple[float, float]:
    """The tolerances for comparing ``got`` with ``expected``: as given, or wider when the
    student's result is float32 (about 7 significant digits): a relative ``1e-5``, and an
    absolute ``1e-5`` of the expected values' largest magnitude, at least ``1e-7`` (for entries
    that cancel, down to an expected 0)."""
    dtype = getattr(got, "dtype", None)
    if dtype is None or not np.issubdtype(dtype, np.floating) or np.finfo(dtype).bits > 32:
        return rtol, atol
    scale = float(np.max(np.abs(expected), initial=0.0)) if np.size(expected) else 0.0
    scale = scale if np.isfinite(scale) else 0.0
    return max(rtol, FLOAT32_RTOL), max(atol, FLOAT32_RTOL * max(scale, 0.01))


def _two_numbers(got: float, expected: float, rtol: float, atol: float) -> str:
    """expected and got with enough digits to tell them apart, and by how much they differ."""
    for digits in range(6, 18):
        e, g = f"{expected:.{digits}g}", f"{got:.{digits}g}"
        if e != g:
            break
    text = f"expected {e}, got {g}"
    if np.isfinite(got) and np.isfinite(expected) and not (
            float(got).is_integer() and float(expected).is_integer()):  # counts, labels
        text += (f" (off by {abs(got - expected):.2g}; the tolerance is "
                 f"{atol + rtol * abs(expected):.2g})")
    return text


def compare(got: Any, expected: Any, rtol: float = 1e-6, atol: float = 1e-8) -> str | None:
    """None if ``got`` matches ``expected`` within tolerances, else a sentence saying how not.

    Arrays must have the expected shape and values; tuples and lists are compared element by
    element, dicts key by key; numbers with tolerances (wider for a float32 result, see
    :func:`tolerances`); ``None`` must be ``None``; anything else with ``==``.
    """
    if expected is None:
        return None if got is None else f"expected None, got {_short(got)}"
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return f"expected a dict with the keys {sorted(expected, key=str)}, got {_short(got)}"
        for key in expected:
            problem = compare(got[key], expected[key], rtol, atol)
            if problem:
                return f"{key!r}: {problem}"
        return None
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
        if got is None:
            return f"expected an array of shape {np.shape(expected)}, got None"
        try:
            got_array = np.asarray(got)
            rtol, atol = tolerances(got_array, expected, rtol, atol)
            got_array = got_array.astype(float)
        except (TypeError, ValueError):
            return f"expected an array, got {_short(got)}"
        expected_array = np.asarray(expected, dtype=float)
        if got_array.shape != expected_array.shape:
            return f"expected shape {expected_array.shape}, got shape {got_array.shape}"
        if not np.allclose(got_array, expected_array, rtol=rtol, atol=atol, equal_nan=True):
            wrong = ~np.isclose(got_array, expected_array, rtol=rtol, atol=atol, equal_nan=True)
            index = tuple(int(i) for i in np.argwhere(wrong)[0])
            numbers = _two_numbers(float(got_array[index]), float(expected_array[index]),
                                   rtol, atol)
            if not index:  # a single number
                return numbers
            return f"{int(wrong.sum())} of {wrong.size} values differ; at index {index} {numbers}"
        return None
    if isinstance(expected, (bool, np.bool_)):
        if isinstance(got, (bool, np.bool_)) and bool(got) == bool(expected):
            return None
        return f"expected {bool(expected)!r}, got {_short(got)}"
    if isinstance(expected, (int, float, np.number)):
        if got is None or isinstance(got, (str, bytes)):
            return f"expected the number {expected!r}, got {_short(got)}"
        try:
            rtol, atol = tolerances(got, expected, rtol, atol)
            got_number = float(got)
        except (TypeError, ValueError):
            return f"expected the number {expected!r}, got {_short(got)}"
        if math.isclose(got_number, float(expected), rel_tol=rtol, abs_tol=atol) or (
                math.isnan(got_number) and math.isnan(float(expected))):
            return None
        return _two_numbers(got_number, float(expected), rtol, atol)
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
        values = _referenced_values(current)
        # follow attribute chains on modules: course -> activations -> relu_grad
        frontier = list(values)
        for _depth in range(3):
            following = []
            for value in frontier:
                if isinstance(value, types.ModuleType):
                    with _quietly():  # reading a deprecated attribute warns (np.bool, NumPy 1.24)
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
    kind: str = ""  # what kind of problem, one of PROBLEM_KINDS ("" when there is none)
    error: str = ""  # kind "raised": the exception's type, e.g. "ValueError"


# What can keep a case from being compared, as data: a hidden case's line says only this (and
# the exception's type), never the message, which may show the hidden inputs.
PROBLEM_KINDS = {
    "raised": "your function raised {error}",
    "not_implemented": "not implemented yet (it raises NotImplementedError)",
    "changed_inputs": "it changed its inputs in place",
    "not_data": "it returned something the grader cannot check (not numbers or arrays)",
    "unreadable": "the grader could not read its answer",
    "too_large": "its answer was too large to record",
}


@dataclass
class NoCredit:
    """A grade_cases call that earns nothing at all: why in words, and the kind as data (one
    of NO_CREDIT_KINDS: what a hidden test says, since a record's words come from the student's
    kernel and could carry anything)."""

    message: str
    kind: str


NO_CREDIT_KINDS = {
    "forbidden": "your answer calls the library's own implementation of this function",
    "not_a_function": "the tests did not find your function",
    "reads_tests": "your answer reads the tests",
    "too_large": "your answers were too large to record",
    "not_recorded": "no answers were recorded (an error or a time limit stopped your notebook "
                    "before these tests, or your code interfered with them)",
    "other_cases": "your notebook ran another set of cases than the tests have",
    "recorded_twice": "its answers were recorded twice (your code published outputs of its own)",
}


def _forbidden_message(name: str, qualified: str) -> NoCredit:
    return NoCredit(f"{name}: no credit: your answer calls {qualified}, the library's own "
                    "implementation of what this exercise asks you to write. Write it yourself.",
                    "forbidden")


@contextlib.contextmanager
def _quietly():
    """No warnings, no NumPy floating-point complaints, and what is written to standard error
    goes to standard output: nbgrader gives no credit to a test cell that writes to standard
    error, and a correct answer may (a progress bar, a log line, ``print(..., file=sys.stderr)``).
    """
    with warnings.catch_warnings(), np.errstate(all="ignore"), \
            contextlib.redirect_stderr(sys.stdout):
        warnings.simplefilter("ignore")
        yield


def _not_implemented(error: NotImplementedError, name: str) -> str:
    """What is not implemented: the graded function ``name``, or the function it calls that
    raised NotImplementedError (the innermost one: the graded function may be written and call
    one that is not)."""
    traceback = error.__traceback__
    while traceback is not None and traceback.tb_next is not None:
        traceback = traceback.tb_next
    where = traceback.tb_frame.f_code.co_name if traceback is not None else name
    if where == name.split(" ")[0]:
        return "not implemented yet (it raises NotImplementedError)"
    return f"it calls {where}, which is not implemented yet (it raises NotImplementedError)"


def _same(before: Any, after: Any) -> bool:
    """True if ``after`` still holds the values of ``before`` (arrays, lists, dicts): exactly,
    or for floating-point arrays within the rounding of an input changed and changed back."""
    if isinstance(before, np.ndarray) or isinstance(after, np.ndarray):
        if not (isinstance(before, np.ndarray) and isinstance(after, np.ndarray)
                and before.shape == after.shape and before.dtype == after.dtype):
            return False
        if before.dtype.kind not in "fc":
            return bool(np.array_equal(before, after))
        # x[i] += h; ...; x[i] -= h leaves x as it was, give or take the last bit
        scale = float(np.max(np.abs(before), initial=0.0)) if np.isfinite(before).all() else 1.0
        return bool(np.allclose(after, before, rtol=1e-10, atol=1e-12 * max(scale, 1.0),
                                equal_nan=True))
    if isinstance(before, (list, tuple)):
        return (type(before) is type(after) and len(before) == len(after)
                and all(_same(b, a) for b, a in zip(before, after)))
    if isinstance(before, dict):
        return (isinstance(after, dict) and set(before) == set(after)
                and all(_same(before[k], after[k]) for k in before))
    if type(before).__eq__ is object.__eq__:  # no value of its own (a callable passed in,
        return True  # deep-copied for the call): not an input we check
    try:
        return bool(before == after) or (before != before and after != after)
    except Exception:  # noqa: BLE001 (objects that cannot be compared: not inputs we check)
        return True


def _changed_inputs(student: Callable, pristine: tuple, used: tuple) -> list[str]:
    """The names of the inputs that the student's call changed in place."""
    (args, kwargs), (used_args, used_kwargs) = pristine, used
    try:
        names = list(inspect.signature(student).parameters)
    except (TypeError, ValueError):
        names = []
    changed = [names[i] if i < len(names) else f"argument {i + 1}"
               for i, (a, b) in enumerate(zip(args, used_args)) if not _same(a, b)]
    changed += [k for k in kwargs if not _same(kwargs[k], used_kwargs[k])]
    return changed


def _call_student(student: Callable, case: Case, forbidden: Sequence[Callable],
                  keeps_inputs: bool = False, name: str = ""
                  ) -> tuple[Outcome, Callable | None]:
    """Run the student's function on one case: its outcome, and a forbidden function it called.

    With ``keeps_inputs``, an answer that changes its inputs in place fails the case (the
    exercise says to return new values)."""
    args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
    pristine = copy.deepcopy((args, kwargs)) if keeps_inputs else None
    with _quietly(), _Tripwire(forbidden) as wire:
        try:
            outcome = Outcome(student(*args, **kwargs))
        except NotImplementedError as error:
            outcome = Outcome(problem=_not_implemented(error, name or student.__name__),
                              kind="not_implemented")
        except Exception as error:  # the student's code failed on this input
            outcome = Outcome(problem=f"raised {type(error).__name__}: {error}", kind="raised",
                              error=type(error).__name__)
    if pristine is not None and outcome.problem is None:
        changed = _changed_inputs(student, pristine, (args, kwargs))
        if changed:
            outcome = Outcome(problem=(
                f"the right answer or not, it changed its input {', '.join(changed)} in place; "
                "the exercise asks for new values and the inputs left as they were"),
                kind="changed_inputs")
    return outcome, wire.tripped


def _output_names(outputs: Sequence[str] | dict[str, float] | None) -> dict[str, float] | None:
    if outputs is None:
        return None
    if isinstance(outputs, dict):
        return {str(k): float(v) for k, v in outputs.items()}
    return {str(name): 1.0 for name in outputs}


@dataclass
class Verdict:
    """How one case's answer compares: the share of its credit earned (1, 0, or per output),
    what is wrong in words (with the values), and, as data, what is wrong without them."""

    share: float
    problem: str | None = None
    wrong_outputs: list[str] = field(default_factory=list)  # by name, when there are outputs
    wrong_shape: bool = False  # an array (or an output) of another shape than expected


def _credit(got: Any, expected: Any, check: Callable[[Any, Any], str | None],
            outputs: dict[str, float] | None) -> Verdict:
    """The :class:`Verdict` on ``got`` against ``expected``."""
    if outputs is None:
        problem = check(got, expected)
        if problem is None:
            return Verdict(1.0)
        return Verdict(0.0, problem, wrong_shape=_other_shape(got, expected))
    names = list(outputs)
    if not isinstance(got, (tuple, list)) or len(got) != len(names):
        return Verdict(0.0, f"expected a tuple of {len(names)} values ({', '.join(names)}), "
                            f"got {_short(got)}", wrong_outputs=names, wrong_shape=True)
    earned, problems, wrong, shape = 0.0, [], [], False
    for name, got_item, expected_item in zip(names, got, expected):
        problem = check(got_item, expected_item)
        if problem:
            problems.append(_named(name, problem))
            wrong.append(name)
            shape = shape or _other_shape(got_item, expected_item)
        else:
            earned += outputs[name]
    if not problems:
        return Verdict(1.0)
    right = len(names) - len(problems)
    detail = "; ".join(problems) + f" ({right} of {len(names)} outputs right)"
    return Verdict(earned / sum(outputs.values()), detail, wrong, shape)


def _other_shape(got: Any, expected: Any) -> bool:
    """True if ``got`` is an array-like of another shape than the expected array."""
    if not isinstance(expected, np.ndarray):
        return False
    try:
        return np.shape(got) != expected.shape
    except Exception:  # noqa: BLE001 (ragged lists: not an array at all)
        return True


def _hidden_case_problem(outcome: Outcome, verdict: Verdict | None) -> str:
    """What went wrong on a hidden case, without its inputs, expected value or answer: the
    kind of problem (and an exception's type), or which outputs are wrong."""
    if outcome.problem is not None:
        return PROBLEM_KINDS.get(outcome.kind, "your function gave no answer the grader could "
                                 "check").format(error=outcome.error or "an exception")
    if verdict is None:
        return "the grader could not compute the expected value (not your mistake)"
    if verdict.wrong_outputs:
        wrong = ", ".join(verdict.wrong_outputs)
        right = "; the other outputs are right" if verdict.share > 0 else ""
        shape = " (a shape is wrong)" if verdict.wrong_shape else ""
        return f"wrong: {wrong}{shape}{right}"
    if verdict.wrong_shape:
        return "the shape of what it returned is wrong"
    return "what it returned is wrong"


def _named(name: str, problem: str) -> str:
    """``problem`` said of the output ``name``: "grads[1]: ..." for an item of a list."""
    match = re.match(r"item (\d+): ", problem)
    if match:
        return f"{name}[{match.group(1)}]: {problem[match.end():]}"
    return f"{name}: {problem}"


def grade_cases(
    student: Callable,
    reference: Callable | None = None,
    cases: Iterable[Case] = (),
    points: float = 0.0,
    name: str | None = None,
    forbidden: Sequence[Callable] = (),
    rtol: float = 1e-6,
    atol: float = 1e-8,
    compare_outputs: Callable[[Any, Any], str | None] | None = None,
    outputs: Sequence[str] | dict[str, float] | None = None,
    keeps_inputs: bool = False,
) -> float:
    """Compare ``student`` with ``reference`` on every case; print a report; return the score.

    Args:
        student: the student's function.
        reference: the reference implementation (the library's, or the solution's); not
            needed for cases that carry their ``expected`` value.
        cases: the inputs (see :class:`Case` and :func:`random_arrays`).
        points: the points of this exercise; the score is ``points * credit / total``, where
            a case earns 1, 0, or its share of right ``outputs``.
        name: how to call the function in the report (default: its ``__name__``).
        forbidden: library functions the answer must not call; if it does, the score is 0.
        rtol, atol: tolerances of the comparison (wider for float32 results, see
            :func:`tolerances`).
        compare_outputs: a custom ``f(got, expected) -> None or message`` instead of
            :func:`compare` (applied to each output when ``outputs`` is given).
        outputs: the names of the outputs when the function returns a tuple (``("dX", "dW",
            "db")``), or a dict name -> weight: each output right earns its share of the
            case's credit, and the report names the wrong ones.
        keeps_inputs: the exercise says not to change the inputs in place; a case whose
            inputs the answer changed fails.

    The expected value of every case is computed (or taken from the case) for all cases, in
    order, whatever the student's function did: it belongs to its case. What the student's
    function returns must be data (numbers, arrays, strings, and lists, tuples and dicts of
    them): when the grader grades, it is recorded in the student's kernel and compared in
    another (see the module's notes on the three modes).
    """
    cases = [c if isinstance(c, Case) else Case(args=tuple(c)) for c in cases]
    name = name or getattr(student, "__name__", "your function")
    mode = current_mode()
    if mode == "record":
        # no reference value is computed in the student's kernel, and the reference itself
        # and the cases' expected values are dropped, so that the student's code finds
        # neither on the call stack
        reference = None  # noqa: F841
        for case in cases:
            case.expected = NOT_GIVEN
        return _record(student, cases, name, forbidden, keeps_inputs)
    hidden = mode == "judge" and _REPLAY.is_hidden(_cell_line())
    if mode == "judge":
        outcomes = _REPLAY.next_call(name, len(cases))
    else:
        outcomes = _run_here(student, cases, name, forbidden, keeps_inputs)
    if isinstance(outcomes, NoCredit):  # no credit at all, and why
        if hidden:
            reason = NO_CREDIT_KINDS.get(outcomes.kind, "see your lecturer")
            print(f"{name}, hidden tests: no credit for these {len(cases)} cases: {reason}")
            _lecturer_only(outcomes.message)
        else:
            print(outcomes.message)
        if mode == "judge":
            _REPLAY.add_result(name, points, 0.0, 0, len(cases), visible=not hidden)
        return 0.0
    expected = [_expected(reference, case, number) for number, case in enumerate(cases, 1)]
    check = compare_outputs or (lambda got, want: compare(got, want, rtol, atol))
    names = _output_names(outputs)
    credit, passed, lines, safe_lines = 0.0, 0, [], []
    for number, (case, outcome, want) in enumerate(zip(cases, outcomes, expected), start=1):
        label = f"case {number}" + (f" ({case.note})" if case.note else "")
        verdict = None
        if outcome.problem is not None:
            verdict = Verdict(0.0, outcome.problem)
        elif not isinstance(want, _ReferenceFailed):
            with _quietly():
                try:
                    verdict = _credit(outcome.returned, want, check, names)
                except Exception as error:  # an answer of a shape the check did not expect
                    verdict = Verdict(0.0, f"raised {type(error).__name__}: {error}")
        problem = (verdict.problem if verdict is not None else
                   f"the grader could not compute the expected value ({want.why})")
        share = verdict.share if verdict is not None else 0.0
        credit += share
        if problem is None:
            passed += 1
            lines.append(f"  ok    {label}")
            safe_lines.append(f"  ok    hidden {label}")
        else:
            status = "PART" if share > 0 else "FAIL"
            lines.append(f"  {status}  {label}: {name}({case.describe()}): {problem}")
            safe_lines.append(f"  {status}  hidden {label}: "
                              f"{_hidden_case_problem(outcome, verdict)}")
    score = float(round(points * credit / len(cases), 2)) if cases else 0.0
    total = f"{name}: {passed} of {len(cases)} cases passed, {score:g} of {points:g} points"
    if hidden:
        print("\n".join([f"{name}, hidden tests (their inputs and expected values are not "
                         "shown):", *safe_lines, total]))
        _lecturer_only("\n".join([*lines, total]))
    else:
        print("\n".join([*lines, total]))
    if mode == "judge":
        _REPLAY.add_result(name, points, score, passed, len(cases), visible=not hidden)
    return score


LECTURER_ONLY = "lecturer_only"  # metadata key of a judge's output that students never receive


def _lecturer_only(text: str) -> None:
    """Judge mode, a hidden test: the full report (inputs, expected values, answers) as an
    output marked for the lecturer's eyes; the feedback a student gets leaves it out
    (:mod:`autograder.student_view`)."""
    from IPython.display import publish_display_data

    publish_display_data({"text/plain": f"[lecturer only] {text}"},
                         metadata={"autograder": {LECTURER_ONLY: True}})


def _run_here(student: Callable, cases: list[Case], name: str,
              forbidden: Sequence[Callable], keeps_inputs: bool = False
              ) -> list[Outcome] | NoCredit:
    """The student's function on every case, in this kernel (check and record modes)."""
    if not callable(student):
        return NoCredit(f"{name}: not graded: expected a function, found {_short(student)}",
                        "not_a_function")
    hit = calls_forbidden(student, forbidden)
    if hit is not None:
        return _forbidden_message(name, _qualified(hit))
    if current_mode() == "check":
        peeking = _reads_the_tests(student)
        if peeking:
            return NoCredit(f"{name}: no credit: your answer uses {', '.join(peeking)}; answers "
                            "must compute their results, not read them from the tests",
                            "reads_tests")
    outcomes = []
    for case in cases:
        outcome, tripped = _call_student(student, case, forbidden, keeps_inputs, name)
        if tripped is not None:
            return _forbidden_message(name, _qualified(tripped))
        outcomes.append(outcome)
    return outcomes


def _reads_the_tests(student: Callable) -> list[str]:
    """Check mode: what the answer cells behind ``student`` use of the tests, by the rule the
    grader applies to the answer cells (:mod:`autograder.peeking`), so that a student sees in
    their own run what the grader will say.

    ``student`` may be a helper of the tests (its name has the tests' prefix) that calls the
    student's functions; the cells that define the student's functions are checked."""
    from autograder.peeking import TEST_PREFIX, reads_the_tests

    found: set[str] = set()
    seen: set[int] = set()
    stack = [student]
    while stack:
        function = stack.pop()
        code = getattr(function, "__code__", None)
        if code is None or id(function) in seen:
            continue
        seen.add(id(function))
        source = "".join(linecache.getlines(code.co_filename))
        outermost = function.__qualname__.split(".")[0]
        if outermost.startswith(TEST_PREFIX) or (
                outermost == "<lambda>" and "from autograder" in source):  # the tests' own
            stack += [value for value in _referenced_values(function)
                      if isinstance(value, types.FunctionType) and value.__module__ == "__main__"]
        elif source:
            found.update(reads_the_tests(source))
    return sorted(found)


def _referenced_values(function: Callable) -> list[Any]:
    """The objects a function's code can reach by name: its globals, closure and defaults."""
    names = {name for c in _code_objects(function.__code__) for name in c.co_names}
    values = [getattr(function, "__globals__", {}).get(name) for name in names]
    values += [cell.cell_contents for cell in (function.__closure__ or ())
               if _cell_has_contents(cell)]
    return values + list(function.__defaults__ or ())


class _ReferenceFailed:
    """The reference raised on a case: a mistake in the test, reported, never a student's."""

    def __init__(self, why: str) -> None:
        self.why = why


def _expected(reference: Callable | None, case: Case, number: int) -> Any:
    """The expected value of a case: its own, or the reference's on it (in judge mode computed
    once per case and kept: the cases come from fixed seeds, and every case's value is
    computed, in order, whatever the student did)."""
    if case.expected is not NOT_GIVEN:
        return case.expected
    key = (_REPLAY.cell, _REPLAY.call, number) if current_mode() == "judge" else None
    if key is not None and key in _EXPECTED:
        return copy.deepcopy(_EXPECTED[key])
    if reference is None:
        return _ReferenceFailed("the case has no expected value and there is no reference")
    with _quietly():
        try:
            expected = case.apply(reference)
        except Exception as error:  # noqa: BLE001 (reported in the case's line)
            return _ReferenceFailed(f"{type(error).__name__}: {error}")
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
            forbidden: Sequence[Callable], keeps_inputs: bool = False) -> float:
    """Record mode: run the student's function on every case and publish the returns."""
    from autograder import answers

    record: dict[str, Any] = {"call": _call_index(), "name": name, "cases": len(cases),
                              "replaced": replaced_functions()}
    outcomes = _run_here(student, cases, name, forbidden, keeps_inputs)
    if isinstance(outcomes, NoCredit):
        record["no_credit"], record["no_credit_kind"] = outcomes.message, outcomes.kind
    else:
        encoded = []
        for outcome in outcomes:
            if outcome.problem is not None:
                encoded.append({"problem": outcome.problem, "kind": outcome.kind,
                                "error": outcome.error})
                continue
            try:
                encoded.append({"returned": answers.encode(outcome.returned)})
            except answers.NotData as error:
                encoded.append({"problem": f"returned {error}: the grader cannot check it",
                                "kind": "not_data"})
        record["outcomes"] = encoded
    text = answers.dumps(record)
    if len(text) > answers.MAX_BYTES:
        record.pop("outcomes")
        record["no_credit_kind"] = "too_large"
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
    """The recorded calls of one test cell, handed out in order (set by :func:`replay`), and
    the verdict on each call, as data (:meth:`add_result`, read back by the judge)."""

    def __init__(self, cell: str = "", records: Sequence[dict] = (), note: str = "",
                 hidden_from_line: int | None = None) -> None:
        self.cell = cell
        self.records = {record.get("call"): record for record in records}
        self.note = note  # why records are missing, if the grader knows
        self.hidden_from_line = hidden_from_line  # the cell's hidden tests start at this line
        self.call = -1
        self.results: list[dict[str, Any]] = []

    def is_hidden(self, line: int | None) -> bool:
        """True if line ``line`` of the cell (a grade_cases call) is in its hidden tests."""
        return (self.hidden_from_line is not None and line is not None
                and line >= self.hidden_from_line)

    def add_result(self, name: str, points: float, score: float, passed: int,
                   total: int, visible: bool = True) -> None:
        """Keep the verdict of the current grade_cases call; ``visible`` says whether the call
        stands before the cell's hidden tests (the part a student runs in JupyterLab)."""
        self.results.append({"call": self.call, "name": name, "points": float(points),
                             "score": float(score), "passed": passed, "cases": total,
                             "visible": visible})

    def next_call(self, name: str, count: int) -> list[Outcome] | NoCredit:
        from autograder import answers

        self.call += 1
        record = self.records.get(self.call)
        if record is None:
            why = self.note or ("in your notebook this test did not get this far (an error "
                                "or a time limit before it), or your code interfered with it")
            return NoCredit(f"{name}: no credit: no answers were recorded: {why}",
                            "not_recorded")
        if "no_credit" in record:
            return NoCredit(str(record["no_credit"])[:2000], str(record.get("no_credit_kind")))
        outcomes = record.get("outcomes")
        if record.get("cases") != count or not isinstance(outcomes, list) or len(outcomes) != count:
            return NoCredit(f"{name}: no credit: your notebook ran a different set of cases "
                            f"here than the tests have ({count}): the tests were changed or "
                            "interfered with", "other_cases")
        replayed = []
        for outcome in outcomes:
            if not isinstance(outcome, dict):
                replayed.append(Outcome(problem="the recorded answer is unreadable",
                                        kind="unreadable"))
            elif "returned" in outcome:
                try:
                    replayed.append(Outcome(answers.decode(outcome["returned"])))
                except (ValueError, TypeError) as error:
                    replayed.append(Outcome(problem=f"the recorded answer is unreadable: {error}",
                                            kind="unreadable"))
            else:
                replayed.append(Outcome(problem=str(outcome.get("problem", "no answer"))[:2000],
                                        kind=str(outcome.get("kind", "")),
                                        error=_exception_name(outcome.get("error"))))
        return replayed


def _exception_name(name: Any) -> str:
    """A recorded exception's type name, if it is one of Python's own (the record comes from
    the student's kernel: any other text could carry a hidden test's inputs)."""
    import builtins

    value = getattr(builtins, name, None) if isinstance(name, str) and name.isidentifier() else None
    return name if isinstance(value, type) and issubclass(value, BaseException) else ""


_REPLAY = _Replay()
_GENUINE.update(grade_cases=grade_cases, compare=compare)
_EXPECTED: dict[tuple, Any] = {}  # judge mode: reference values, per (cell, call, case)


def replay(cell: str, records_file: str, note: str = "",
           hidden_from_line: int | None = None) -> None:
    """Judge mode: the next cell to run is test ``cell``, with the records saved in the file;
    its hidden tests start at line ``hidden_from_line`` of the code the judge runs."""
    import json

    global _REPLAY
    with open(records_file, encoding="utf-8") as file:
        records = json.load(file)
    _REPLAY = _Replay(cell, records, note, hidden_from_line)


def replay_results() -> str:
    """Judge mode: the verdicts of the last cell's grade_cases calls, as JSON."""
    import json

    return json.dumps(_REPLAY.results)


def _cell_line() -> int | None:
    """The line of the running cell's top-level code that led to this call."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_name != "<module>":
        frame = frame.f_back
    return frame.f_lineno if frame is not None else None


class StudentCodeCalled(RuntimeError):
    """Judge mode: a cell called the student's code, which the judge does not have."""


class StudentCodeNotHere:
    """Judge mode: stands for a name the student's answer defines; the judge has no student
    code, so a test that calls it outside ``grade_cases`` is a mistake in the test (and a cell
    that is no test, a demonstration that runs the student's functions, is not run by the
    judge: :class:`autograder.judge.JudgeKernel`)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, *args, **kwargs):
        raise StudentCodeCalled(f"the test called the student's {self.name} outside "
                                "grade_cases; the grader can only judge what grade_cases "
                                "records")

    def __repr__(self) -> str:
        return f"<the student's {self.name}>"
