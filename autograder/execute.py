"""Running a student's notebook: nbgrader's Execute step with time limits and crash handling.

nbgrader runs every cell of a submission in a fresh kernel. This subclass adds what grading a
whole class needs:

* a time limit per cell *and* per notebook: a cell running past its limit (an infinite loop) is
  interrupted and marked with an error, and the cells after it still run, within what is left
  of the notebook's budget;
* a kernel that dies (a crash, ``os._exit``, running out of memory) does not lose the work
  already graded: the cell that killed it and every code cell after it are marked as errors, so
  their tests score 0 (a test cell with no output would otherwise get full marks), and the
  notebook is saved as it is.
"""

from __future__ import annotations

import time

from nbclient.exceptions import DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Float

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

    def preprocess(self, nb, resources=None, km=None):
        self._deadline = time.monotonic() + self.notebook_timeout
        self._stopped: str | None = None  # why the remaining cells are not run
        self.timeout_func = self._cell_timeout
        self.error_on_timeout = {
            "ename": "CellTimeoutError",
            "evalue": TIMEOUT_MESSAGE,
            "traceback": [f"CellTimeoutError: {TIMEOUT_MESSAGE}"],
        }
        return super().preprocess(nb, resources, km)

    def _cell_timeout(self, cell) -> int:
        """The cell's limit: the per-cell timeout, or what is left of the notebook's budget."""
        left = self._deadline - time.monotonic()
        return max(1, int(min(self.timeout, left)))

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
            self._stopped = f"the kernel died in cell {index}"
            cell.outputs.append(error_output(
                "DeadKernelError",
                "the kernel died while running this cell (a crash, os._exit(), or out of memory)",
            ))
            return cell, resources
