"""What a student may see of a graded notebook: everything but the hidden tests.

The graded notebook in the run folder is the lecturer's: its test cells hold the hidden tests
(``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS``: their code, seeds and inputs) and the
judge's full report on them (inputs, expected values, answers), marked ``lecturer_only``. Every
file a student receives (the feedback pages, the feedback zips, nbgrader's ``feedback/``) is
made from :func:`student_view` of it instead, which keeps of a test cell with hidden tests:

* its visible part, as the student saw it in the release, and one line where the hidden tests
  were, saying how many lines are not shown;
* the report's student lines: for each hidden case, whether it passed, its points and the kind
  of problem (``checks.PROBLEM_KINDS``), never a value;
* of an error (a time limit, a crash, an exception escaping the tests), its name and the
  grader's own message, never a traceback, which would quote the hidden code, nor an
  exception's message, which may quote the hidden inputs.

Test cells without hidden tests keep their full detail, tracebacks included.
"""

from __future__ import annotations

import copy

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.checks import LECTURER_ONLY
from autograder.hidden_tests import BEGIN, END, hidden_tests_line
from autograder.judge import JUDGE_ERROR, READS_THE_TESTS, is_test_cell

# errors whose message the grader wrote itself (see autograder/execute.py): kept as they are
GRADERS_OWN_ERRORS = {"CellTimeoutError", "DeadKernelError", "NotRun", READS_THE_TESTS}


def has_hidden_tests(cell) -> bool:
    """True for a test cell with a hidden-tests block."""
    return is_test_cell(cell) and hidden_tests_line(cell.source) is not None


def hidden_test_lines(notebook: NotebookNode) -> list[str]:
    """Every line inside a hidden-tests block of the notebook's test cells, as written."""
    lines = []
    for cell in notebook.cells:
        if not has_hidden_tests(cell):
            continue
        inside = False
        for line in cell.source.splitlines():
            if line.strip() in (BEGIN, END):
                inside = line.strip() == BEGIN
            elif inside:
                lines.append(line)
    return lines


def without_hidden_source(source: str) -> str:
    """``source`` with each hidden-tests block replaced by one comment line (an unclosed block
    runs to the end of the cell, as nbgrader reads it)."""
    kept, hidden = [], None
    for line in source.splitlines():
        if hidden is None and line.strip() == BEGIN:
            hidden = 0
        elif hidden is not None and line.strip() == END:
            kept.append(_placeholder(hidden))
            hidden = None
        elif hidden is not None:
            hidden += 1
        else:
            kept.append(line)
    if hidden is not None:
        kept.append(_placeholder(hidden))
    return "\n".join(kept)


def _placeholder(lines: int) -> str:
    return f"# ... {lines} lines of hidden tests, not shown (their results are below)"


def student_output(output: NotebookNode) -> NotebookNode | None:
    """What a student sees of one output of a test cell with hidden tests (None: nothing)."""
    if output.get("metadata", {}).get("autograder", {}).get(LECTURER_ONLY):
        return None
    if output.get("output_type") != "error":
        return output
    name = str(output.get("ename", ""))
    if name in GRADERS_OWN_ERRORS:
        message = str(output.get("evalue", ""))
    elif name == JUDGE_ERROR:
        message = "the grader could not score this test; your lecturer has the details"
    else:
        name = name if name.isidentifier() and len(name) <= 40 else "an error"
        message = ("the tests stopped here (the message is not shown: it may quote the hidden "
                   "tests)")
    return NotebookNode(output_type="error", ename=name, evalue=message,
                        traceback=[f"{name}: {message}"])


def student_view(notebook: NotebookNode) -> NotebookNode:
    """A copy of a graded notebook with the hidden tests removed (see the module's notes)."""
    shown = copy.deepcopy(notebook)
    for cell in shown.cells:
        if not has_hidden_tests(cell):
            continue
        cell.source = without_hidden_source(cell.source)
        cell.outputs = [kept for kept in map(student_output, cell.get("outputs", []))
                        if kept is not None]
    return shown


class StudentView(NbGraderPreprocessor):
    """nbgrader's feedback step, given :func:`student_view` of each graded notebook."""

    def preprocess(self, nb, resources):
        return student_view(nb), resources
