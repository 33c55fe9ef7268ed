"""A graded notebook as a student may receive it as a file: the student view, with the score and
the problems found in a first cell.

Canvas's "Upload Submissions" attaches each uploaded file to the student's submission under the
name of the file the student submitted (instructure/canvas-lms issue 2406: a PDF uploaded for a
submitted .zip arrives named ``.zip``). An HTML page would reach the student as ``tiny.ipynb``
and fail to open, so Canvas gets this notebook instead, which is what its name says.

It is made from :func:`autograder.student_view.student_view` of the graded notebook, and keeps
no grader metadata a student need not have: the cells' ``autograder`` records (the problems,
put in words in the first cell instead) and nbgrader's checksums (made from the cells' source,
hidden tests included) are taken out.
"""

from __future__ import annotations

import html

from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell

from autograder.grading import StudentResult
from autograder.student_view import student_view


def feedback_notebook(graded: NotebookNode, result: StudentResult, assignment: str,
                      notebook: str) -> NotebookNode:
    """The feedback copy of the graded ``notebook`` (its name, without .ipynb) of
    ``assignment`` for the student of ``result``."""
    shown = student_view(graded)
    for cell in shown.cells:
        cell.metadata.pop("autograder", None)
        cell.metadata.get("nbgrader", {}).pop("checksum", None)
    shown.cells.insert(0, new_markdown_cell(summary_markdown(result, assignment, notebook)))
    return shown


def summary_markdown(result: StudentResult, assignment: str, notebook: str) -> str:
    """The first cell: the assignment's score, and the problems found, in plain words (the
    student's own text in them, such as a file name, shown as text)."""
    problems = [f"- {html.escape(problem)}" for problem in result.problems] or ["- none"]
    return "\n".join([
        f"# Feedback: {html.escape(assignment)}, {html.escape(notebook)}.ipynb",
        "",
        f"**Score: {result.score:g} / {result.max_score:g}** ({result.status}) for the whole "
        "assignment.",
        "",
        "**Problems found:**",
        "",
        *problems,
        "",
        "Below is your notebook as it was graded. Each test prints what it checked; hidden "
        "tests show only whether each case passed.",
    ])
