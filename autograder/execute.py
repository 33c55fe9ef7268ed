"""Running a student's notebook: nbgrader's Execute step with time limits and crash handling.

nbgrader runs every cell of a submission in a fresh kernel. This subclass adds what grading a
whole class needs:

* a time limit per cell *and* per notebook: a cell running past its limit (an infinite loop) is
  interrupted and marked with an error, and the cells after it still run, within what is left
  of the notebook's budget;
* a kernel that dies (a crash, ``os._exit``, running out of memory) costs only the cell that
  killed it: that cell is marked with an error, a new kernel runs the cells before it again
  (their outputs are kept from the first run) and then the cells after it. After
  ``max_restarts`` deaths, every code cell after the last one is marked "not run", so its tests
  score 0 (a test cell with no output would otherwise get full marks);
* the kernel starts with ``AUTOGRADER_MODE=record``: the test cells only record what the
  student's functions return, and :mod:`autograder.judge` scores them elsewhere.
"""

from __future__ import annotations

import copy
import math
import os
import signal
import time

from nbclient.exceptions import DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Float, Integer

from autograder.checks import MODE_VARIABLE
from autograder.sandbox import SandboxedKernelManager

CUT_MARK = "more characters cut by the grader"  # ends a cut output; the summary looks for it
TIMEOUT_MESSAGE = (
    "this cell was stopped by the time limit (an infinite loop, or code far too slow)"
)


def error_output(name: str, message: str) -> NotebookNode:
    """An error output as a kernel would produce it."""
    return NotebookNode(output_type="error", ename=name, evalue=message,
                        traceback=[f"{name}: {message}"])


class LimitedExecute(Execute):
    """nbgrader's Execute with a per-notebook time budget and survival of dead kernels."""

    notebook_timeout = Float(300.0, help="seconds for the whole notebook").tag(config=True)
    max_restarts = Integer(2, help="kernels started again after one died, per notebook").tag(
        config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._deadline = time.monotonic() + self.notebook_timeout
        self._stopped: str | None = None  # why the remaining cells are not run
        self._restarts = 0
        self.timeout_func = self._cell_timeout
        self.error_on_timeout = {
            "ename": "CellTimeoutError",
            "evalue": TIMEOUT_MESSAGE,
            "traceback": [f"CellTimeoutError: {TIMEOUT_MESSAGE}"],
        }
        return super().preprocess(nb, resources, km)

    def start_new_kernel(self, **kwargs):
        # the tests only record the student's answers; autograder.judge scores them
        kwargs.setdefault("env", dict(os.environ, **{MODE_VARIABLE: "record"}))
        return super().start_new_kernel(**kwargs)

    def _cell_timeout(self, cell) -> int:
        """The cell's limit: the per-cell timeout, or what is left of the notebook's budget."""
        left = self._deadline - time.monotonic()
        return max(1, math.ceil(min(self.timeout, left)))

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if self._stopped is None and time.monotonic() >= self._deadline:
            self._stopped = "the notebook's time limit was used up before this cell"
        if self._stopped is not None:
            cell.outputs = [error_output("NotRun", f"not run: {self._stopped}")]
            return cell, resources
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            cell.outputs.append(error_output("DeadKernelError", self._why_it_died()))
            self._revive(index)
            return cell, resources

    def _why_it_died(self) -> str:
        """What the kernel's exit status says about its death, in plain words."""
        try:
            status = self.km.provisioner.process.poll()
        except AttributeError:
            status = None
        if status in (128 + signal.SIGXCPU, -signal.SIGXCPU):
            return ("the kernel was stopped while running this cell: it used up its CPU time "
                    "(the grader's CPU limit)")
        return "the kernel died while running this cell (a crash, os._exit(), or out of memory)"

    def _revive(self, died_in: int) -> None:
        """After the kernel died in cell ``died_in``: a fresh kernel that has run the cells
        before it again (their outputs are kept from the first run), so that the cells after
        it are graded. At most ``max_restarts`` times per notebook, within its time budget."""
        self._restarts += 1
        if self._restarts > self.max_restarts:
            self._stopped = f"the kernel died in cell {died_in}, again"
            return
        try:
            self._cleanup_kernel()
            self.km = self.create_kernel_manager()
            self.start_new_kernel()
            self.start_new_kernel_client()
            for index, cell in enumerate(self.nb.cells[:died_in]):
                if cell.cell_type == "code" and time.monotonic() < self._deadline:
                    # run on a copy: the outputs of the first run stay in the notebook
                    super().preprocess_cell(copy.deepcopy(cell), self.resources, index)
        except Exception as error:  # the kernel cannot be brought back: stop here
            self._stopped = (f"the kernel died in cell {died_in} and could not be restarted "
                             f"({type(error).__name__})")


class SandboxedExecute(LimitedExecute):
    """:class:`LimitedExecute` whose kernels start inside the sandbox (autograder.sandbox)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)


class TruncateOutput(NbGraderPreprocessor):
    """Cut every output to at most ``max_chars`` characters.

    nbgrader's LimitOutput counts lines; a student who prints 100 MB on one line would still
    make a 100 MB graded notebook and feedback page. This keeps the start and says what was cut.
    """

    max_chars = Integer(20_000, help="characters kept per output").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                output["text"] = self._cut(output.get("text", ""))
            for mime, value in list(output.get("data", {}).items()):
                if isinstance(value, str):
                    output["data"][mime] = self._cut(value)
        return cell, resources

    def _cut(self, text: str) -> str:
        if len(text) <= self.max_chars:
            return text
        return (text[: self.max_chars]
                + f"\n... [{len(text) - self.max_chars} {CUT_MARK}]\n")
