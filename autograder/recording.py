"""Recording one student's grades in the run's gradebook: the coordinator's half of Autograde.

A grader (:mod:`autograder.unit`) returns the student's graded notebooks; the coordinator
writes them to ``received/<student>/<assignment>/`` and records them here as nbgrader's
Autograde would have: the student and the submission (with its timestamp) created or updated,
a notebook not submitted scored 0, each graded cell's score and each answer's comment saved
(nbgrader's SaveAutoGrades, which reads the score from the cell's outputs: nothing is run),
the late penalty assigned (AssignLatePenalties), and the notebooks written to ``autograded/``.

The difference is the gradebook. nbgrader's Autograde opens it seven times per student, and
each opening makes a new SQLAlchemy engine, reads the database's tables, and compiles every
query again (an engine keeps its compiled queries): 0.12 CPU seconds per student here, in the
one process that records everyone. The coordinator opens the run's gradebook once
(:class:`RunGradebook`) and hands it to every step in the conversion's
:class:`~autograder.execute.GradingContext`. A student whose recording fails leaves the
gradebook usable for the next and no half-recorded submission in it, and is reported alone.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde
from nbgrader.converters.base import BaseConverter, NbGraderException
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import AssignLatePenalties, NbGraderPreprocessor, SaveAutoGrades
from traitlets.config import Config

from autograder.converters import KeepsWorkingDirectory
from autograder.coursedir import nbgrader_config
from autograder.execute import GradingContext, grading_context
from autograder.unit import CheckCellMetadataOnce, ContextInResources, copy_source_files


def course_directory(course_root: Path, assignment: str = "", student_id: str = "",
                     ) -> tuple[CourseDirectory, Config]:
    """nbgrader's CourseDirectory of ``course_root`` (one assignment and student, if given),
    with the configuration it was made from."""
    config = nbgrader_config(course_root)
    if assignment:
        config.CourseDirectory.assignment_id = assignment
    if student_id:
        config.CourseDirectory.student_id = student_id
    return CourseDirectory(config=config), config


class RunGradebook:
    """The run's gradebook, open for the whole recording: ``with RunGradebook(root) as gb:``
    (an nbgrader :class:`~nbgrader.api.Gradebook`, closed at the end)."""

    def __init__(self, course_root: Path) -> None:
        coursedir, _ = course_directory(course_root)
        self.url, self.course_id = coursedir.db_url, coursedir.course_id

    def __enter__(self) -> Gradebook:
        self.gradebook = Gradebook(self.url, self.course_id)
        return self.gradebook

    def __exit__(self, *exc_info) -> None:
        self.gradebook.close()


def _gradebook(resources: dict) -> Gradebook:
    gradebook = grading_context(resources).gradebook
    if gradebook is None:
        raise RuntimeError("recording a student needs the run's gradebook in its context")
    return gradebook


class SaveAutoGradesInRunGradebook(SaveAutoGrades):
    """nbgrader's SaveAutoGrades (a score per graded cell, a comment per answer), saved into
    the run's open gradebook instead of a gradebook opened for each notebook."""

    def preprocess(self, nb, resources: dict):
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.student_id = resources["nbgrader"]["student"]
        self.gradebook = _gradebook(resources)
        return NbGraderPreprocessor.preprocess(self, nb, resources)  # each cell, as nbgrader


class AssignLatePenaltiesInRunGradebook(AssignLatePenalties):
    """nbgrader's AssignLatePenalties (the penalty of a late notebook, by the configured
    plugin, never below 0 nor above the notebook's score), in the run's open gradebook."""

    def preprocess(self, nb, resources: dict):
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.student_id = resources["nbgrader"]["student"]
        self.init_plugin()
        gradebook = _gradebook(resources)
        submission = gradebook.find_submission(self.assignment_id, self.student_id)
        notebook = gradebook.find_submission_notebook(self.notebook_id, self.assignment_id,
                                                      self.student_id)
        notebook.late_submission_penalty = None
        if submission.total_seconds_late > 0:
            self.log.warning("%s is %s seconds late", submission, submission.total_seconds_late)
            penalty = self.plugin_inst.late_submission_penalty(
                self.student_id, notebook.score, submission.total_seconds_late)
            if penalty is not None:
                notebook.late_submission_penalty = self._check_late_penalty(notebook, penalty)
        gradebook.db.commit()
        return nb, resources


class RecordGrades(ContextInResources, Autograde, KeepsWorkingDirectory):
    """The coordinator's half of Autograde (see the module's text): the scores of notebooks
    graded elsewhere, read from ``received/<student>/<assignment>/``, saved into the run's
    open gradebook (``context.gradebook``), and the notebooks written to ``autograded/``."""

    autograde_preprocessors = [SaveAutoGradesInRunGradebook, AssignLatePenaltiesInRunGradebook,
                               CheckCellMetadataOnce]

    @property
    def _input_directory(self) -> str:
        return "received"

    def init_assignment(self, assignment_id: str, student_id: str) -> None:
        """nbgrader's Autograde.init_assignment, in the run's gradebook: the student and the
        submission (its timestamp read from the submitted folder) created or updated, the
        source's other files copied into ``autograded/``, the notebooks the gradebook does
        not know skipped, and every grade of a notebook not submitted set to 0."""
        BaseConverter.init_assignment(self, assignment_id, student_id)
        gradebook = self.context.gradebook
        gradebook.update_or_create_student(student_id)
        try:
            assignment = gradebook.find_assignment(assignment_id)
        except MissingEntry:
            raise NbGraderException(f"No assignment with ID '{assignment_id}' exists in the "
                                    "database") from None
        timestamp = self.coursedir.get_existing_timestamp(
            self._format_source(assignment_id, student_id))
        if timestamp:
            gradebook.update_or_create_submission(assignment_id, student_id,
                                                  timestamp=timestamp)
        else:
            gradebook.update_or_create_submission(assignment_id, student_id)
        copy_source_files(self, assignment_id, student_id)
        known = {notebook.name for notebook in assignment.notebooks}
        self.notebooks = [path for path in self.notebooks
                          if os.path.splitext(os.path.basename(path))[0] in known]
        if not self.notebooks:
            raise NbGraderException("No notebooks found, did you forget to run "
                                    "'nbgrader generate_assignment'?")
        submitted = Path(self.coursedir.format_path(self.coursedir.submitted_directory,
                                                    student_id, assignment_id))
        for notebook in assignment.notebooks:
            if not (submitted / f"{notebook.name}.ipynb").exists():
                for grade in gradebook.find_submission_notebook(
                        notebook.name, assignment_id, student_id).grades:
                    grade.auto_score, grade.needs_manual_grade = 0, False
        gradebook.db.commit()

    def convert_single_notebook(self, notebook_filename: str) -> None:
        self._sanitizing = False
        self._init_preprocessors()
        BaseConverter.convert_single_notebook(self, notebook_filename)


def record_grades(student_id: str, assignment: str, course_root: Path,
                  context: GradingContext) -> None:
    """Save the scores of one student's notebooks, graded elsewhere and written to
    ``course_root/received/<student>/<assignment>/``, into the run's gradebook
    (``context.gradebook``, open: :class:`RunGradebook`); ``context`` also keeps what is worth
    keeping from one student to the next (the cells found valid). If it fails (a notebook
    damaged on its way back, a full disk), the student's submission is taken out of the
    gradebook again, so that no half-recorded grades remain, and the error is raised."""
    coursedir, config = course_directory(course_root, assignment, student_id)
    config.Autograde.force = True
    config.Autograde.create_student = True
    converter = RecordGrades(coursedir=coursedir, config=config)
    converter.context = context
    try:
        converter.start()
    except BaseException:
        context.gradebook.db.rollback()
        with contextlib.suppress(MissingEntry):
            context.gradebook.remove_submission(assignment, student_id)
        context.gradebook.db.expire_all()  # the next student reads the database afresh
        raise
