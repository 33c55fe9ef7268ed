"""Hidden tests stay hidden: nothing a student receives holds their code, inputs or expected values.

The tiny assignment (tests/fixtures/tiny) has a visible test, square(3), and hidden ones on
3, -2, 0.5 and 10. One batch is graded for real with its feedback pages: the solution, a wrong
answer (its hidden cases fail, and a failing case's line used to show its input and expected
value), and two answers that try to smuggle the hidden inputs out: one prints them, raises them
in an exception's message and in an exception's type name; one raises them in an exception that
escapes the tests (its traceback would show the hidden code). What the students receive is
searched for every hidden line and every smuggled input; the lecturer's graded notebook still
holds it all. The five real assignments are checked the same way in tests/test_fairness.py, on
their fairness batches.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from received import leaks, secret_lines, visible_text

from autograder.grading import GradingOptions, grade_submissions
from autograder.report import write_feedback
from autograder.samples import answered, released_copy, with_answer, write
from autograder.student_view import student_output, student_view, without_hidden_source
from autograder.submissions import collect

FIXTURE = Path(__file__).parent / "fixtures" / "tiny"
ALL = ["ex1_square", "ex2_cube"]
SMUGGLER = '''
class LEAK_0_5_minus_2(Exception):
    pass


def square(x):
    if x == 3:
        return 9  # the visible test passes
    print(f"LEAK-PRINT {x!r}")
    if x == -2:
        raise ValueError(f"LEAK-MESSAGE {x!r}")
    if x == 0.5:
        raise LEAK_0_5_minus_2()
    return x  # wrong for 10
'''
ESCAPER = '''
def square(x):
    if x == 3:
        return 9
    raise KeyboardInterrupt(f"LEAK-ESCAPED {x!r}")  # not an Exception: it stops the test cell
'''


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("hidden")
    assignment, release_nb, source = released_copy(FIXTURE, root / "course")
    good = answered(release_nb, source, ALL)
    submissions = root / "submissions"
    write(good, submissions / "solution" / "tiny.ipynb")
    write(with_answer(good, "ex1_square", "def square(x):\n    return x + 1 if x != 3 else 9"),
          submissions / "wrong" / "tiny.ipynb")
    write(with_answer(good, "ex1_square", SMUGGLER), submissions / "smuggler" / "tiny.ipynb")
    write(with_answer(good, "ex1_square", ESCAPER), submissions / "escaper" / "tiny.ipynb")
    out = root / "out"
    results = grade_submissions(assignment, collect(submissions, assignment), out / "nbgrader",
                                GradingOptions(workers=2, notebook_timeout=120, cell_timeout=20,
                                               sandbox=shutil.which("bwrap") is not None))
    write_feedback(results, assignment, out / "nbgrader", out)
    return source, release_nb, out, {r.student_id: r for r in results}


def received_files(out: Path) -> list[Path]:
    files = [p for p in (out / "feedback").rglob("*") if p.is_file()]
    assert files, "no feedback was written"
    return files


def test_the_scores_are_those_of_the_hidden_tests_run_in_full(graded):
    *_, results = graded
    assert results["solution"].score == 8
    # the test cell's score is its hidden call's (5 points, 4 cases): only x = 3 passes
    assert results["wrong"].score == results["smuggler"].score == 3 + 5 / 4
    assert results["escaper"].score == 3  # an error that stops a test cell scores it 0


def test_the_feedback_shows_the_grades_given_with_the_hidden_tests(graded):
    """Hiding the tests changes what a student reads, not the score: each page's total is the
    gradebook's score, computed with the hidden tests in full."""
    *_, out, results = graded
    for student, result in results.items():
        page = visible_text(out / "feedback" / student / "tiny.html")
        total = re.search(r"tiny \(Score: ([0-9.]+) / ([0-9.]+)\)", page)
        assert total and float(total[1]) == result.score and float(total[2]) == 8, student


def test_no_hidden_line_or_smuggled_input_reaches_a_student(graded):
    source, release_nb, out, _ = graded
    secrets = secret_lines(source, release_nb)
    assert any("-2, 0.5, 10" in line for line in secrets)  # the hidden inputs are secrets
    smuggled = ["LEAK-PRINT -2", "LEAK-PRINT 0.5", "LEAK-PRINT 10", "LEAK-MESSAGE -2",
                "LEAK-ESCAPED 10", "raised LEAK_0_5", "square(-2)", "square(10)",
                "expected 100", "expected 4"]  # the smuggler's answer itself is no secret
    assert received_files(out)
    assert leaks(out / "feedback", secrets + smuggled, out.parent / "submissions") == {}


def test_a_student_sees_how_each_hidden_case_went(graded):
    _, _, out, _ = graded
    page = visible_text(out / "feedback" / "wrong" / "tiny.html")
    assert "lines of hidden tests, not shown" in page
    assert "ok    hidden case 1" in page
    assert "FAIL  hidden case 2: what it returned is wrong" in page
    assert "square: 1 of 4 cases passed" in page
    smuggler = visible_text(out / "feedback" / "smuggler" / "tiny.html")
    assert "hidden case 2: your function raised ValueError" in smuggler
    assert "hidden case 3: your function raised an exception" in smuggler  # not its made-up name
    escaper = visible_text(out / "feedback" / "escaper" / "tiny.html")
    assert "KeyboardInterrupt: the tests stopped here (the message is not shown" in escaper
    assert "hidden tests: no credit for these 4 cases: no answers were recorded" in escaper


def test_the_lecturers_graded_notebook_keeps_everything(graded):
    source, release_nb, out, _ = graded
    notebook = nbformat.read(out / "nbgrader" / "autograded" / "wrong" / "tiny" / "tiny.ipynb",
                             as_version=4)
    text = nbformat.writes(notebook)
    assert all(line in text for line in secret_lines(source, release_nb))
    assert "square(-2): expected 4, got -1" in text  # the full report, for the lecturer


def test_without_hidden_source_keeps_the_visible_part_and_says_what_it_left_out():
    source = "a = 1\n### BEGIN HIDDEN TESTS\nb = 2\nc = 3\n### END HIDDEN TESTS\nd = 4"
    assert without_hidden_source(source) == (
        "a = 1\n# ... 2 lines of hidden tests, not shown (their results are below)\nd = 4")
    unclosed = "a = 1\n  ### BEGIN HIDDEN TESTS\nsecret = 2"
    assert "secret" not in without_hidden_source(unclosed)


def test_an_error_in_a_hidden_test_cell_keeps_its_name_and_loses_its_message():
    error = nbformat.v4.new_output("error", ename="ValueError", evalue="x = -2 is negative",
                                   traceback=["grade_cases(square, cases=[-2])", "ValueError"])
    shown = student_output(error)
    assert shown.ename == "ValueError" and "-2" not in shown.evalue + "".join(shown.traceback)
    timeout = nbformat.v4.new_output("error", ename="CellTimeoutError", evalue="stopped",
                                     traceback=["long traceback"])
    assert student_output(timeout).evalue == "stopped"  # the grader's own words stay
    lecturer = nbformat.v4.new_output("display_data", data={"text/plain": "x"},
                                      metadata={"autograder": {"lecturer_only": True}})
    assert student_output(lecturer) is None


def test_student_view_leaves_cells_without_hidden_tests_alone():
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("grade_cases(f)", metadata={"nbgrader": {
        "grade": True, "solution": False, "grade_id": "t", "points": 1}})
    cell.outputs = [nbformat.v4.new_output("error", ename="E", evalue="detail",
                                           traceback=["full traceback"])]
    notebook.cells = [cell]
    assert student_view(notebook) == notebook
