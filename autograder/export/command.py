"""``python -m autograder export``: ``export_grades`` (grades.csv into the gradebook file an LMS
exported, written to a new file, ready to upload) and its command line."""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from autograder.export.detect import read_gradebook
from autograder.export.errors import ExportError
from autograder.export.filling import fill
from autograder.export.grades_file import assignment_of_run, read_grades
from autograder.export.summary import ExportSummary, describe
from autograder.rawcsv import CsvError, CsvFile


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
