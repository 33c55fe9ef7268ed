"""Every assignment, graded for real: the solution scores 100, the unmodified release scores 0,
and a submission with some exercises answered scores exactly their points.

Each assignment is released into a scratch course directory (which first runs its solution
against its own tests), three submissions are made from the release and the solution, and the
grading pipeline grades them with nbgrader.
"""

from __future__ import annotations

import shutil

import nbformat
import pytest

from autograder.coursedir import Assignment, assignments
from autograder.grading import GradingOptions, grade_submissions
from autograder.release import release
from autograder.samples import answered, grade_cell_points, solution_cell_ids, write
from autograder.submissions import collect

ASSIGNMENTS = assignments()
EXPECTED_NAMES = {"a1_neuron_perceptron", "a2_backprop", "a3_optimizers", "a4_regularization",
                  "a5_init_batchnorm", "a6_mlp", "a7_training_loop"}


def test_the_seven_assignments_exist():
    assert EXPECTED_NAMES <= {a.name for a in ASSIGNMENTS}


def points_of(answer_ids: list[str], source) -> float:
    """The points of the test cells that grade these answer cells (test_<id>)."""
    points = grade_cell_points(source)
    return sum(points[f"test_{answer_id}"] for answer_id in answer_ids)


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.name)
def test_solution_100_release_0_partial_exact(assignment: Assignment, tmp_path):
    root = tmp_path / "course"
    shutil.copytree(assignment.source_dir, root / "solutions" / assignment.name)
    local = Assignment(assignment.name, root / "solutions" / assignment.name)
    submissions = tmp_path / "submissions"
    expected = {}
    for released in release(local, root):  # validates the solution against its own tests
        source = nbformat.read(local.source_dir / released.name, as_version=4)
        release_nb = nbformat.read(released, as_version=4)
        ids = solution_cell_ids(source)
        assert sum(grade_cell_points(source).values()) == 100
        assert all(f"test_{i}" in grade_cell_points(source) for i in ids), "test_<id> per exercise"
        some = ids[::2]
        write(answered(release_nb, source, ids), submissions / "solution" / released.name)
        write(release_nb, submissions / "release" / released.name)
        write(answered(release_nb, source, some), submissions / "partial" / released.name)
        expected = {"solution": 100.0, "release": 0.0, "partial": points_of(some, source)}
    results = grade_submissions(local, collect(submissions, local), tmp_path / "run",
                                GradingOptions(workers=3, notebook_timeout=300, cell_timeout=60))
    scores = {r.student_id: r.score for r in results}
    assert scores == pytest.approx(expected), [r.problems for r in results]
    assert all(r.problems == [] for r in results), [r.problems for r in results]
