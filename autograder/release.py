"""Releasing assignments: check the instructor's notebooks, then generate the student versions.

Before an assignment is released, every source notebook in ``solutions/<assignment>/`` is run
top to bottom in a fresh kernel and every autograded test cell must give its full points: a
release whose own solution fails its tests would grade every student wrongly. Then nbgrader's
``generate_assignment`` writes ``release/<assignment>/<notebook>.ipynb`` with the solutions and
hidden tests removed and the cells locked and checksummed, and records the assignment in the
course gradebook (``gradebook.db``), where the nbgrader JupyterLab extensions find it.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbgrader.converters import GenerateAssignment
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import determine_grade, is_grade

from autograder.course import REPOSITORY, Assignment, SetupError, nbgrader_config
from autograder.grading import use_this_environment


def validate_source(assignment: Assignment, timeout: int = 300) -> list[str]:
    """Problems found by running the assignment's source notebooks (empty: all tests pass)."""
    use_this_environment()
    problems = []
    for notebook_path in sorted(assignment.source_dir.glob("*.ipynb")):
        notebook = nbformat.read(notebook_path, as_version=4)
        executed = copy.deepcopy(notebook)
        client = NotebookClient(executed, timeout=timeout, kernel_name="python3",
                                allow_errors=True,
                                resources={"metadata": {"path": str(assignment.source_dir)}})
        client.execute()
        for index, cell in enumerate(executed.cells):
            if cell.cell_type != "code" or not is_grade(cell):
                continue
            score, max_score = determine_grade(cell)
            grade_id = cell.metadata["nbgrader"].get("grade_id", f"cell {index}")
            if score is not None and score < max_score:
                errors = [o.get("ename", "") + ": " + o.get("evalue", "")
                          for o in cell.outputs if o.get("output_type") == "error"]
                detail = f" ({errors[0]})" if errors else ""
                problems.append(f"{notebook_path.name}: {grade_id} gives {score:g} of "
                                f"{max_score:g} points on the solution{detail}")
    return problems


def release(assignment: Assignment, root: Path = REPOSITORY) -> list[Path]:
    """Validate and release one assignment; return the student notebooks written."""
    problems = validate_source(assignment)
    if problems:
        raise SetupError(f"{assignment.name} was not released: its solution does not pass its "
                         "own tests:\n  " + "\n  ".join(problems))
    config = nbgrader_config(root, source_directory="solutions")
    config.CourseDirectory.assignment_id = assignment.name
    config.GenerateAssignment.force = True
    config.GenerateAssignment.create_assignment = True
    GenerateAssignment(coursedir=CourseDirectory(config=config), config=config).start()
    written = sorted((root / "release" / assignment.name).glob("*.ipynb"))
    if not written:
        raise SetupError(f"nbgrader wrote no student notebook for {assignment.name}")
    return written
