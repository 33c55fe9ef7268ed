"""Running a student's notebook: nbgrader's Execute step with time limits and crash handling.

nbgrader runs every cell of a submission in a fresh kernel. This subclass adds what grading a
whole class needs:

* a time limit per cell (``timeout``, as nbgrader's own) *and* per notebook
  (``notebook_timeout``): a cell running past its limit (an infinite loop) is interrupted and
  marked with an error, and the cells after it still run. No cell can use up the notebook's
  budget: each code cell not yet run keeps a share of it (``reserve``, by default the budget
  divided by twice the number of code cells, at most ``timeout``), so a cell may run for at most
  ``timeout`` seconds and never into the shares of the cells after it. One infinite loop (or
  several) therefore costs the points of its own cells only;
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
from dataclasses import dataclass, field

from nbclient.exceptions import DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Bool, Float, Integer

from autograder.checks import MODE_VARIABLE
from autograder.kernel_zygote import Zygote
from autograder.metadata_check import ValidMetadata
from autograder.sandbox import (
    ForkedKernelManager,
    GradingKernelManager,
    SandboxedKernelManager,
    SandboxPolicy,
)

# The key of a conversion's resources under which the grader passes what its steps need, a
# GradingContext (see autograder.unit).
RESOURCES_KEY = "autograder"


@dataclass(frozen=True)
class GradingContext:
    """What the grader hands every step of one conversion, in its resources: the judge pools
    (notebook name -> :class:`autograder.judge.JudgePool`, one per notebook of the
    assignment), the sandbox policy (None: the default), the cells whose nbgrader metadata
    were found valid (:mod:`autograder.metadata_check`) and, in the coordinator, the run's
    open gradebook (:mod:`autograder.recording`). nbconvert copies the resources; this is
    shared, not copied (kernels and databases cannot be)."""

    judges: dict = field(default_factory=dict)
    policy: SandboxPolicy | None = None
    zygote: Zygote | None = None  # forks the sandboxed kernels; None: bubblewrap starts them
    valid_metadata: ValidMetadata = field(default_factory=ValidMetadata)  # checked cells
    gradebook: Gradebook | None = None  # the run's, open: where the coordinator records

    def __deepcopy__(self, memo) -> GradingContext:
        return self


def grading_context(resources: dict | None) -> GradingContext:
    """The GradingContext of a conversion (an empty one if it has none)."""
    return (resources or {}).get(RESOURCES_KEY) or GradingContext()


CUT_MARK = "cut by the grader"  # in every cut output, for the reader
TIMEOUT_MESSAGE = (
    "this cell was stopped by the time limit (an infinite loop, or code far too slow)"
)


def add_problem(cell, kind: str, **details) -> None:
    """Keep a problem found in ``cell`` as data where it is found: a record ``{"kind": kind,
    **details}`` in the cell's ``metadata.autograder.found`` (see
    :func:`autograder.grading.problems_in_notebook`, which reports them), once per kind."""
    found = cell.metadata.setdefault("autograder", {}).setdefault("found", [])
    if not any(record.get("kind") == kind for record in found):
        found.append({"kind": kind, **details})


def student_errors(cell) -> None:
    """Record what the errors in a cell's outputs say of the student's code (a syntax error,
    ``sys.exit()``, the sandbox's limits on memory, file size and processes)."""
    for output in cell.get("outputs", []):
        if output.get("output_type") != "error":
            continue
        name, message = output.get("ename", ""), str(output.get("evalue", ""))
        if name in ("SyntaxError", "IndentationError", "TabError"):
            add_problem(cell, "syntax_error", message=message[:300])
        elif name == "SystemExit":
            add_problem(cell, "sys_exit")
        elif name == "MemoryError":
            add_problem(cell, "out_of_memory")
        elif name == "KeyboardInterrupt":
            add_problem(cell, "interrupted")
        elif "[Errno 27]" in message or "File too large" in message:  # EFBIG
            add_problem(cell, "file_too_large")
        elif name == "BlockingIOError" or "Resource temporarily unavailable" in message:
            add_problem(cell, "process_limit")


def error_output(name: str, message: str) -> NotebookNode:
    """An error output as a kernel would produce it."""
    return NotebookNode(output_type="error", ename=name, evalue=message,
                        traceback=[f"{name}: {message}"])


@dataclass(frozen=True)
class CellLimit:
    """How long one cell may run: ``seconds``, set ``by`` the per-cell limit ("cell") or by
    what is left of the notebook's budget once the cells after it have their shares
    ("notebook")."""

    seconds: int
    by: str


def cell_limit(cell_timeout: float, left: float, cells_after: int, reserve: float) -> CellLimit:
    """The limit of a cell with ``left`` seconds of the notebook's budget left and
    ``cells_after`` code cells after it, each of which keeps ``reserve`` seconds.

    >>> cell_limit(60, left=300, cells_after=11, reserve=12.5)
    CellLimit(seconds=60, by='cell')
    >>> cell_limit(60, left=60, cells_after=11, reserve=2.5)   # --notebook-timeout 60
    CellLimit(seconds=33, by='notebook')
    """
    share = left - cells_after * reserve
    if cell_timeout <= share:
        return CellLimit(max(1, math.ceil(cell_timeout)), "cell")
    return CellLimit(max(1, math.ceil(share)), "notebook")


def default_reserve(cell_timeout: float, notebook_timeout: float, code_cells: int) -> float:
    """Seconds kept for each code cell not yet run: half the notebook's budget shared by its
    code cells, at most the per-cell limit (so the shares together never exceed half of it)."""
    return min(cell_timeout, notebook_timeout / (2 * max(1, code_cells)))


class LimitedExecute(Execute):
    """nbgrader's Execute with a per-notebook time budget and survival of dead kernels."""

    notebook_timeout = Float(300.0, help="seconds for the whole notebook").tag(config=True)
    reserve = Float(None, allow_none=True, help="seconds kept for each code cell not yet run "
                    "(default: see default_reserve)").tag(config=True)
    max_restarts = Integer(2, help="kernels started again after one died, per notebook").tag(
        config=True)
    collect_limit = Integer(128 * 1024**2, help="characters of output kept in memory per cell "
                            "while it runs; the rest is dropped").tag(config=True)
    # A cell that floods its output (1 GB printed in a loop) has its reply long before the
    # kernel's output stops arriving; nbgrader would then fail the whole notebook ("Timeout
    # waiting for IOPub output"). The cell's output is cut anyway: go on to the next cell.
    raise_on_iopub_timeout = Bool(False, help="fail the notebook when a cell's output is still "
                                  "arriving after its reply").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", GradingKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
        self._deadline = time.monotonic() + self.notebook_timeout
        self._stopped: str | None = None  # why the remaining cells are not run
        self._restarts = 0
        self._collected: dict[int, int] = {}  # cell index -> characters of output received
        code = [index for index, cell in enumerate(nb.cells) if cell.cell_type == "code"]
        self._code_after = {index: len(code) - number - 1 for number, index in enumerate(code)}
        self._reserve = (self.reserve if self.reserve is not None else
                         default_reserve(self.timeout, self.notebook_timeout, len(code)))
        self._running: int | None = None  # the index of the cell being run
        self._limit: CellLimit | None = None  # and its time limit
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
            add_problem(self.nb.cells[cell_index], "output_cut")
            outs.append(NotebookNode(output_type="stream", name="stdout", text=(
                f"\n... [the rest {CUT_MARK}: it stopped collecting this cell's output "
                f"after {self.collect_limit} characters]\n")))
        return None

    def _cell_timeout(self, cell) -> int:
        """The running cell's limit in seconds (see :func:`cell_limit`)."""
        self._limit = cell_limit(self.timeout, self._deadline - time.monotonic(),
                                 self._code_after.get(self._running, 0), self._reserve)
        return self._limit.seconds

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if self._stopped is None and time.monotonic() >= self._deadline:
            self._stopped = "the notebook's time limit was used up before this cell"
        if self._stopped is not None:
            cell.outputs = [error_output("NotRun", f"not run: {self._stopped}")]
            add_problem(cell, "not_run", why=self._stopped)
            return cell, resources
        self._running, self._limit = index, None
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            out_of_cpu = self._ran_out_of_cpu()
            add_problem(cell, "cpu_limit" if out_of_cpu else "kernel_died")
            cell.outputs.append(error_output("DeadKernelError", (
                "the kernel was stopped while running this cell: it used up its CPU time (the "
                "grader's CPU limit)" if out_of_cpu else
                "the kernel died while running this cell (a crash, os._exit(), or out of "
                "memory)")))
            self._revive(index)
            return cell, resources
        if any(o.get("ename") == "CellTimeoutError" for o in cell.get("outputs", [])):
            limit = self._limit or CellLimit(int(self.timeout), "cell")
            add_problem(cell, "time_limit", seconds=limit.seconds, by=limit.by)
        else:
            student_errors(cell)
        return cell, resources

    def _ran_out_of_cpu(self) -> bool:
        """True if the kernel's exit status says the CPU limit (SIGXCPU) stopped it."""
        try:
            status = self.km.provisioner.process.poll()
        except AttributeError:
            status = None
        return status in (128 + signal.SIGXCPU, -signal.SIGXCPU)

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
    """:class:`LimitedExecute` whose kernels start inside the sandbox (autograder.sandbox),
    with the policy that the conversion's resources carry (``resources["autograder"]["policy"]``;
    without one, the default :class:`~autograder.sandbox.SandboxPolicy`)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)
        self._policy = SandboxPolicy()

    def preprocess(self, nb, resources=None, km=None):
        context = grading_context(resources)
        self._policy = context.policy or SandboxPolicy()
        self._zygote = context.zygote
        if self._zygote is not None:  # kernels forked by the grader's zygote
            self.kernel_manager_class = ForkedKernelManager
        return super().preprocess(nb, resources, km)

    def create_kernel_manager(self):
        manager = super().create_kernel_manager()
        manager.policy = self._policy
        if isinstance(manager, ForkedKernelManager):
            manager.zygote = self._zygote
        return manager


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
        self._was_cut = False
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
        if dropped or self._was_cut:
            add_problem(cell, "output_cut")
        if dropped:
            kept.append(NotebookNode(output_type="stream", name="stdout", text=(
                f"\n... [{dropped} more outputs {CUT_MARK}]\n")))
        cell.outputs = kept
        return cell, resources

    def _cut_data(self, output, limit: int) -> None:
        for mime, value in list(output.get("data", {}).items()):
            if isinstance(value, str):
                output["data"][mime] = self._cut(value, limit)

    def _cut(self, text: str, limit: int) -> str:
        if len(text) <= limit:
            return text
        self._was_cut = True
        return text[:limit] + f"\n... [{len(text) - limit} more characters {CUT_MARK}]\n"
