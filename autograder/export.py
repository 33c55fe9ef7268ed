"""``python -m autograder export``: grades.csv into the gradebook file an LMS exported, ready to
upload back.

The LMS's own export is the template, so that its import accepts the result: only the grade
cells of the students found in grades.csv are written (and, for Moodle, their feedback
comment); every other cell, row and column keeps its exact bytes (:mod:`autograder.rawcsv`).

The steps, each a function of its own:

1. ``read_grades``: our grades.csv into :class:`GradeRecord` values (a file that is not ours is
   refused).
2. ``read_gradebook``: the LMS file is recognised (``read_canvas``, ``read_moodle``) and read
   into a :class:`Gradebook`: the grade column, the roster (row, the ids a student is matched
   by, a label), the LMS's points for the assignment and how it writes numbers.
3. ``fill``: students matched by id (a roster row matched twice is an error, never a guess),
   scores scaled to the LMS's points where they differ, cells written; what was found is an
   :class:`ExportSummary`, and ``describe`` makes the printed report from it.

Roster students without a row in grades.csv, and students whose submission could not be graded
("not graded"), are left as they were (blank in a fresh export), never 0.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from autograder.coursedir import SetupError
from autograder.rawcsv import CsvError, CsvFile

# The first columns of grades.csv and the spreadsheet-formula rule, as autograder/report.py has
# them (importing report pulls in nbgrader, seconds of start-up; tests/test_export.py checks
# that the two agree).
GRADES_COLUMNS = ("student_id", "score", "max_score", "status", "problems")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
STATUSES = ("graded", "graded with problems", "not graded")  # each may end in " (unsandboxed)"
NOT_GRADED = "not graded"
FEEDBACK_MARK = "Autograder:"  # starts every comment we write, so that a re-export may replace it


class ExportError(SetupError):
    """The export cannot be made (unknown format, ambiguous column, a file that is not ours):
    nothing is written, the command exits non-zero."""


# -- 1. our grades ---------------------------------------------------------------------------

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
    if not rows or tuple(c.strip() for c in rows[0][:len(GRADES_COLUMNS)]) != GRADES_COLUMNS:
        found = ", ".join(rows[0]) if rows else "nothing"
        raise ExportError(f"{where}: its columns are {found}; expected "
                          f"{', '.join(GRADES_COLUMNS)} first")
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
    if status.removesuffix(" (unsandboxed)") not in STATUSES:
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


# -- 2. the LMS's gradebook ------------------------------------------------------------------

@dataclass(frozen=True)
class NumberStyle:
    """How the LMS file writes numbers: decimals shown and the decimal separator."""

    decimals: int = 2
    separator: str = "."

    def format(self, value: float) -> str:
        """``value`` with this file's decimals, or with up to 2 when it needs more (7.5 in a
        file that shows whole numbers stays 7.5)."""
        rounded = Decimal(repr(value)).quantize(Decimal("0.01"), ROUND_HALF_UP).normalize()
        decimals = max(self.decimals, -min(rounded.as_tuple().exponent, 0))
        text = f"{rounded.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)}"
        return text.replace(".", self.separator)


def parse_number(text: str) -> tuple[float, NumberStyle] | None:
    """A number as an LMS writes it (``10``, ``10.00``, ``10,00``) and its style, else None."""
    match = re.fullmatch(r"\s*(\d+)(?:([.,])(\d+))?\s*", text)
    if not match:
        return None
    whole, separator, fraction = match.groups()
    value = float(f"{whole}.{fraction}" if fraction else whole)
    return value, NumberStyle(len(fraction or ""), separator or ".")


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


CANVAS_ASSIGNMENT = re.compile(r"(?P<title>.*\S) \((?P<id>\d+)\)")  # "Title (assignment_id)"
CANVAS_KEPT = {"EX": "excused in Canvas", "N/A": "not assigned to this student in Canvas"}
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


def read_gradebook(table: CsvFile, *, column: str | None = None, assignment: str | None = None,
                   headers: Mapping[str, str] | None = None) -> Gradebook:
    """Recognise the LMS file and read it: Canvas's gradebook export, or Moodle's grading
    worksheet (English headers, or others named by ``headers``: role -> column)."""
    header = table.header
    if headers:
        return read_moodle(table, {**MOODLE_HEADERS, **headers}, column)
    if "ID" in header and "SIS Login ID" in header and _canvas_name_columns(header):
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


def _canvas_name_columns(header: list[str]) -> list[int]:
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
    names = _canvas_name_columns(header)
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


# -- 3. filling it in ------------------------------------------------------------------------

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


def fill(book: Gradebook, records: Sequence[GradeRecord], out: Path) -> ExportSummary:
    """Write each matched student's grade (and comment) into ``book.table``."""
    if book.max_points == 0:
        raise ExportError(f"the LMS file gives {book.grade_header!r} 0 points: a grade there "
                          "would be 0 for everyone; set the assignment's points in the LMS and "
                          "export its gradebook again")
    matches = match_students(book, records)
    table, filled, not_graded, kept, feedback_kept = book.table, [], [], [], []
    max_score = records[0].max_score
    for record in records:
        entry = matches.get(record.student_id)
        if entry is None:
            continue
        if not record.graded:
            not_graded.append(entry.label)
        elif entry.kept:
            kept.append((entry.label, entry.kept))
        else:
            points = record.score if book.max_points is None \
                else record.score * book.max_points / record.max_score
            value = book.style.format(points)
            filled.append(FilledGrade(record.student_id, entry.label, value,
                                      table.value(entry.row, book.grade_column)))
            table.set(entry.row, book.grade_column, value)
            if book.feedback_column is not None:
                previous = table.value(entry.row, book.feedback_column)
                if previous.strip() and not _ours(previous):
                    feedback_kept.append(entry.label)
                else:
                    table.set(entry.row, book.feedback_column,
                              feedback_comment(record, value, book))
    matched = {entry.row for entry in matches.values()}
    return ExportSummary(
        lms=book.lms, column=book.grade_header, out=out, max_score=max_score,
        max_points=book.max_points, filled=tuple(filled),
        no_submission=tuple(e.label for e in book.roster if e.row not in matched),
        not_graded=tuple(not_graded),
        not_in_roster=tuple(r.student_id for r in records if r.student_id not in matches),
        kept=tuple(kept),
        feedback_column=(None if book.feedback_column is None
                         else table.header[book.feedback_column]),
        feedback_kept=tuple(feedback_kept),
    )


def match_students(book: Gradebook, records: Sequence[GradeRecord]) -> dict[str, RosterEntry]:
    """student_id -> roster entry, by the roster's keys in order (Canvas: ``ID``, then
    ``SIS Login ID``). A student_id that fits two rows, or a row that two student_ids fit, is an
    error: grades are never written on a guess."""
    matches: dict[str, RosterEntry] = {}
    by_row: dict[int, str] = {}
    for record in records:
        key = book.student_key(record.student_id)
        for position, key_name in enumerate(book.key_names):
            hits = [e for e in book.roster if e.keys[position] and e.keys[position] == key]
            if len(hits) > 1:
                raise ExportError(f"student {record.student_id!r} fits {len(hits)} rows of the "
                                  f"LMS file by {key_name}: "
                                  + "; ".join(e.label for e in hits))
            if hits:
                entry = hits[0]
                if entry.row in by_row:
                    raise ExportError(f"the LMS file's row for {entry.label} fits two students "
                                      f"of grades.csv: {by_row[entry.row]!r} and "
                                      f"{record.student_id!r}")
                matches[record.student_id], by_row[entry.row] = entry, record.student_id
                break
    return matches


def feedback_comment(record: GradeRecord, value: str, book: Gradebook) -> str:
    """One line for the student: the score, and that problems were found (never what the
    hidden tests checked: the feedback page shows what the student may see)."""
    text = f"{FEEDBACK_MARK} {record.score:g} of {record.max_score:g} points"
    if book.max_points is not None and book.max_points != record.max_score:
        text += f" (grade {value} of {book.style.format(book.max_points)})"
    text += ("; problems were found, see your feedback file." if record.problems else ".")
    return _spreadsheet_text(text)


def _ours(comment: str) -> bool:
    return re.sub(r"<[^>]*>", "", comment).strip().startswith(FEEDBACK_MARK)  # Moodle's HTML


def _spreadsheet_text(text: str) -> str:
    """Text a spreadsheet will not run as a formula (report.py's rule)."""
    return f"'{text}" if text.startswith(FORMULA_START) else text


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
            lines += [f"  - {_printable(item)}" for item in items]
    return "\n".join(lines)


def _printable(text: str) -> str:
    """Control characters and undecodable bytes shown as escapes (submissions.printable's
    rule), so that a name in the LMS file cannot fake or hide lines of the report."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


# -- the command -----------------------------------------------------------------------------

def export_grades(grades_csv: Path, gradebook: Path, out: Path, *, column: str | None = None,
                  assignment: str | None = None,
                  headers: Mapping[str, str] | None = None) -> ExportSummary:
    """Fill the LMS's gradebook file ``gradebook`` with ``grades_csv`` and write it to ``out``
    (never over either input). Raises :class:`ExportError`, having written nothing, when the
    file's format is not recognised, the column is missing or ambiguous, or a student fits
    two rows."""
    out = Path(out)
    for source in (gradebook, grades_csv):
        if out.resolve() == source.resolve() or (out.exists() and out.samefile(source)):
            raise ExportError(f"--out {out} is the input {source}: write the copy to upload "
                              "to another file (the LMS's own export is never overwritten)")
    records = read_grades(grades_csv)
    try:
        table = CsvFile.parse(gradebook.read_bytes())
    except (OSError, CsvError) as error:
        raise ExportError(f"{gradebook}: cannot read it as CSV: {error}") from None
    if not table.rows or not any(table.header):
        raise ExportError(f"{gradebook}: empty; expected the LMS's gradebook export")
    book = read_gradebook(table, column=column, headers=headers,
                          assignment=assignment or assignment_of_run(grades_csv))
    summary = fill(book, records, out)
    _write_new_file(out, table.to_bytes())
    return summary


def _write_new_file(path: Path, data: bytes) -> None:
    """Write through a temporary file, so that an interrupted run leaves no half file."""
    if path.is_dir():
        raise ExportError(f"--out {path} is a folder: give a file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


HELP = """\
Writes a copy of the gradebook file the LMS exported with the assignment's grades filled in,
ready to upload; every other cell, row and column is left exactly as it was.

  Canvas   (Grades > Export > Export Entire Gradebook): students are matched by ID (Canvas's
           user id), else by SIS Login ID. The column filled is --column (its exact title, or
           the title without " (id)"), else the one assignment column whose title contains the
           assignment's name (case, spaces, _ and - ignored). The assignment is --assignment,
           else the grading run's own: the one folder in nbgrader/source/ beside GRADES_CSV,
           else the folder name of grades/<assignment>/grades.csv.
  Moodle   (Assignment > View all submissions > Download grading worksheet): students are
           matched by participant id (Participant 1234567); Grade is written in the
           worksheet's scale (Maximum Grade; scores scaled when it differs from ours) with a
           one-line Feedback comments. Headers in another language: name them with --header
           ROLE=COLUMN, roles identifier, grade, maximum, modified, feedback, name.

Students with no submission, and those whose submission could not be graded, are left blank,
never 0; graded students missing from the LMS file are listed. Exit 0 when written, 2 (nothing
written) when the format is not recognised, the column is missing or ambiguous, a row fits two
students, or GRADES_CSV is not ours.
"""


def add_export_command(commands) -> None:
    """The ``export`` subcommand, on the subparsers of ``python -m autograder``."""
    export = commands.add_parser(
        "export", help="fill the LMS's exported gradebook with grades.csv, ready to upload",
        description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    export.add_argument("grades", metavar="GRADES_CSV", help="grades.csv written by `grade`")
    export.add_argument("gradebook", metavar="LMS_GRADEBOOK",
                        help="the CSV the LMS exported (Canvas gradebook, Moodle worksheet)")
    export.add_argument("--out", metavar="FILE", required=True,
                        help="where the filled copy goes (not LMS_GRADEBOOK itself)")
    export.add_argument("--column", metavar="NAME", help="Canvas: the assignment's column")
    export.add_argument("--assignment", metavar="NAME",
                        help="Canvas: find the column whose title contains NAME")
    export.add_argument("--header", metavar="ROLE=COLUMN", action="append", default=[],
                        help="Moodle: which column is which, for headers not in English "
                             "(repeat per role)")
    export.set_defaults(run=cmd_export)


def cmd_export(args) -> int:
    headers = {}
    for item in args.header:
        role, equals, name = item.partition("=")
        if not equals or not name.strip():
            raise ExportError(f"--header {item!r}: expected ROLE=COLUMN, e.g. "
                              "--header grade=Bewertung")
        headers[role.strip()] = name.strip()
    summary = export_grades(Path(args.grades), Path(args.gradebook), Path(args.out),
                            column=args.column, assignment=args.assignment, headers=headers)
    print(describe(summary))
    return 0
