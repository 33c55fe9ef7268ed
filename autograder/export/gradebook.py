"""What a format's reader (:mod:`~autograder.export.canvas`, :mod:`~autograder.export.moodle`)
finds in an LMS file, as one model for ``fill`` to write into: the grade column, the roster
(row, the ids a student is matched by, a label), the LMS's points for the assignment and how it
writes numbers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from autograder.export.number_style import NumberStyle
from autograder.rawcsv import CsvFile


@dataclass(frozen=True)
class RosterEntry:
    """A student's row in the LMS file."""

    row: int
    keys: tuple[str, ...]  # the ids a grades.csv student_id is matched by, in order of trust
    label: str  # how the summary names the student
    kept: str = ""  # why the grade cell must stay as it is ("excused in Canvas"), "" if not


@dataclass
class Gradebook:
    """What a format's reader found in an LMS file, for ``fill`` to write into."""

    lms: str  # "canvas" or "moodle"
    table: CsvFile
    grade_column: int
    roster: list[RosterEntry]
    key_names: tuple[str, ...]  # what each of RosterEntry.keys is, for messages
    max_points: float | None  # the LMS's points for the assignment, None if it does not say
    style: NumberStyle = field(default_factory=NumberStyle)
    feedback_column: int | None = None
    student_key: Callable[[str], str] = str  # a grades.csv student_id as the roster's keys

    @property
    def grade_header(self) -> str:
        return self.table.header[self.grade_column]
