"""nbgrader's hidden-tests block in a test cell, ``### BEGIN HIDDEN TESTS`` to ``### END HIDDEN
TESTS``: the release removes it, the judge replays the cell's checks from its first line on as
hidden ones (:mod:`autograder.judge`), and what a student receives shows one line in its place
(:mod:`autograder.student_view`)."""

from __future__ import annotations

BEGIN, END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def hidden_tests_line(source: str) -> int | None:
    """The line (1-based) of a test cell's ``### BEGIN HIDDEN TESTS``, or None if it has
    none."""
    for number, line in enumerate(source.splitlines(), start=1):
        if line.strip() == BEGIN:
            return number
    return None
