"""Sample submissions made from an assignment's release and its solution.

Used by ``python -m autograder demo`` and by the tests: a submission is the released student
notebook with some exercises answered (their solution cells copied from the source notebook, by
nbgrader ``grade_id``), or broken on purpose in one of the ways real submissions break.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import nbformat


def released_copy(source_dir: Path, root: Path, validate: bool = True):
    """An assignment's source copied into ``root/solutions/<name>/`` and released there, for
    tests and benchmarks that must not touch the repository's own release and gradebook
    (``validate=False``: without running the solution first, for a test that grades it).

    Returns the copy's :class:`~autograder.coursedir.Assignment`, and the release and source
    versions of its (first) notebook.
    """
    from autograder.coursedir import Assignment
    from autograder.release import release

    shutil.copytree(source_dir, root / "solutions" / source_dir.name)
    assignment = Assignment(source_dir.name, root / "solutions" / source_dir.name)
    released = release(assignment, root, validate=validate)[0]
    source = nbformat.read(assignment.source_dir / released.name, as_version=4)
    return assignment, nbformat.read(released, as_version=4), source


def solution_cell_ids(notebook) -> list[str]:
    """The grade_ids of the answer cells (nbgrader solution cells), in order."""
    return [c.metadata["nbgrader"]["grade_id"] for c in notebook.cells
            if c.metadata.get("nbgrader", {}).get("solution")]


def grade_cell_points(notebook) -> dict[str, float]:
    """grade_id -> points of every autograded test cell."""
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"].get("points", 0))
            for c in notebook.cells
            if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"}


def answered(release_nb, source_nb, grade_ids) -> nbformat.NotebookNode:
    """The release notebook with the answer cells ``grade_ids`` taken from the solution.

    The copied cell keeps the solution's code between ``### BEGIN SOLUTION`` and ``### END
    SOLUTION`` (the markers are removed, as a student's answer would have none).
    """
    notebook = copy.deepcopy(release_nb)
    source_cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in source_nb.cells}
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in grade_ids:
            lines = source_cells[grade_id].source.splitlines()
            cell.source = "\n".join(
                line for line in lines
                if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
    return notebook


def with_answer(release_nb, grade_id: str, code: str) -> nbformat.NotebookNode:
    """The release notebook with the answer cell ``grade_id`` replaced by ``code``."""
    notebook = copy.deepcopy(release_nb)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = code
            return notebook
    raise KeyError(f"no cell with grade_id {grade_id!r}")


def write(notebook, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def demo_submissions(release_path: Path, source_path: Path, out: Path) -> dict[str, str]:
    """Write a small class of sample submissions into ``out``; return student -> description."""
    release_nb = nbformat.read(release_path, as_version=4)
    source_nb = nbformat.read(source_path, as_version=4)
    ids = solution_cell_ids(source_nb)
    name = release_path.name
    students = {}

    write(answered(release_nb, source_nb, ids), out / "ada" / name)
    students["ada"] = "every exercise answered correctly"
    write(answered(release_nb, source_nb, ids[::2]), out / "ben" / name)
    students["ben"] = "every other exercise answered"
    write(release_nb, out / "cleo" / name)
    students["cleo"] = "the release, unchanged"
    looping = answered(release_nb, source_nb, ids)
    looping = with_answer(looping, ids[0], "while True:\n    pass")
    write(looping, out / "dan" / name)
    students["dan"] = "an infinite loop in the first answer, the others right"
    (out / "eve").mkdir(parents=True, exist_ok=True)
    (out / "eve" / name).write_text('{"cells": [ this is not JSON')
    students["eve"] = "a file that is not valid JSON"
    write(answered(release_nb, source_nb, ids), out / "fay" / f"{release_path.stem}_final.ipynb")
    students["fay"] = "all right, but saved under another name"
    return students
