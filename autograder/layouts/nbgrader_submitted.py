"""nbgrader's own layout: ``submitted/{student}/{assignment}/{notebook}.ipynb`` with a
``timestamp.txt`` beside the notebooks, as ``nbgrader collect`` (or an exchange) leaves it; also
without the ``submitted/`` level, and a whole course directory (only ``submitted/`` is read).

The student id is the folder name (the student's login), the time is nbgrader's timestamp; the
notebooks keep the names the students saved them under. A student folder without this
assignment's folder (a student who handed in only other assignments) is reported as such.
Feedback goes to ``feedback/{student}/{assignment}/``, where ``nbgrader release_feedback``
takes it from.
"""

from __future__ import annotations

from pathlib import Path

from autograder.coursedir import Assignment
from autograder.layouts.found import stray, visible_entries
from autograder.layouts.times import nbgrader_time
from autograder.safe_text import printable
from autograder.submissions import (
    FeedbackTarget,
    Skipped,
    Submission,
    check_notebooks,
    linked_folder_problem,
    valid_student_id,
)

NAME = "nbgrader"
SHAPE = "folders [submitted/]{student}/{assignment}/{notebook}.ipynb with timestamp.txt"

SUBMITTED = "submitted"
TIMESTAMP_FILE = "timestamp.txt"
MAX_TIMESTAMP_CHARS = 200


def fits(entry: Path, assignment: Assignment) -> bool:
    """Whether a top-level entry is nbgrader's ``submitted/`` or a student folder holding the
    assignment's folder (and no notebooks of its own)."""
    if not entry.is_dir():
        return False
    if entry.name == SUBMITTED:
        return True
    return (entry / assignment.name).is_dir() and not any(entry.glob("*.ipynb"))


def read(root: Path, assignment: Assignment) -> tuple[list[Submission], list[Skipped]]:
    """Every student folder: the submissions, and what was skipped (stray files)."""
    folder = root / SUBMITTED if (root / SUBMITTED).is_dir() else root
    prefix = "" if folder == root else f"{SUBMITTED}/"
    skipped: list[Skipped] = []
    submissions, unnamed = [], []
    for entry in visible_entries(folder, skipped, prefix):
        if entry.is_dir():
            submissions.append(_submission(entry, root, assignment))
        else:
            unnamed.append(entry)
    return submissions, skipped + stray(unnamed, root)


def _submission(student_dir: Path, root: Path, assignment: Assignment) -> Submission:
    """One student's submission of the assignment."""
    student = student_dir.name
    submission = Submission(student, student_dir,
                            feedback=FeedbackTarget(folder=f"{student}/{assignment.name}"))
    work = student_dir / assignment.name
    if not valid_student_id(student):
        submission.problems.append(
            "the folder name is not a usable student id (letters, digits, . _ @ + -)")
    elif student_dir.is_symlink() or work.is_symlink():
        submission.problems.append(linked_folder_problem(
            student_dir if student_dir.is_symlink() else work, root))
    elif not work.is_dir():
        submission.problems.append(
            f"nothing was submitted for {assignment.name} (no {assignment.name}/ folder)")
    else:
        _read_timestamp(work / TIMESTAMP_FILE, submission)
        found = {p.stem: p for p in work.glob("*.ipynb") if p.is_file() or p.is_symlink()}
        chosen = {name: path for name, path in found.items() if name in assignment.notebooks}
        unexpected = [f"{name}.ipynb" for name in found if name not in chosen]
        check_notebooks(submission, chosen, unexpected, assignment, root)
    return submission


def _read_timestamp(path: Path, submission: Submission) -> None:
    """The submission time from nbgrader's timestamp.txt; a problem if it cannot be read (no
    file: the time is unknown, as nbgrader has it)."""
    if not path.exists() and not path.is_symlink():
        return
    text = ""
    if path.is_file() and not path.is_symlink():
        with open(path, encoding="utf-8", errors="replace") as file:
            text = file.read(MAX_TIMESTAMP_CHARS)
    submission.submitted_at = nbgrader_time(text)
    if submission.submitted_at is None:
        submission.problems.append(
            f"{TIMESTAMP_FILE} holds no time nbgrader wrote ({printable(text.strip()[:40])!r}); "
            "the submission time is unknown")
