"""An infinite loop costs only its own answer's points, whatever the time limits.

For each assignment, a student whose first answer is an infinite loop (the
solution's answers everywhere else) is graded beside a student whose first answer is left
empty, with the worst limits a lecturer can give: a notebook budget of 60 s and a per-cell
limit of 60 s as well, so that the loop's cell alone could use the whole budget. Both must get
the same score: the loop loses what a missing first answer loses (its own exercise, and any
later exercise that calls its function), and nothing more. The loop is reported as a time
limit set by the notebook's budget, and no cell goes unrun.
"""

from __future__ import annotations

import multiprocessing as mp
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from autograder.coursedir import assignments, find_assignment
from autograder.grading import GradingOptions, grade_submissions
from autograder.samples import answered, released_copy, solution_cell_ids, with_answer, write
from autograder.submissions import collect

ASSIGNMENTS = [a.name for a in assignments()]  # every assignment of solutions/
LIMITS = GradingOptions(workers=2, notebook_timeout=60, cell_timeout=60, feedback=False,
                        sandbox=shutil.which("bwrap") is not None)


def grade_loop_and_blank(name: str, folder: str) -> dict:
    """The scores and problems of 'loop' and 'blank_first' for assignment ``name``."""
    root = Path(folder)
    assignment, release_nb, source = released_copy(find_assignment(name).source_dir,
                                                   root / "course", validate=False)
    solution = answered(release_nb, source, solution_cell_ids(source))
    first = solution_cell_ids(source)[0]
    notebook = f"{assignment.notebooks[0]}.ipynb"
    write(with_answer(solution, first, "while True:\n    pass"),
          root / "submissions" / "loop" / notebook)
    write(with_answer(solution, first, "# (left empty)"),
          root / "submissions" / "blank_first" / notebook)
    results = grade_submissions(assignment, collect(root / "submissions", assignment),
                                root / "run" / "nbgrader", LIMITS)
    return {r.student_id: (r.score, r.max_score, r.problems) for r in results}


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("time_limits")
    with ProcessPoolExecutor(max_workers=2, mp_context=mp.get_context("spawn")) as pool:
        futures = {name: pool.submit(grade_loop_and_blank, name, str(root / name))
                   for name in ASSIGNMENTS}
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_an_infinite_loop_in_the_first_answer_costs_only_what_a_blank_answer_costs(graded, name):
    loop_score, max_score, problems = graded[name]["loop"]
    blank_score, _, _ = graded[name]["blank_first"]
    assert 0 < loop_score == blank_score < max_score, problems
    assert [p for p in problems if p.startswith("time limit")], problems
    assert "what was left of the notebook's limit" in next(
        p for p in problems if p.startswith("time limit"))
    assert not [p for p in problems if "not run" in p], problems
