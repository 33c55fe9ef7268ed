"""``python -m autograder export``: grades.csv into the gradebook file an LMS exported, ready to
upload back.

The LMS's own export is the template, so that its import accepts the result: only the grade
cells of the students found in grades.csv are written (and, for Moodle, their feedback
comment); every other cell, row and column keeps its exact bytes (:mod:`autograder.rawcsv`).

The steps, a module each:

1. ``grades_file``: our grades.csv into :class:`GradeRecord` values (``read_grades``).
2. ``detect``: the LMS file recognised and read (``read_gradebook``) by ``canvas`` or
   ``moodle`` into the ``gradebook`` model, a :class:`Gradebook`; ``number_style`` reads and
   writes numbers the way the file does.
3. ``filling``: students matched and grades written (``fill``); what was found is an
   :class:`ExportSummary`, and ``summary.describe`` makes the printed report from it.

``command`` holds ``export_grades``, the three steps on files, and the command line. None of
them imports nbgrader: ``export`` starts in a fraction of a second.
"""

from __future__ import annotations

from autograder.export.canvas import read_canvas
from autograder.export.command import add_export_command, cmd_export, export_grades
from autograder.export.detect import read_gradebook
from autograder.export.errors import ExportError
from autograder.export.filling import feedback_comment, fill, match_students
from autograder.export.gradebook import Gradebook, RosterEntry
from autograder.export.grades_file import GradeRecord, assignment_of_run, read_grades
from autograder.export.moodle import moodle_participant, read_moodle
from autograder.export.number_style import NumberStyle, parse_number
from autograder.export.summary import ExportSummary, FilledGrade, describe

__all__ = ["ExportError", "ExportSummary", "FilledGrade", "GradeRecord", "Gradebook",
           "NumberStyle", "RosterEntry", "add_export_command", "assignment_of_run", "cmd_export",
           "describe", "export_grades", "feedback_comment", "fill", "match_students",
           "moodle_participant", "parse_number", "read_canvas", "read_grades", "read_gradebook",
           "read_moodle"]
