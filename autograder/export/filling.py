"""Filling the LMS's gradebook with our grades: students matched by id (a roster row matched
twice is an error, never a guess), scores scaled to the LMS's points where they differ, cells
written (and, for Moodle, a one-line feedback comment).

Roster students without a row in grades.csv, and students whose submission could not be graded
("not graded"), are left as they were (blank in a fresh export), never 0.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from autograder.export.errors import ExportError
from autograder.export.gradebook import Gradebook, RosterEntry
from autograder.export.grades_file import GradeRecord
from autograder.export.summary import ExportSummary, FilledGrade
from autograder.safe_text import spreadsheet_text

FEEDBACK_MARK = "Autograder:"  # starts every comment we write, so that a re-export may replace it


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
    return spreadsheet_text(text)


def _ours(comment: str) -> bool:
    return re.sub(r"<[^>]*>", "", comment).strip().startswith(FEEDBACK_MARK)  # Moodle's HTML
