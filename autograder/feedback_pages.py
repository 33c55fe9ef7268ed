"""The students' feedback pages: nbgrader's HTML feedback of each graded notebook, without the
hidden tests (:mod:`autograder.student_view`), rendered in helper processes beside the
coordinator.

A page costs about as much CPU as grading the notebook's trusted side, so three things matter:

* one converter and one HTML exporter per process, for every student it renders. nbgrader's
  own ``GenerateFeedback.start()`` makes a new exporter each time, whose Jinja templates are
  then compiled again: a third of a page's cost (:class:`OneExporterFeedback`);
* no second parse of a page that nbconvert's accessibility pass would not change: 60% of what
  is left (:mod:`autograder.feedback_html`);
* the pages are rendered in processes of their own ("spawn"), so that they do not wait for the
  interpreter lock held by the coordinator's grading threads.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbconvert.writers import FilesWriter
from nbgrader.converters import GenerateFeedback
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import GetGrades
from traitlets import default

from autograder.converters import KeepsWorkingDirectory
from autograder.coursedir import Assignment, nbgrader_config
from autograder.feedback_html import FeedbackHTMLExporter
from autograder.helper_processes import as_the_caller, caller_state, helper_context
from autograder.student_view import StudentView
from autograder.unit import use_this_environment

FEEDBACK_WORKERS = 2  # processes rendering the feedback pages (one per core here)


class OneExporterFeedback(GenerateFeedback, KeepsWorkingDirectory):
    """nbgrader's GenerateFeedback, whose HTML exporter (with its compiled templates) and
    writer are made at the first :meth:`start` and kept for every later one.

    Each ``start()`` renders the notebooks of ``coursedir.student_id`` as nbgrader's does: the
    same preprocessors, on the same exporter configuration, written to the same place. Only the
    exporter's construction is not repeated, and its class is
    :class:`autograder.feedback_html.FeedbackHTMLExporter` (nbgrader's HTMLExporter, without
    re-parsing a page that its accessibility pass would leave as it is).
    """

    @default("exporter_class")
    def _exporter_class_default(self) -> type:
        return FeedbackHTMLExporter

    _kept: tuple[FilesWriter, object] | None = None

    def start(self) -> None:
        if self._kept is None:
            super().start()  # makes the writer and the exporter, and renders
            self._kept = (self.writer, self.exporter)
            return
        self.init_notebooks()
        self.writer, self.exporter = self._kept
        self.convert_notebooks()

    def write_single_notebook(self, output: str, resources: dict) -> None:
        # A kept writer makes its folder only when its folder changes; with ``force``, nbgrader
        # has just removed the folder of a student rendered again (the same folder as before).
        folder = self._format_dest(resources["nbgrader"]["assignment"],
                                   resources["nbgrader"]["student"])
        os.makedirs(folder, exist_ok=True)
        super().write_single_notebook(output, resources)


class FeedbackRenderer:
    """The feedback pages of one course's students, one converter for all of them."""

    def __init__(self, assignment: Assignment, course_root: Path) -> None:
        config = nbgrader_config(course_root)
        config.CourseDirectory.assignment_id = assignment.name
        config.GenerateFeedback.force = True
        # students receive these pages: the hidden tests are taken out (autograder.student_view)
        config.GenerateFeedback.preprocessors = [GetGrades, StudentView,
                                                 CSSHTMLHeaderPreprocessor]
        self.converter = OneExporterFeedback(coursedir=CourseDirectory(config=config),
                                             config=config)

    def render(self, student_id: str) -> None:
        """Write ``feedback/<student>/<assignment>/<notebook>.html`` for each of the student's
        autograded notebooks."""
        self.converter.coursedir.student_id = student_id
        self.converter.start()


def generate_feedback(assignment: Assignment, course_root: Path, student_id: str) -> None:
    """The feedback pages of one student, rendered in this process."""
    FeedbackRenderer(assignment, course_root).render(student_id)


# The renderer of a helper process: each of those processes serves one run (its pool is made
# for the run and shut down with it), and is given its course when it starts.
_renderer: FeedbackRenderer | None = None


def _helper_setup(assignment: Assignment, course_root: Path, caller: tuple) -> None:
    global _renderer
    as_the_caller(caller)
    logging.getLogger("traitlets").setLevel(logging.CRITICAL)
    use_this_environment()
    _renderer = FeedbackRenderer(assignment, course_root)


def _render_in_helper(student_id: str) -> None:
    _renderer.render(student_id)


def _ready() -> None:
    """Nothing: a helper process's first task, which makes it start."""


def start_feedback_workers(count: int, assignment: Assignment, course_root: Path,
                           cluster: bool = False) -> ProcessPoolExecutor:
    """``count`` processes that render feedback pages beside this one, started at once.

    They are forked from the forkserver (:mod:`autograder.helper_processes`), which has the
    grading code imported (and Dask's, if the run is on a ``cluster``: the workers of a
    ``local:N`` cluster come from the same forkserver), not forked from this process: a fork
    copies this process as it is, and a thread of the caller's (a notebook's, a test's) that
    holds an import lock at that moment leaves the copy waiting for that lock forever. They
    start now, before any grading thread runs, in this process's folder and environment.
    """
    pool = ProcessPoolExecutor(max_workers=count, mp_context=helper_context(cluster),
                               initializer=_helper_setup,
                               initargs=(assignment, course_root, caller_state()))
    for _ in range(count):
        pool.submit(_ready)
    return pool


def render_feedback(pool: ProcessPoolExecutor, assignment: Assignment, course_root: Path,
                    student_id: str) -> Future | None:
    """Hand one student's pages to the pool; if the pool is unusable, render them here."""
    try:
        return pool.submit(_render_in_helper, student_id)
    except RuntimeError:  # BrokenProcessPool, or a pool already shut down
        generate_feedback(assignment, course_root, student_id)
        return None
