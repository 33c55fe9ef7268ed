"""The grading helpers that test cells call (autograder.checks), in check mode, on answers
defined the way a notebook defines them: each cell's code compiled under a name of its own, its
source in ``linecache`` (as IPython keeps it), the notebook's namespace ``__main__``."""

from __future__ import annotations

import itertools
import linecache

import numpy as np
import pytest

from autograder.checks import Case, compare, grade_cases, tolerances

_CELLS = itertools.count()


def notebook_cell(source: str, namespace: dict | None = None) -> dict:
    """Run ``source`` as a notebook cell would be run; return the notebook's namespace."""
    namespace = namespace if namespace is not None else {"__name__": "__main__", "np": np}
    filename = f"<cell-{next(_CELLS)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)
    return namespace


@pytest.fixture(autouse=True)
def check_mode(monkeypatch):
    monkeypatch.setenv("AUTOGRADER_MODE", "check")


# --------------------------------------------------------------------------------------------
# compare
# --------------------------------------------------------------------------------------------
def test_float32_results_meet_float32_tolerances_and_float64_ones_stay_strict():
    rng = np.random.default_rng(0)
    X, W, b = rng.normal(size=(8, 8)), rng.normal(size=(8, 8)), rng.normal(size=8)
    exact = X @ W + b
    in_float32 = X.astype(np.float32) @ W.astype(np.float32) + b.astype(np.float32)
    assert compare(in_float32, exact) is None
    assert compare(in_float32.astype(np.float64), exact) is not None  # no slack for float64
    assert compare(np.float32(np.pi), np.pi) is None
    assert compare(in_float32 * 1.001, exact) is not None  # float32 is no licence to be wrong
    assert tolerances(np.zeros(2), np.ones(2), 1e-6, 1e-8) == (1e-6, 1e-8)


def test_a_difference_is_shown_with_the_digits_that_show_it():
    message = compare(np.array([0.0158732912]), np.array([0.0158734121]))
    assert "expected 0.0158734, got 0.0158733" in message
    assert "off by 1.2e-07" in message and "tolerance" in message


def test_none_is_expected_by_name_and_dicts_key_by_key():
    assert compare(np.ones((3, 3)), None) == (
        "expected None, got array of shape (3, 3)")
    assert compare(None, None) is None
    assert compare(None, np.ones(2)) == "expected an array of shape (2,), got None"
    assert compare({"SGD": 1.0, "Adam": 2.0}, {"SGD": 1.0, "Adam": 2.5}).startswith("'Adam': ")
    assert "keys" in compare({"SGD": 1.0}, {"SGD": 1.0, "Adam": 2.0})


# --------------------------------------------------------------------------------------------
# grade_cases
# --------------------------------------------------------------------------------------------
def test_credit_per_output_names_the_wrong_output(capsys):
    cell = notebook_cell(
        "def dense_backward(X, W, dZ):\n"
        "    return dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)  # db: mean instead of sum\n")
    rng = np.random.default_rng(1)
    cases = [Case(args=(rng.normal(size=(4, 3)), rng.normal(size=(3, 2)),
                        rng.normal(size=(4, 2)))) for _ in range(3)]
    score = grade_cases(cell["dense_backward"],
                        reference=lambda X, W, dZ: (dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)),
                        cases=cases, points=18, outputs=("dX", "dW", "db"))
    assert score == 12.0
    report = capsys.readouterr().out
    assert "PART" in report and "db: " in report and "(2 of 3 outputs right)" in report
    assert "item" not in report


def test_a_reply_that_is_not_the_named_tuple_earns_nothing_and_says_what_was_expected(capsys):
    cell = notebook_cell("def f(x):\n    return x\n")
    assert grade_cases(cell["f"], reference=lambda x: (x, x), cases=[Case(args=(1.0,))],
                       points=4, outputs=("out", "mask")) == 0.0
    assert "expected a tuple of 2 values (out, mask)" in capsys.readouterr().out


def test_expected_values_belong_to_their_case_whatever_the_student_raised(capsys):
    """An answer raising on case 1 must not shift the expected values of cases 2 and 3, even
    with a reference that hands out values in the order it is called."""
    cell = notebook_cell(
        "def sign(x):\n"
        "    if x == 0:\n"
        "        raise ValueError('zero')\n"
        "    return 1 if x > 0 else -1\n")
    outputs = iter([0, 1, -1])
    score = grade_cases(cell["sign"], reference=lambda x: next(outputs),
                        cases=[Case(args=(0,)), Case(args=(2,)), Case(args=(-3,))], points=3)
    assert score == 2.0
    cases = [Case(args=(2,), expected=1), Case(args=(-3,), expected=-1)]
    assert grade_cases(cell["sign"], cases=cases, points=2) == 2.0


def test_changing_an_input_in_place_fails_where_the_exercise_forbids_it(capsys):
    cell = notebook_cell(
        "def momentum_step(theta, grad, velocity, lr, beta):\n"
        "    velocity *= beta\n"
        "    velocity += (1 - beta) * grad\n"
        "    theta -= lr * velocity\n"
        "    return theta, velocity\n")

    def reference(theta, grad, velocity, lr, beta):
        velocity = beta * velocity + (1 - beta) * grad
        return theta - lr * velocity, velocity

    case = Case(args=(np.ones(2), np.array([0.5, -1.0]), np.zeros(2), 0.1, 0.9))
    assert grade_cases(cell["momentum_step"], reference, [case], points=12,
                       outputs=("theta", "velocity")) == 12.0
    assert grade_cases(cell["momentum_step"], reference, [case], points=3,
                       keeps_inputs=True) == 0.0
    assert "changed its input theta, velocity in place" in capsys.readouterr().out


def test_not_implemented_names_the_function_that_is_not_written(capsys):
    cell = notebook_cell(
        "def perceptron_update(w, b, x, y):\n"
        "    raise NotImplementedError()\n\n\n"
        "def train_perceptron(X, y, epochs, update=perceptron_update):\n"
        "    w, b = np.zeros(X.shape[1]), 0.0\n"
        "    for x_i, y_i in zip(X, y):\n"
        "        w, b = update(w, b, x_i, y_i)\n"
        "    return w, b, []\n")
    grade_cases(cell["train_perceptron"], reference=lambda X, y, epochs: None,
                cases=[Case(args=(np.ones((2, 2)), np.ones(2), 3))], points=1)
    assert ("it calls perceptron_update, which is not implemented yet"
            in capsys.readouterr().out)


# --------------------------------------------------------------------------------------------
# reading the tests, in the student's own run
# --------------------------------------------------------------------------------------------
def test_local_names_like_the_tests_are_the_students_own():
    namespace = notebook_cell("_t_rng = 'the tests'\n_t_cases = []\n")
    notebook_cell(
        "def unbiased(var, m):\n"
        "    '''Passes the autograder, I hope.'''\n"
        "    _var = var * m / (m - 1)\n"
        "    _rng, _x, _W1 = None, 0, 1\n"
        "    return _var\n", namespace)
    assert grade_cases(namespace["unbiased"], reference=lambda var, m: var * m / (m - 1),
                       cases=[Case(args=(2.0, 5))], points=12) == 12.0


@pytest.mark.parametrize("answer", [
    "def unbiased(var, m):\n    return _t_expected\n",
    "import autograder.checks\ndef unbiased(var, m):\n    return var * m / (m - 1)\n",
    "import sys\ndef unbiased(var, m):\n    return sys._getframe(2).f_locals['expected']\n",
    "def unbiased(var, m):\n    return eval(In[-1])\n",
])
def test_an_answer_that_reads_the_tests_gets_nothing_in_the_students_own_run(answer, capsys):
    namespace = notebook_cell("_t_expected = 2.5\nIn = ['2.5']\n")
    notebook_cell(answer, namespace)
    assert grade_cases(namespace["unbiased"], reference=lambda var, m: var * m / (m - 1),
                       cases=[Case(args=(2.0, 5))], points=12) == 0.0
    assert "no credit: your answer uses" in capsys.readouterr().out


def test_the_tests_own_wrappers_are_looked_through_to_the_students_cell():
    namespace = notebook_cell("def xor_mistakes(epochs):\n    return [2] * epochs\n")
    notebook_cell(
        "from autograder.checks import grade_cases\n"
        "def _t_wrapper(epochs):\n"
        "    return xor_mistakes(epochs)\n", namespace)
    assert grade_cases(namespace["_t_wrapper"], reference=lambda epochs: [2] * epochs,
                       cases=[Case(args=(3,))], points=15) == 15.0


def test_an_input_changed_and_changed_back_is_left_as_it_was(capsys):
    cell = notebook_cell(
        "def numerical_gradient(f, x, h=1e-5):\n"
        "    grad = np.zeros(x.shape)\n"
        "    for i in np.ndindex(x.shape):\n"
        "        x[i] += h\n"
        "        up = f(x)\n"
        "        x[i] -= 2 * h\n"
        "        down = f(x)\n"
        "        x[i] += h  # back, but for the last bit\n"
        "        grad[i] = (up - down) / (2 * h)\n"
        "    return grad\n")
    x = np.random.default_rng(3).normal(size=(4, 5))
    assert grade_cases(cell["numerical_gradient"], reference=lambda f, x: 2 * x,
                       cases=[Case(args=(lambda v: float(np.sum(v**2)), x))], points=2,
                       keeps_inputs=True, rtol=1e-6) == 2.0


def test_looking_for_forbidden_calls_reads_deprecated_attributes_quietly():
    """NumPy 1.24 warns when ``np.bool`` is read; the search for forbidden calls reads every
    name an answer uses on every module it uses, and nbgrader gives 0 to a test cell that
    writes a warning to standard error."""
    import types
    import warnings

    from autograder.checks import calls_forbidden

    module = types.ModuleType("old_library")

    def _deprecated(name):
        warnings.warn(f"old_library.{name} is deprecated", FutureWarning, stacklevel=2)
        raise AttributeError(name)

    module.__getattr__ = _deprecated
    namespace = {"old_library": module}
    exec("def answer(x):\n    return old_library.bool(x)\n", namespace)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        assert calls_forbidden(namespace["answer"], [np.sum]) is None
