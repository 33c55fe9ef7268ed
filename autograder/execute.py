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
from traitlets import Bool, Float, Integer

from autograder.checks import MODE_VARIABLE
from autograder.sandbox import SandboxedKernelManager

CUT_MARK = "cut by the grader"  # in every cut output; the summary looks for it
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
    collect_limit = Integer(128 * 1024**2, help="characters of output kept in memory per cell "
                            "while it runs; the rest is dropped").tag(config=True)
    # A cell that floods its output (1 GB printed in a loop) has its reply long before the
    # kernel's output stops arriving; nbgrader would then fail the whole notebook ("Timeout
    # waiting for IOPub output"). The cell's output is cut anyway: go on to the next cell.
    raise_on_iopub_timeout = Bool(False, help="fail the notebook when a cell's output is still "
                                  "arriving after its reply").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._deadline = time.monotonic() + self.notebook_timeout
        self._stopped: str | None = None  # why the remaining cells are not run
        self._restarts = 0
        self._collected: dict[int, int] = {}  # cell index -> characters of output received
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

    def output(self, outs, msg, display_id, cell_index):
        """Keep an output, unless its cell has already sent ``collect_limit`` characters: a
        student who prints gigabytes in a loop must not fill the grader's memory (the outputs
        kept are cut to size afterwards by :class:`TruncateOutput`)."""
        before = self._collected.get(cell_index, 0)
        used = self._collected[cell_index] = before + _size_of(msg.get("content", {}))
        if used <= self.collect_limit:
            return super().output(outs, msg, display_id, cell_index)
        if before <= self.collect_limit:  # the first output over the limit
            outs.append(NotebookNode(output_type="stream", name="stdout", text=(
                f"\n... [the rest {CUT_MARK}: it stopped collecting this cell's output "
                f"after {self.collect_limit} characters]\n")))
        return None

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


def _size_of(output: dict) -> int:
    """How many characters an output (or an output message's content) carries: its text,
    traceback and textual data."""
    return (len(output.get("text", "")) + sum(map(len, output.get("traceback", [])))
            + sum(len(v) for v in output.get("data", {}).values() if isinstance(v, str)))


class SandboxedExecute(LimitedExecute):
    """:class:`LimitedExecute` whose kernels start inside the sandbox (autograder.sandbox)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)


class TruncateOutput(NbGraderPreprocessor):
    """Keep at most ``max_chars`` characters of each cell's output.

    nbgrader's LimitOutput counts lines; a student who prints 100 MB on one line, or a million
    short lines, would still make a 100 MB graded notebook and feedback page. Here the printed
    and displayed outputs of a cell share one budget: the output that crosses it keeps its
    start and says how much was cut, and the outputs after it are dropped (with a line saying
    how many). A cell's value (its score) and its errors are always kept, each cut to the same
    size.
    """

    max_chars = Integer(20_000, help="characters kept per cell").tag(config=True)
    max_image_chars = Integer(2 * 1024**2, help="characters of images (PNG, JPEG, SVG) kept "
                              "per cell; an image is kept whole or not at all").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        budget, images, kept, dropped = self.max_chars, self.max_image_chars, [], 0
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            is_image = any(m.startswith("image/") for m in output.get("data", {}))
            if kind == "error":
                output["evalue"] = self._cut(str(output.get("evalue", "")), self.max_chars)
                output["traceback"] = [self._cut(line, self.max_chars)
                                       for line in output.get("traceback", [])[:200]]
                kept.append(output)
            elif kind == "execute_result":
                self._cut_data(output, self.max_chars)
                kept.append(output)
            elif is_image:
                size = _size_of(output)
                if size <= images:
                    images -= size
                    kept.append(output)
                else:
                    dropped += 1
            elif budget <= 0:
                dropped += 1
            else:
                size = _size_of(output)
                if kind == "stream":
                    output["text"] = self._cut(output.get("text", ""), budget)
                else:
                    self._cut_data(output, budget)
                budget -= size
                kept.append(output)
        if dropped:
            kept.append(NotebookNode(output_type="stream", name="stdout", text=(
                f"\n... [{dropped} more outputs {CUT_MARK}]\n")))
        cell.outputs = kept
        return cell, resources

    def _cut_data(self, output, limit: int) -> None:
        for mime, value in list(output.get("data", {}).items()):
            if isinstance(value, str):
                output["data"][mime] = self._cut(value, limit)

    @staticmethod
    def _cut(text: str, limit: int) -> str:
        if len(text) <= limit:
            return text
        return text[:limit] + f"\n... [{len(text) - limit} more characters {CUT_MARK}]\n"
