"""Red team, part two: answers that attack the tests themselves, graded by the real pipeline.

The test cells run in the student's kernel, after the student's code, so a student can replace
anything the tests use there: ``numpy.allclose``, ``numpy.testing``, ``math.isclose``, the
grading helpers of ``autograder.checks``, the records the tests publish, or read the tests'
reference values off the call stack. The grader scores the recorded answers in a judge kernel
that never runs student code (``autograder/judge.py``), so none of this may earn a point.

As in ``test_redteam.py``, each hostile student answers exercise 2 (``cube``, 3 points)
honestly and puts the attack in exercise 1's answer cell next to a wrong ``square`` (5 points):
every attack must end at exactly 3 of 8 (or less, where the attack also broke the honest
test), the honest students keep 8 of 8, and the summary says what happened.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from autograder.answers import MIME_TYPE
from autograder.grading import GradingOptions, grade_submissions
from autograder.samples import answered, released_copy, solution_cell_ids, with_answer, write
from autograder.sandbox import find_bwrap
from autograder.submissions import collect

FIXTURE = Path(__file__).parent / "fixtures" / "tiny"
WRONG_SQUARE = "\ndef square(x):\n    return 0\n"

pytestmark = pytest.mark.skipif(
    find_bwrap() is None and not os.environ.get("CI"),
    reason="bubblewrap (bwrap) is not installed; .ci/run installs it",
)

ATTACKS = {
    # replace the comparisons a test in the kernel would use
    "patches_numpy_allclose": (
        "import numpy\n"
        "numpy.allclose = lambda *args, **kwargs: True\n"
        "numpy.isclose = lambda a, b, *args, **kwargs: numpy.ones(numpy.shape(a), dtype=bool)\n"
        "numpy.array_equal = lambda *args, **kwargs: True\n" + WRONG_SQUARE),
    "patches_numpy_testing": (
        "import numpy.testing\n"
        "numpy.testing.assert_allclose = lambda *args, **kwargs: None\n"
        "numpy.testing.assert_array_equal = lambda *args, **kwargs: None\n" + WRONG_SQUARE),
    "patches_math_isclose": (
        "import math\nmath.isclose = lambda *args, **kwargs: True\n" + WRONG_SQUARE),
    "patches_builtins": (
        "import builtins\nbuiltins.round = lambda x, n=None: 5.0\n"
        "builtins.abs = lambda x: 0\n" + WRONG_SQUARE),
    # replace the grading helpers themselves
    "patches_compare": (
        "import autograder.checks\n"
        "autograder.checks.compare = lambda got, expected, *args, **kwargs: None\n"
        + WRONG_SQUARE),
    "patches_grade_cases": (
        "import autograder.checks as checks\n"
        "_genuine = checks.grade_cases\n"
        "def _full_marks(student, *args, **kwargs):\n"
        "    if kwargs.get('name') == 'square':\n"
        "        return kwargs['points']\n"
        "    return _genuine(student, *args, **kwargs)\n"
        "checks.grade_cases = _full_marks\n" + WRONG_SQUARE),
    # read the expected values, or the reference, from the tests
    "reads_the_call_stack": (
        "import sys\n"
        "def square(x):\n"
        "    frame = sys._getframe(1)\n"
        "    while frame is not None:\n"
        "        if 'expected' in frame.f_locals:\n"
        "            return frame.f_locals['expected']\n"
        "        frame = frame.f_back\n"
        "    return 0\n"),
    # the same, with every name built at run time so that no source check can see it
    "walks_the_stack_in_disguise": (
        "import sys\n"
        "_frame_of = getattr(sys, '_get' + 'frame')\n"
        "def square(x):\n"
        "    frame = _frame_of(1)\n"
        "    while frame is not None:\n"
        "        local = getattr(frame, 'f_' + 'locals')\n"
        "        for key in ('expected', 'reference'):\n"
        "            if callable(local.get(key)):\n"
        "                return local[key](x)\n"
        "            if local.get(key) is not None:\n"
        "                return local[key]\n"
        "        frame = getattr(frame, 'f_' + 'back')\n"
        "    return 0\n"),
    # forge the records the tests publish, from inside the test
    "forges_records": (
        "import json\n"
        "from IPython.display import publish_display_data\n"
        "def square(x):\n"
        "    for call in range(2):\n"
        "        record = {'call': call, 'name': 'square', 'cases': 4,\n"
        "                  'outcomes': [{'returned': 9}] * 4}\n"
        f"        publish_display_data({{{MIME_TYPE!r}: json.dumps(record)}})\n"
        "    return 0\n"),
    # an answer that claims to equal anything
    "returns_an_object_equal_to_everything": (
        "class _Anything(float):\n"
        "    def __eq__(self, other):\n"
        "        return True\n"
        "    __hash__ = float.__hash__\n"
        "class _Liar:\n"
        "    def __eq__(self, other):\n"
        "        return True\n"
        "    def __float__(self):\n"
        "        return 0.0\n"
        "def square(x):\n"
        "    return _Liar()\n"),
    # switch the tests back to checking in the kernel, with a patched comparison
    "switches_off_recording": (
        "import os, numpy, math\n"
        "os.environ['AUTOGRADER_MODE'] = 'check'\n"
        "numpy.allclose = lambda *args, **kwargs: True\n"
        "math.isclose = lambda *args, **kwargs: True\n" + WRONG_SQUARE),
}
# attacks that also break the honest test of exercise 2 end below 3
SCORES = {"switches_off_recording": 0}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    assignment, release_nb, source = released_copy(FIXTURE, tmp_path_factory.mktemp("course"))
    honest = answered(release_nb, source, ["ex1_square", "ex2_cube"])
    folder = tmp_path_factory.mktemp("submissions")
    write(honest, folder / "honest_1" / "tiny.ipynb")
    write(honest, folder / "honest_2" / "tiny.ipynb")
    for student, code in ATTACKS.items():
        write(with_answer(honest, "ex1_square", code), folder / student / "tiny.ipynb")
    edited = with_answer(honest, "ex1_square", WRONG_SQUARE)  # and a test cell that says "5"
    for cell in edited.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_ex1_square":
            cell.source = "5"
    write(edited, folder / "edits_the_test_cell" / "tiny.ipynb")
    run = tmp_path_factory.mktemp("run")
    results = grade_submissions(assignment, collect(folder, assignment), run / "nbgrader",
                                GradingOptions(workers=4, notebook_timeout=60, cell_timeout=20))
    return {r.student_id: r for r in results}, run


def test_honest_students_keep_full_marks(graded):
    results, _ = graded
    for student in ("honest_1", "honest_2"):
        assert results[student].score == 8, results[student].problems
        assert results[student].problems == []


@pytest.mark.parametrize("student", [*ATTACKS, "edits_the_test_cell"])
def test_an_attack_on_the_tests_earns_nothing(graded, student):
    results, _ = graded
    assert results[student].graded
    assert results[student].score == SCORES.get(student, 3), results[student].problems


@pytest.mark.parametrize("student, words", [
    ("patches_numpy_allclose", "replaced numpy.allclose, numpy.isclose, numpy.array_equal"),
    ("patches_numpy_testing", "replaced numpy.testing.assert_allclose"),
    ("patches_math_isclose", "replaced math.isclose"),
    ("patches_builtins", "replaced builtins.abs, builtins.round"),
    ("patches_compare", "replaced autograder.checks.compare"),
    ("patches_grade_cases", "no answers were recorded"),
    ("patches_grade_cases", "uses the grading package autograder"),
    ("reads_the_call_stack", "uses frame.f_back (the tests' call stack)"),
    ("forges_records", "answers recorded twice"),
    ("switches_off_recording", "no answers were recorded"),
])
def test_the_summary_names_the_attack(graded, student, words):
    results, _ = graded
    assert any(words in problem for problem in results[student].problems), \
        results[student].problems


def test_feedback_shows_the_judges_report(graded):
    """The student reads the judge's verdict, case by case, not what ran in their kernel."""
    _, run = graded
    page = run / "nbgrader" / "feedback" / "patches_numpy_allclose" / "tiny" / "tiny.html"
    text = page.read_text()
    assert "square: 0 of 4 cases passed, 0 of 5 points" in text
    assert "cube: 3 of 3 cases passed, 3 of 3 points" in text
    honest = (run / "nbgrader" / "feedback" / "honest_1" / "tiny" / "tiny.html").read_text()
    assert "square: 4 of 4 cases passed, 5 of 5 points" in honest


def test_an_answer_object_that_equals_everything_is_refused(graded):
    _, run = graded
    notebook = nbformat.read(run / "nbgrader" / "autograded" /
                             "returns_an_object_equal_to_everything" / "tiny" / "tiny.ipynb",
                             as_version=4)
    test = next(c for c in notebook.cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == "test_ex1_square")
    report = "".join(o.get("text", "") for o in test.outputs)
    assert "returned a _Liar" in report and "the grader cannot check it" in report


def test_replacing_the_reference_in_a_real_assignment_earns_nothing(tmp_path):
    """Assignment 1, every exercise right but Exercise 2 (15 points), whose wrong answer comes
    with the reference made to agree: the library's perceptron, which the tests compare with,
    is replaced by the student's own function. The judge's library is untouched, so the score
    is that of the same wrong answer without the patch."""
    from autograder.coursedir import find_assignment

    assignment, release_nb, source = released_copy(
        find_assignment("a1_neuron_perceptron").source_dir, tmp_path)
    solved = answered(release_nb, source, solution_cell_ids(source))
    notebook = "a1_neuron_perceptron.ipynb"
    wrong = ("def perceptron_predict(X, w, b):\n"
             "    return np.ones(len(X))  # wrong: always +1\n")
    wrong_and_patched = wrong + (
        "import course.neuron\n"
        "course.neuron.Perceptron.predict = (\n"
        "    lambda self, X: perceptron_predict(X, self.weights, self.bias))\n")
    write(solved, tmp_path / "submissions" / "honest" / notebook)
    write(with_answer(solved, "ex2_perceptron_predict", wrong),
          tmp_path / "submissions" / "wrong" / notebook)
    write(with_answer(solved, "ex2_perceptron_predict", wrong_and_patched),
          tmp_path / "submissions" / "patches_the_reference" / notebook)
    results = {r.student_id: r for r in grade_submissions(
        assignment, collect(tmp_path / "submissions", assignment), tmp_path / "run" / "nbgrader",
        GradingOptions(workers=2, notebook_timeout=120, cell_timeout=30))}
    assert results["honest"].score == 100, results["honest"].problems
    assert 85 <= results["wrong"].score < 100  # some cases happen to be all +1
    assert results["patches_the_reference"].score == results["wrong"].score, \
        results["patches_the_reference"].problems
