"""Which LMS wrote a gradebook file, told by its header: Canvas's gradebook export or Moodle's
grading worksheet (English headers, or others named by role); any other file is refused with
what was looked for."""

from __future__ import annotations

import re
from collections.abc import Mapping

from autograder.export.canvas import canvas_name_columns, read_canvas
from autograder.export.errors import ExportError
from autograder.export.gradebook import Gradebook
from autograder.export.moodle import MOODLE_HEADERS, MOODLE_REQUIRED, read_moodle
from autograder.rawcsv import CsvFile


def read_gradebook(table: CsvFile, *, column: str | None = None, assignment: str | None = None,
                   headers: Mapping[str, str] | None = None) -> Gradebook:
    """Recognise the LMS file and read it: Canvas's gradebook export, or Moodle's grading
    worksheet (English headers, or others named by ``headers``: role -> column)."""
    header = table.header
    if headers:
        return read_moodle(table, {**MOODLE_HEADERS, **headers}, column)
    if "ID" in header and "SIS Login ID" in header and canvas_name_columns(header):
        return read_canvas(table, column, assignment)
    if sum(MOODLE_HEADERS[role] in header for role in MOODLE_REQUIRED) >= 2:
        return read_moodle(table, MOODLE_HEADERS, column)
    raise ExportError(_unknown_format(table))


def _unknown_format(table: CsvFile) -> str:
    found = ", ".join(repr(h) for h in table.header)
    looked_for = ("a Canvas gradebook export (columns Student, ID, SIS Login ID, then "
                  "'Title (id)' per assignment) or a Moodle grading worksheet (columns "
                  + ", ".join(MOODLE_HEADERS[r] for r in MOODLE_REQUIRED) + ")")
    message = f"the LMS file's format is not recognised: its columns are {found}; " \
              f"looked for {looked_for}."
    first = [table.value(r, 0).strip() for r in range(1, len(table.rows))]
    if any(first) and all(re.fullmatch(r"\D+\d+", v) for v in first if v):
        message += (" Its first column looks like Moodle's identifiers in another language: "
                    "name the columns with --header, e.g. --header identifier=... "
                    "--header grade=... --header maximum=... --header modified=... "
                    "[--header feedback=...] (roles: " + ", ".join(MOODLE_HEADERS) + ").")
    else:
        message += " For a Moodle worksheet in another language, name its columns with " \
                   "--header ROLE=COLUMN (roles: " + ", ".join(MOODLE_HEADERS) + ")."
    return message
