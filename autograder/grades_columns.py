"""The columns of grades.csv: written by :mod:`autograder.report`, read back by
:mod:`autograder.export`.

A module of its own, importing nothing, so that ``export`` knows the columns without importing
``report`` (which pulls in nbgrader, seconds of start-up).
"""

from __future__ import annotations

COLUMNS = ("student_id", "score", "max_score", "status", "problems", "name", "late",
           "submitted_at")
FIXED_COLUMNS = COLUMNS[:5]  # first in every grades.csv, in this order; new columns go after

# the values of the status column, each of which ends in UNSANDBOXED where the student's kernels
# ran outside the sandbox (grade --no-sandbox)
GRADED, GRADED_WITH_PROBLEMS, NOT_GRADED = "graded", "graded with problems", "not graded"
STATUSES = (GRADED, GRADED_WITH_PROBLEMS, NOT_GRADED)
UNSANDBOXED = " (unsandboxed)"
