"""One student's failure never changes another student's expected values.

The grader's judge kernel serves one student after another and keeps the reference values it
computed (the cases come from fixed seeds). Once, a reference that handed out expected values
in the order it was called, together with a student whose answer raised on one case, shifted
every later expected value, for that student and for the next ones in the kernel: two exact
solutions graded after it got 99.43 of 100. Here a student whose every answer raises once is
graded first, in the same batch and the same judge kernel (one worker), before two exact
solutions, which must score 100.
"""

from __future__ import annotations

import shutil

from autograder.coursedir import find_assignment
from autograder.grading import GradingOptions, grade_submissions
from autograder.samples import answered, released_copy, solution_cell_ids, write
from autograder.submissions import collect

RAISES_ONCE = '''

_t_calls = None  # a student's name like the tests' is the student's own (it is not read)
_calls_so_far = {}


def _raises_on_its_third_call(function):
    """The same function, except that its third call raises (on whatever case that is)."""
    def wrapped(*args, **kwargs):
        _calls_so_far[function.__name__] = _calls_so_far.get(function.__name__, 0) + 1
        if _calls_so_far[function.__name__] == 3:
            raise ValueError("a bug that shows on one case only")
        return function(*args, **kwargs)
    wrapped.__name__ = function.__name__
    return wrapped
'''


def test_a_raising_answer_graded_first_changes_nothing_for_the_exact_solutions(tmp_path):
    assignment, release_nb, source = released_copy(
        find_assignment("a5_init_batchnorm").source_dir, tmp_path / "course")
    ids = solution_cell_ids(source)
    exact = answered(release_nb, source, ids)
    raises = answered(release_nb, source, ids)
    from autograder.judge import defined_names

    for cell in raises.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in ids:
            functions = [n for n in defined_names(cell.source) if not n.startswith("_")]
            cell.source += RAISES_ONCE + "".join(
                f"{name} = _raises_on_its_third_call({name})\n" for name in functions)
    notebook = f"{assignment.notebooks[0]}.ipynb"
    write(raises, tmp_path / "submissions" / "a_raises_once" / notebook)
    write(exact, tmp_path / "submissions" / "b_exact" / notebook)
    write(exact, tmp_path / "submissions" / "c_exact" / notebook)
    results = grade_submissions(assignment, collect(tmp_path / "submissions", assignment),
                                tmp_path / "run" / "nbgrader",
                                GradingOptions(workers=1, notebook_timeout=600, cell_timeout=120,
                                               sandbox=shutil.which("bwrap") is not None))
    scores = {r.student_id: r.score for r in results}
    assert scores["a_raises_once"] < 100
    assert scores["b_exact"] == 100 and scores["c_exact"] == 100, scores
