"""Moodle's grading worksheet (Assignment > View all submissions > Download grading worksheet),
read into a :class:`~autograder.export.gradebook.Gradebook`: students matched by participant id
(``Participant 1234567``, the id itself, or a "Download all submissions" folder name), the
``Grade`` column in the worksheet's scale (``Maximum Grade``), and a one-line ``Feedback
comments`` when the worksheet has that column. Headers in another language are named by role
(``--header ROLE=COLUMN``)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from autograder.export.errors import ExportError
from autograder.export.gradebook import Gradebook, RosterEntry
from autograder.export.number_style import NumberStyle, parse_number
from autograder.rawcsv import CsvFile

MOODLE_HEADERS = {  # role -> the English header; --header ROLE=NAME names another language's
    "identifier": "Identifier",
    "grade": "Grade",
    "maximum": "Maximum Grade",
    "modified": "Last modified (grade)",
    "feedback": "Feedback comments",
    "name": "Full name",
}
MOODLE_REQUIRED = ("identifier", "grade", "maximum", "modified")  # Moodle's import needs these
MOODLE_FOLDER = re.compile(r"_(\d+)_assign(?:submission|feedback)_")  # a "Download all" folder


def read_moodle(table: CsvFile, names: Mapping[str, str], column: str | None) -> Gradebook:
    """Moodle's grading worksheet: students matched by participant id (``Participant 1234``),
    the ``Grade`` column in the worksheet's scale (``Maximum Grade``), and a one-line
    ``Feedback comments`` when the worksheet has that column."""
    unknown = sorted(set(names) - set(MOODLE_HEADERS))
    if unknown:
        raise ExportError(f"--header: unknown role {', '.join(unknown)}; roles: "
                          + ", ".join(MOODLE_HEADERS))
    header = table.header
    columns = {role: header.index(name) for role, name in names.items() if name in header}
    missing = [names[role] for role in MOODLE_REQUIRED if role not in columns]
    if missing:
        scale = " (it has a Scale column: this assignment is graded on a scale, not in points)" \
            if "Scale" in header else ""
        raise ExportError("a Moodle grading worksheet needs the columns "
                          + ", ".join(repr(names[r]) for r in MOODLE_REQUIRED)
                          + f"; missing {', '.join(repr(m) for m in missing)}{scale}. Its "
                          f"columns are {', '.join(repr(h) for h in header)}. Name a column "
                          "with --header ROLE=COLUMN (roles: " + ", ".join(MOODLE_HEADERS) + ").")
    if column is not None and column.strip() != header[columns["grade"]]:
        raise ExportError("--column is for Canvas: a Moodle worksheet has one grade column; "
                          "name it with --header grade=COLUMN if it is not "
                          f"{names['grade']!r}")
    roster, maxima = [], {}
    for r in range(1, len(table.rows)):
        identifier = table.value(r, columns["identifier"]).strip()
        participant = re.search(r"(\d+)$", identifier)
        if not participant:
            continue
        name = table.value(r, columns["name"]).strip() if "name" in columns else ""
        roster.append(RosterEntry(r, (participant[1], identifier), f"{identifier} {name}".strip()))
        cell = table.value(r, columns["maximum"])
        if cell.strip():
            maxima[cell.strip()] = parse_number(cell)
    if None in maxima.values() or len({v[0] for v in maxima.values()}) > 1:
        raise ExportError(f"the worksheet's {names['maximum']!r} column holds "
                          f"{', '.join(repr(m) for m in maxima)}: expected one number of points "
                          "for the assignment (a scale cannot take points)")
    max_points, style = next(iter(maxima.values())) if maxima else (None, NumberStyle())
    return Gradebook("moodle", table, columns["grade"], roster, ("participant id", "Identifier"),
                     max_points, style, columns.get("feedback"), moodle_participant)


def moodle_participant(student_id: str) -> str:
    """A grades.csv student_id named after a Moodle "Download all submissions" folder
    (``Ada Lovelace_1234567_assignsubmission_file_``) as its participant id, ``1234567``; any
    other student_id as it is (matched to the id, or to the whole ``Identifier``)."""
    folder = MOODLE_FOLDER.search(student_id)
    return folder[1] if folder else student_id
