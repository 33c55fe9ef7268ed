"""What an export did, as data (:class:`ExportSummary`, with each :class:`FilledGrade`), and
``describe``, which makes the printed report from it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autograder.export.number_style import parse_number
from autograder.safe_text import printable


@dataclass(frozen=True)
class FilledGrade:
    """A grade written into the LMS file."""

    student_id: str
    label: str  # the roster's name for the student
    value: str  # the text written in the grade column
    previous: str  # what the cell held before ("" when blank)


@dataclass(frozen=True)
class ExportSummary:
    """What ``export_grades`` did, as data; ``describe`` turns it into the printed report."""

    lms: str  # "canvas" or "moodle"
    column: str  # the grade column's header
    out: Path
    max_score: float  # our points for the assignment
    max_points: float | None  # the LMS's, None if the file does not say
    filled: tuple[FilledGrade, ...]
    no_submission: tuple[str, ...]  # roster labels with no row in grades.csv: left as they were
    not_graded: tuple[str, ...]  # roster labels whose status is "not graded": left as they were
    not_in_roster: tuple[str, ...]  # grades.csv student_ids in no roster row: written nowhere
    kept: tuple[tuple[str, str], ...]  # (label, why) for grade cells the LMS says to leave
    feedback_column: str | None  # the comment column filled (Moodle), None if none
    feedback_kept: tuple[str, ...]  # labels whose existing comment (not ours) was left

    @property
    def scaled(self) -> bool:
        return self.max_points is not None and self.max_points != self.max_score

    @property
    def changed(self) -> tuple[FilledGrade, ...]:
        """Grades that replaced a different value already in the LMS file (``7`` and ``7.00``
        are the same value)."""
        def number(text: str) -> float | str:
            parsed = parse_number(text)
            return parsed[0] if parsed else text.strip()
        return tuple(g for g in self.filled
                     if g.previous.strip() and number(g.previous) != number(g.value))


def describe(summary: ExportSummary) -> str:
    """The report printed by ``export``, made from the summary's values."""
    lms = {"canvas": "Canvas gradebook", "moodle": "Moodle grading worksheet"}[summary.lms]
    lines = [f"{lms}: {len(summary.filled)} grades written in column {summary.column!r}; "
             f"upload {summary.out}"]
    if summary.scaled:
        lines.append(f"scores scaled from our {summary.max_score:g} points to the LMS's "
                     f"{summary.max_points:g} (x {summary.max_points / summary.max_score:g})")
    elif summary.max_points is None:
        lines.append(f"the LMS file does not say the assignment's points: scores written as "
                     f"they are, out of {summary.max_score:g}")
    if summary.feedback_column:
        lines.append(f"a one-line comment in {summary.feedback_column!r} for each")
    elif summary.lms == "moodle":
        lines.append("the worksheet has no feedback comments column: grades only")
    sections = [
        ("changed from a different value already in the LMS file",
         [f"{g.label}: {g.previous.strip()} -> {g.value}" for g in summary.changed]),
        ("roster students with no submission, left blank",
         list(summary.no_submission)),
        ("not graded (see grades.csv for why), left blank", list(summary.not_graded)),
        ("in grades.csv but not in the LMS file, written nowhere",
         list(summary.not_in_roster)),
        ("left as the LMS has them", [f"{label}: {why}" for label, why in summary.kept]),
        ("comments left as they were (written by someone else)", list(summary.feedback_kept)),
    ]
    for title, items in sections:
        if items:
            lines.append(f"{title} ({len(items)}):")
            lines += [f"  - {printable(item)}" for item in items]
    return "\n".join(lines)
