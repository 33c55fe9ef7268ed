"""Our grades.csv, read back for ``export``: its rows as :class:`GradeRecord` values (a file
that is not ours is refused), and the assignment a grading run's grades.csv belongs to."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

from autograder.export.errors import ExportError
from autograder.grades_columns import FIXED_COLUMNS, NOT_GRADED, STATUSES, UNSANDBOXED


@dataclass(frozen=True)
class GradeRecord:
    """One row of grades.csv."""

    student_id: str
    score: float
    max_score: float
    status: str
    problems: str  # "; "-separated, as grades.csv has them; "" when none

    @property
    def graded(self) -> bool:
        return self.status != NOT_GRADED


def read_grades(path: Path) -> list[GradeRecord]:
    """The rows of a grades.csv written by ``python -m autograder grade``; later columns (name,
    late, submitted_at) are allowed and not needed here."""
    where = f"{path}: not a grades.csv written by `python -m autograder grade`"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ExportError(f"{where} ({error})") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or tuple(c.strip() for c in rows[0][:len(FIXED_COLUMNS)]) != FIXED_COLUMNS:
        found = ", ".join(rows[0]) if rows else "nothing"
        raise ExportError(f"{where}: its columns are {found}; expected "
                          f"{', '.join(FIXED_COLUMNS)} first")
    records, lines = [], {}  # lines: student_id -> its line in the file
    for line, row in enumerate(rows[1:], 2):
        if not row:
            continue
        record = _grade_record(row, line, where)
        if record.student_id in lines:
            raise ExportError(f"{where}: student {record.student_id!r} is on lines "
                              f"{lines[record.student_id]} and {line}")
        records.append(record)
        lines[record.student_id] = line
    if not records:
        raise ExportError(f"{path}: no students in it: nothing to export")
    maxima = sorted({r.max_score for r in records})
    if len(maxima) > 1:
        raise ExportError(f"{where}: its rows have different max_score values "
                          f"({', '.join(f'{m:g}' for m in maxima)}), not one assignment's")
    return records


def _grade_record(row: list[str], line: int, where: str) -> GradeRecord:
    student_id, score, max_score, status, problems = (row + [""] * 5)[:5]
    if status.removesuffix(UNSANDBOXED) not in STATUSES:
        raise ExportError(f"{where}: line {line} has the status {status!r}; expected one of "
                          f"{', '.join(STATUSES)}")
    try:
        numbers = float(score), float(max_score)
    except ValueError:
        numbers = (math.nan, math.nan)
    if not all(math.isfinite(n) and n >= 0 for n in numbers) or numbers[1] == 0:
        raise ExportError(f"{where}: line {line} has score {score!r} of max_score "
                          f"{max_score!r}; expected numbers, max_score above 0")
    return GradeRecord(student_id, numbers[0], numbers[1], status, problems)


def assignment_of_run(grades_csv: Path) -> str | None:
    """The assignment a grades.csv belongs to, from the grading run's folder: the one folder in
    ``nbgrader/source/`` beside it (the run's own course directory), else the folder's name
    when it is ``grades/<assignment>/grades.csv`` (the default of ``grade``)."""
    folder = grades_csv.resolve().parent
    sources = folder / "nbgrader" / "source"
    names = sorted(p.name for p in sources.iterdir() if p.is_dir()) if sources.is_dir() else []
    if len(names) == 1:
        return names[0]
    return folder.name if folder.parent.name == "grades" else None
