"""The plain layout, ``{student id}/{notebook}.ipynb``: a folder per student, the notebooks as
the students saved them (read by :func:`autograder.submissions.read_plain`)."""

from __future__ import annotations

from pathlib import Path

from autograder.coursedir import Assignment
from autograder.submissions import Skipped, Submission, read_plain

NAME = "plain"
SHAPE = "folders {student id}/{notebook}.ipynb"


def fits(entry: Path, assignment: Assignment) -> bool:
    """Whether a top-level entry is a folder with notebooks in it."""
    return entry.is_dir() and any(entry.glob("*.ipynb"))


def read(root: Path, assignment: Assignment) -> tuple[list[Submission], list[Skipped]]:
    """Every student folder: the submissions, and what was skipped."""
    return read_plain(root, assignment)
