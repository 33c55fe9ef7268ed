"""Releasing assignments: check the instructor's notebooks, then generate the student versions.

Before an assignment is released, every source notebook in ``solutions/<assignment>/`` is run
top to bottom in a fresh kernel, as a student runs it and as the grader scores it, and every
autograded test cell must give its full points both times: a release whose own solution fails
its tests would grade every student wrongly. Then nbgrader's
``generate_assignment`` writes ``release/<assignment>/<notebook>.ipynb`` with the solutions and
hidden tests removed and the cells locked and checksummed, and records the assignment in the
course gradebook (``gradebook.db``), where the nbgrader JupyterLab extensions find it.
"""

from __future__ import annotations

import copy
import os
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import determine_grade, is_grade
from traitlets.config import Config

from autograder.checks import MODE_VARIABLE
from autograder.converters import GenerateAssignmentKeepingDirectory
from autograder.coursedir import REPOSITORY, Assignment, SetupError, nbgrader_config
from autograder.gradebook_file import create_gradebook
from autograder.grading import use_this_environment
from autograder.judge import JudgeAnswers, JudgePool, is_test_cell
from autograder.peeking import TEST_PREFIX, unprefixed_test_names


def validate_source(assignment: Assignment, timeout: int = 300) -> list[str]:
    """Problems found by running the assignment's source notebooks (empty: all tests pass).

    Each notebook runs twice: as a student runs it (the tests check in the kernel), and as the
    grader grades it (the tests record the answers, and a judge kernel scores them, see
    :mod:`autograder.judge`). Both must give full points: a test that the judge cannot replay
    (one that calls the student's code outside ``grade_cases``, or whose cases are not the same
    on every run) is caught here, before any student is graded with it.
    """
    use_this_environment()
    problems = []
    for notebook_path in sorted(assignment.source_dir.glob("*.ipynb")):
        notebook = nbformat.read(notebook_path, as_version=4)
        problems += _names_without_the_tests_prefix(notebook, notebook_path.name)
        checked = _execute(notebook, assignment.source_dir, timeout, mode="check")
        problems += _short_of_full_points(checked, f"{notebook_path.name}", "")
        if problems:
            continue
        recorded = _execute(notebook, assignment.source_dir, timeout, mode="record")
        pool = JudgePool(notebook_path, timeout=timeout)
        try:
            JudgeAnswers().judge_notebook(recorded, pool)
        finally:
            pool.close()
        problems += _short_of_full_points(recorded, notebook_path.name,
                                          " when the grader's judge scores it")
    return problems


def _names_without_the_tests_prefix(notebook, name: str) -> list[str]:
    """A sentence for every test cell that defines a private name without the tests' prefix:
    a student's own name could collide with it, or be taken for reading the tests."""
    problems = []
    for cell in notebook.cells:
        if is_test_cell(cell):
            names = unprefixed_test_names(cell.source)
            if names:
                problems.append(
                    f"{name}: {cell.metadata['nbgrader']['grade_id']} defines {', '.join(names)}"
                    f": the tests' private names must start with {TEST_PREFIX!r}")
    return problems


def _execute(notebook, folder: Path, timeout: int, mode: str):
    """A copy of ``notebook`` run top to bottom in a fresh kernel with the checks in ``mode``."""
    executed = copy.deepcopy(notebook)
    # The kernel talks over Unix sockets in a private folder, not TCP ports on localhost that
    # any user of the machine can reach (ipykernel warns of those on the lecturer's terminal).
    with tempfile.TemporaryDirectory(prefix="nn-course-release-") as sockets:
        config = Config()  # for the kernel manager the client makes (and shuts down after)
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = os.path.join(sockets, "kernel")
        client = NotebookClient(executed, timeout=timeout, kernel_name="python3",
                                allow_errors=True, config=config,
                                resources={"metadata": {"path": str(folder)}})
        client.execute(env=dict(os.environ, **{MODE_VARIABLE: mode}))
    return executed


def _short_of_full_points(executed, name: str, how: str) -> list[str]:
    """A sentence for every autograded test cell of ``executed`` that gives less than full
    points."""
    problems = []
    for index, cell in enumerate(executed.cells):
        if cell.cell_type != "code" or not is_grade(cell):
            continue
        score, max_score = determine_grade(cell)
        grade_id = cell.metadata["nbgrader"].get("grade_id", f"cell {index}")
        if score is not None and score < max_score:
            errors = [o.get("ename", "") + ": " + o.get("evalue", "")
                      for o in cell.outputs if o.get("output_type") == "error"]
            detail = f" ({errors[0]})" if errors else ""
            problems.append(f"{name}: {grade_id} gives {score:g} of {max_score:g} points on "
                            f"the solution{how}{detail}")
    return problems


def release(assignment: Assignment, root: Path = REPOSITORY, validate: bool = True
            ) -> list[Path]:
    """Validate and release one assignment; return the student notebooks written.

    ``validate=False`` skips running the solution against its tests (for tests that grade the
    solution themselves right after)."""
    use_this_environment()  # nbgrader's gradebook runs the environment's alembic
    problems = validate_source(assignment) if validate else []
    if problems:
        raise SetupError(f"{assignment.name} was not released: its solution does not pass its "
                         "own tests:\n  " + "\n  ".join(problems))
    create_gradebook(root / "gradebook.db")
    config = nbgrader_config(root, source_directory="solutions")
    config.CourseDirectory.assignment_id = assignment.name
    config.GenerateAssignment.force = True
    config.GenerateAssignment.create_assignment = True
    GenerateAssignmentKeepingDirectory(coursedir=CourseDirectory(config=config),
                                       config=config).start()
    written = sorted((root / "release" / assignment.name).glob("*.ipynb"))
    if not written:
        raise SetupError(f"nbgrader wrote no student notebook for {assignment.name}")
    return written
