"""Submissions as learning-management systems and nbgrader export them.

One module per layout, each with its ``NAME``, the ``SHAPE`` of its names, ``fits(entry,
assignment)`` (does a top-level entry follow its naming?) and ``read(root, assignment)``
(the submissions, and what was skipped):

- ``plain``: ``{student id}/{notebook}.ipynb``;
- ``nbgrader``: ``[submitted/]{student}/{assignment}/{notebook}.ipynb`` + ``timestamp.txt``;
- ``canvas``: flat ``{sortable name}[_LATE]_{user id}_{attachment id}_{file}``;
- ``moodle``: ``{Full Name}_{participant id}_assignsubmission_file_/{file}``;
- ``blackboard``: flat ``{assignment}_{username}_attempt_{stamp}_{file}`` + a ``.txt``.

:func:`read_submissions` finds where the submissions start, detects the layout (or takes the
one given), reads it, and marks late submissions against a due date.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from autograder.coursedir import Assignment, SetupError
from autograder.layouts import blackboard, canvas, moodle, nbgrader_submitted, plain
from autograder.layouts.detect import AmbiguousLayout, detect_layout, find_root
from autograder.layouts.found import FoundSubmissions
from autograder.layouts.times import parse_due
from autograder.submissions import Submission

LAYOUTS = {layout.NAME: layout for layout in (plain, nbgrader_submitted, canvas, moodle,
                                               blackboard)}
AUTO = "auto"

__all__ = ["AUTO", "LAYOUTS", "AmbiguousLayout", "FoundSubmissions", "detect_layout",
           "find_root", "mark_late", "parse_due", "read_submissions"]


def read_submissions(folder: Path, assignment: Assignment, layout: str = AUTO,
                     due: datetime | None = None) -> FoundSubmissions:
    """The submissions in ``folder`` (past a wrapping folder), read in ``layout`` (``auto``:
    detected from the names), with each one's lateness against ``due`` where the export gives
    a time and no late marker of its own."""
    if layout != AUTO and layout not in LAYOUTS:
        raise SetupError(f"unknown layout {layout!r}; the layouts are: {AUTO}, "
                         + ", ".join(LAYOUTS))
    root = find_root(folder.resolve(), assignment)
    name = detect_layout(root, assignment) if layout == AUTO else layout
    submissions, skipped = LAYOUTS[name].read(root, assignment)
    if due is not None:
        mark_late(submissions, due)
    return FoundSubmissions(name, root, submissions, skipped, detected=layout == AUTO)


def mark_late(submissions: list[Submission], due: datetime) -> None:
    """Late or not against ``due``, for each submission with a time and no LMS marker."""
    for submission in submissions:
        if submission.late is None and submission.submitted_at is not None:
            submission.late = submission.submitted_at > due
