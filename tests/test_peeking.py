"""What counts as an answer reading the tests (autograder.peeking): scope-aware, so that a
correct answer never loses its points for what it calls its own variables."""

from __future__ import annotations

import pytest

from autograder.peeking import reads_the_tests, unbound_names, unprefixed_test_names

TEST_NAMES = {"_x", "_X", "_y", "_W", "_b", "_G", "_rng", "_mu", "_var", "_gamma", "_beta",
              "_dout", "_W1", "_b1", "_score", "_cases", "_reference_update"}


@pytest.mark.parametrize("answer", [
    # the three answers of the issue that scored 0, and names at risk
    "def update_running_stats(mean, var, mu, batch_var, m, momentum):\n"
    "    _var = batch_var * m / (m - 1)\n"
    "    return momentum * mean + (1 - momentum) * mu, momentum * var + (1 - momentum) * _var\n",
    "def hidden_units_identical(W1, b1, W2, tol=1e-10):\n"
    "    _W1 = np.asarray(W1)\n"
    "    return bool(np.all(np.abs(_W1 - _W1[:, :1]) <= tol))\n",
    "def batchnorm_forward_train(x, gamma, beta, eps=1e-5):\n"
    "    _mu = x.mean(axis=0)\n"
    "    _var = ((x - _mu) ** 2).mean(axis=0)\n"
    "    return gamma * (x - _mu) / np.sqrt(_var + eps) + beta, _mu, _var\n",
    "def f(_x, _y=1, *_cases, **_score):\n    return [_G for _G in _x]\n",
    "def f(x):\n    _rng = None\n    def g():\n        return _rng\n    return g()\n",
    "_W = 3\n\ndef f(x):\n    return x * _W\n",  # bound by the answer's own cell
    "def f(x):\n    '''Tested by the autograder.'''\n    return x\n",
    "def f(x):\n    print('the autograder says hi')\n    return x\n",
    "def f(x):\n    In = x.shape[0]\n    return In\n",
    "def f(x):\n    return [_b for _b in range(3)]\n",
    "class Net:\n    _gamma = 1\n    def f(self):\n        return self._gamma\n",
    "def f(x):\n    return x.stack\n",
])
def test_correct_answers_with_the_tests_names_as_their_own_are_not_flagged(answer):
    assert reads_the_tests(answer, TEST_NAMES) == []


@pytest.mark.parametrize("answer, what", [
    ("def f(w, b, x, y):\n    return _reference_update(w, b, x, y)\n", "_reference_update"),
    ("def f(x):\n    return _t_library(x)\n", "_t_library"),
    ("def f(x):\n    return globals()['_t_cases']\n", "_t_cases"),
    ("import autograder\n", "autograder"),
    ("from autograder.checks import compare\n", "autograder"),
    ("def f(x):\n    return __import__('autograder.judge')\n", "autograder"),
    ("import sys\ndef f(x):\n    return sys._getframe(1).f_back.f_locals\n", "_getframe"),
    ("import inspect\ndef f(x):\n    return inspect.stack()\n", "inspect.stack"),
    ("from sys import _getframe\n", "_getframe"),
    ("def f(x):\n    return In[-2]\n", "input history"),
    ("class C:\n    _score = 1\n    def f(self):\n        return _score\n", "_score"),
])
def test_reading_what_the_answer_does_not_bind_is_flagged(answer, what):
    found = reads_the_tests(answer, TEST_NAMES)
    assert found and any(what in f for f in found), found


def test_unbound_names_follow_pythons_scopes():
    source = ("import numpy as np\n_EPS = 1\n"
              "def f(x, n=2):\n    y = [_q for _q in x]\n"
              "    def g():\n        return y, _EPS, _rng, np, n\n    return g\n")
    assert unbound_names(source) == {"_rng"}


def test_the_tests_private_names_must_carry_the_prefix():
    source = ("from course.neuron import Perceptron as _Perceptron\n_t_rng = 1\n"
              "def _t_helper():\n    _local = 1\n    return _local\n_cases = []\n")
    assert unprefixed_test_names(source) == ["_Perceptron", "_cases"]


def test_a_comprehensions_loop_variable_is_its_own_not_the_cells():
    """Python 3.12+ lists it in the cell's scope (PEP 709); it is local all the same."""
    source = ("_t_cases = [f() for _ in range(3)]\n"
              "_t_pairs = {_k: _v for _k, _v in zip(a, b)}\n")
    assert unprefixed_test_names(source) == []
    assert unprefixed_test_names("for _ in range(3):\n    pass\n_t_x = [1 for _ in a]\n") == ["_"]


def test_every_assignments_tests_pass_the_release_naming_check():
    """What release checks before running anything, on every assignment, under this Python."""
    import nbformat

    from autograder.coursedir import assignments
    from autograder.judge import is_test_cell

    for assignment in assignments():
        for path in assignment.source_dir.glob("*.ipynb"):
            for cell in nbformat.read(path, as_version=4).cells:
                if is_test_cell(cell):
                    assert unprefixed_test_names(cell.source) == [], (path.name, cell.source)


def test_not_python_is_left_to_the_kernel():
    assert reads_the_tests("def f(:\n", TEST_NAMES) == []
