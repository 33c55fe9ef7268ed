"""Canvas's gradebook export (Grades > Export > Export Entire Gradebook), read into a
:class:`~autograder.export.gradebook.Gradebook`: students matched by ``ID`` (Canvas's user id),
else by ``SIS Login ID``; the grade column is an assignment's ``Title (id)``, its points the
``Points Possible`` row's."""

from __future__ import annotations

import re

from autograder.export.errors import ExportError
from autograder.export.gradebook import Gradebook, RosterEntry
from autograder.export.number_style import NumberStyle, parse_number
from autograder.rawcsv import CsvFile

CANVAS_ASSIGNMENT = re.compile(r"(?P<title>.*\S) \((?P<id>\d+)\)")  # "Title (assignment_id)"
CANVAS_KEPT = {"EX": "excused in Canvas", "N/A": "not assigned to this student in Canvas"}


def canvas_name_columns(header: list[str]) -> list[int]:
    """The columns that name the student (``Student``, or ``FirstName`` and ``LastName``);
    none when the file is not Canvas's."""
    if "Student" in header:
        return [header.index("Student")]
    if "LastName" in header and "FirstName" in header:  # "show first and last names" setting
        return [header.index("FirstName"), header.index("LastName")]
    return []


def read_canvas(table: CsvFile, column: str | None, assignment: str | None) -> Gradebook:
    """Canvas's gradebook export: students matched by ``ID`` (Canvas's user id), else by
    ``SIS Login ID``; the grade column is an assignment's ``Title (id)``."""
    header = table.header
    id_column, login_column = header.index("ID"), header.index("SIS Login ID")
    names = canvas_name_columns(header)
    grade_column = _canvas_grade_column(header, column, assignment)
    roster, points = [], None
    for r in range(1, len(table.rows)):
        student_id = table.value(r, id_column).strip()
        name = " ".join(table.value(r, c).strip() for c in names).strip()
        if not student_id:
            if name == "Points Possible" and points is None:
                points = parse_number(table.value(r, grade_column))
            continue  # "Points Possible", the "Manual Posting" row: not students
        login = table.value(r, login_column).strip()
        roster.append(RosterEntry(r, (student_id, login), f"{name} (ID {student_id})",
                                  CANVAS_KEPT.get(table.value(r, grade_column).strip(), "")))
    max_points, style = points if points else (None, NumberStyle())
    return Gradebook("canvas", table, grade_column, roster, ("ID", "SIS Login ID"),
                     max_points, style)


def _canvas_grade_column(header: list[str], column: str | None, assignment: str | None) -> int:
    titles = {i: m["title"] for i, h in enumerate(header)
              if (m := CANVAS_ASSIGNMENT.fullmatch(h))}
    listed = "; ".join(header[i] for i in titles) or "none"
    if column is not None:
        chosen = [i for i, title in titles.items() if column.strip() in (header[i], title)]
        what = f"--column {column!r}"
        if not chosen and column.strip() in header:
            raise ExportError(f"{what} is not an assignment column (Canvas computes it, or it "
                              f"is not a grade); assignment columns: {listed}")
    elif assignment:
        wanted = _comparable(assignment)
        chosen = [i for i, title in titles.items() if wanted in _comparable(title)]
        what = f"the assignment {assignment!r}"
    else:
        raise ExportError("which assignment's column? grades.csv does not say: give --column "
                          f"TITLE (assignment columns: {listed}) or --assignment NAME")
    if not chosen:
        raise ExportError(f"{what} matches no assignment column; assignment columns: {listed}. "
                          "Name the column with --column TITLE.")
    if len(chosen) > 1:
        raise ExportError(f"{what} matches {len(chosen)} columns: "
                          + "; ".join(header[i] for i in chosen)
                          + ". Name one exactly with --column 'Title (id)'.")
    return chosen[0]


def _comparable(text: str) -> str:
    """Case, spaces, ``_`` and ``-`` ignored: ``a2_backprop`` is in ``A2 Backprop (17)``."""
    return re.sub(r"[\s_-]+", " ", text).strip().casefold()
