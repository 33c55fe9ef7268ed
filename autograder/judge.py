"""Scores that a student's own code cannot change: recorded answers, judged in another kernel.

A test cell runs in the student's kernel, after the student's code: anything in that kernel
can have been replaced by then (``numpy.allclose``, ``math.isclose``, the test helpers, the
reference functions, even the number the cell prints). So when the grader grades, nothing in
that kernel decides a score:

1. **Record** (the student's kernel, in the sandbox, ``AUTOGRADER_MODE=record``): every
   ``grade_cases`` call runs only the student's function on its cases and publishes what came
   back, as data (:mod:`autograder.answers`), in the test cell's output. No reference value is
   ever computed there, so there is none for the student's code to read.
2. **Judge** (this module; a kernel of the grader's own that never runs student code,
   ``AUTOGRADER_MODE=judge``): it runs the assignment's source notebook, with every answer cell
   left out (the names they define raise if a test calls them), and then, for each test cell,
   the cell's own code again with the student's recorded returns in place of calls to the
   student's function (:func:`autograder.checks.replay`). References, comparisons, custom
   checks, partial credit and the printed report all happen here, with pristine libraries.
3. The student's test cell gets the judge's outputs (report and score) in place of its own;
   nbgrader then reads the score from them as usual. An error in the student's test cell
   (a time limit, a crash) is kept, so that cell still scores 0, as nbgrader would have it.

Forging a record gains nothing: a record only says what the student's function returned, and
it scores only if those values are right. What the design does not stop is an answer that gets
the right values from elsewhere in its own kernel, e.g. by calling a library function it was
told not to use, or a helper of the tests through the call stack;
:func:`autograder.peeking.reads_the_tests` flags the plain ways of doing so in the answer cells'
source (see ``autograder/README.md``).

One judge kernel serves one grading thread at a time; a pool keeps one per worker for the whole
batch, so the source notebook's setup runs once per worker, and each reference value is
computed once per kernel (the cases come from fixed seeds; every case's value is computed, in
order, whatever the student did, so no kept value depends on a student). The verdict of every
``grade_cases`` call is kept as data in the graded cell's ``metadata.autograder.results``.
"""

from __future__ import annotations

import ast
import json
import os
import queue
import subprocess
import tempfile
import threading
from pathlib import Path

import nbformat
from jupyter_client.manager import start_new_kernel
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade, is_solution

from autograder import answers
from autograder.checks import MODE_VARIABLE
from autograder.execute import add_problem, error_output, grading_context
from autograder.hidden_tests import hidden_tests_line
from autograder.peeking import reads_the_tests

JUDGE_ERROR = "GraderError"  # ename of an output that says the judge could not score a cell
READS_THE_TESTS = "AnswerReadsTheTests"  # ename of an output that says why an answer scores 0


def is_test_cell(cell) -> bool:
    """An autograded test cell: graded code that is not the student's to write."""
    return cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)


def is_answer_cell(cell) -> bool:
    """A cell of code the student writes."""
    return cell.cell_type == "code" and is_solution(cell)


def defined_names(source: str) -> list[str]:
    """The names a cell's top level defines (functions, classes, assignments, imports)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names += [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names += [(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"]
    return names


class JudgeKernel:
    """A kernel with the source notebook's setup run and its answer cells left out. A cell
    that calls the student's functions outside the tests (a demonstration of what they do)
    stops where it calls them: the judge has no student code, and no score depends on it."""

    def __init__(self, source: Path, timeout: float) -> None:
        self.source = source
        self.timeout = timeout
        self.notebook = nbformat.read(source, as_version=4)
        env = dict(os.environ, **{MODE_VARIABLE: "judge"})
        self.manager, self.client = start_new_kernel(
            kernel_name="python3", cwd=str(source.parent), env=env,
            extra_arguments=["--HistoryManager.hist_file=:memory:"],  # no shared history file
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, startup_timeout=120)
        for cell in self.notebook.cells:
            if cell.cell_type != "code" or is_test_cell(cell):
                continue
            if is_answer_cell(cell):
                code = "".join(f"{name} = __import__('autograder.checks').checks."
                               f"StudentCodeNotHere({name!r})\n"
                               for name in defined_names(cell.source))
            else:
                code = cell.source
            outputs = self.run(code)
            errors = [o for o in outputs if o.output_type == "error"
                      and o.ename != "StudentCodeCalled"]  # a demonstration of the answers
            if errors:
                self.close()
                raise RuntimeError(f"the judge could not run the setup of {source.name}: "
                                   f"{errors[0].ename}: {errors[0].evalue}")

    def run(self, code: str, user_expressions: dict[str, str] | None = None
            ) -> list[NotebookNode]:
        """Execute ``code``; its outputs as notebook outputs (raises TimeoutError). The values
        of ``user_expressions``, evaluated after the code, are kept in ``self.expressions``."""
        outputs: list[NotebookNode] = []

        def keep(message: dict) -> None:
            kind = message["header"]["msg_type"]
            if kind in ("stream", "execute_result", "display_data", "error"):
                outputs.append(nbformat.v4.output_from_msg(message))

        reply = self.client.execute_interactive(
            code, timeout=self.timeout, output_hook=keep, allow_stdin=False,
            store_history=True, user_expressions=user_expressions or {})
        self.expressions = reply.get("content", {}).get("user_expressions", {})
        return outputs

    def judge_cell(self, cell: NotebookNode, records: list[dict], note: str,
                   records_file: Path) -> tuple[list[NotebookNode], list[dict]]:
        """The outputs of test ``cell`` run with the student's ``records``, and the verdict of
        each of its grade_cases calls as data (name, points, score, cases passed, and whether
        the call is one of the visible tests)."""
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        records_file.write_text(json.dumps(records), encoding="utf-8")
        hidden = hidden_tests_line(cell.source)
        # one round trip: the replay's line, then the cell (whose last value stays the score)
        outputs = self.run(
            f"__import__('autograder.checks').checks.replay({grade_id!r}, "
            f"{str(records_file)!r}, {note!r}, {None if hidden is None else hidden + 1})\n"
            + cell.source,
            user_expressions={"results": "__import__('autograder.checks').checks."
                                         "replay_results()"})
        return outputs, _results_from(self.expressions.get("results", {}))

    def alive(self) -> bool:
        return self.manager.is_alive()

    def close(self) -> None:
        try:
            self.client.stop_channels()
        finally:
            self.manager.shutdown_kernel(now=True)


def _results_from(expression: dict) -> list[dict]:
    """The verdicts that ``replay_results()`` returned (a JSON string, as the kernel shows
    it), or none if the cell did not get that far."""
    if expression.get("status") != "ok":
        return []
    try:
        return json.loads(ast.literal_eval(expression["data"]["text/plain"]))
    except (KeyError, ValueError, SyntaxError, TypeError):
        return []


class JudgePool:
    """Judge kernels for one source notebook, each used by one thread at a time (so at most as
    many as grading threads); started when first needed and closed by :meth:`close`."""

    def __init__(self, source: Path, timeout: float) -> None:
        self.source, self.timeout = source, timeout
        notebook = nbformat.read(source, as_version=4)
        self.tests = [c for c in notebook.cells if is_test_cell(c)]  # in the notebook's order
        self.test_names = {n for c in self.tests for n in defined_names(c.source)}
        self._idle: queue.SimpleQueue[JudgeKernel] = queue.SimpleQueue()
        self._all: list[JudgeKernel] = []
        self._lock = threading.Lock()

    def acquire(self) -> JudgeKernel:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            judge = JudgeKernel(self.source, self.timeout)
            with self._lock:
                self._all.append(judge)
            return judge

    def release(self, judge: JudgeKernel) -> None:
        if judge.alive():
            self._idle.put(judge)
        else:
            self.discard(judge)

    def discard(self, judge: JudgeKernel) -> None:
        with self._lock:
            if judge in self._all:
                self._all.remove(judge)
        judge.close()

    def close(self) -> None:
        with self._lock:
            judges, self._all = self._all, []
        for judge in judges:
            try:
                judge.close()
            except Exception:  # noqa: BLE001 (a kernel already gone)
                pass


# ---------------------------------------------------------------------------------------------
# The nbgrader step
# ---------------------------------------------------------------------------------------------
def _records(cell: NotebookNode) -> tuple[list[dict], list[tuple[str, str]]]:
    """The answers recorded in a test cell's outputs, one per grade_cases call, and what the
    lecturer should hear about them, as (kind, sentence) pairs.

    A call recorded twice (something in the student's code published records of its own) is
    replaced by a no-credit record.
    """
    by_call: dict[int, dict] = {}
    notes: list[tuple[str, str]] = []
    for output in cell.get("outputs", []):
        text = output.get("data", {}).get(answers.MIME_TYPE)
        if output.get("output_type") != "display_data" or not isinstance(text, str):
            continue
        try:
            record = answers.loads(text)
        except (ValueError, RecursionError):  # not a record (or a forged, absurdly deep one)
            continue
        call = record.get("call")
        if not isinstance(call, int):
            continue
        replaced = record.get("replaced")
        if isinstance(replaced, list) and replaced:
            notes.append(("replaced_functions", "the student's code replaced "
                          + ", ".join(map(str, replaced[:12])) + " before the tests ran (no "
                          "effect on the score: answers are compared outside the student's "
                          "kernel)"))
        if call in by_call:
            record = {"call": call, "no_credit_kind": "recorded_twice", "no_credit": (
                f"{record.get('name', 'this test')}: no credit: its answers were recorded "
                "twice (did your code publish outputs of its own?)")}
            notes.append(("recorded_twice", "answers recorded twice: the student's code "
                          "published records of its own; no credit for that test"))
        by_call[call] = record
    return list(by_call.values()), notes


def _score_of(outputs: list[NotebookNode]) -> str | None:
    for output in outputs:
        if output.get("output_type") == "execute_result":
            text = output.get("data", {}).get("text/plain", "")
            try:
                float(text)
                return text
            except ValueError:
                return None
    return None


class JudgeAnswers(NbGraderPreprocessor):
    """Replace every test cell's outputs by the judge's verdict on the recorded answers."""

    def preprocess(self, nb, resources):
        judges = grading_context(resources).judges
        pool = judges.get(resources.get("nbgrader", {}).get("notebook", ""))
        if pool is None:
            raise RuntimeError("no judge for this notebook: grade with autograder.unit.Grader")
        self.judge_notebook(nb, pool)
        return nb, resources

    def judge_notebook(self, nb, pool: JudgePool) -> None:
        """Judge every test cell of ``nb`` (executed in record mode) with ``pool``'s kernels."""
        cells = {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if is_test_cell(c)}
        unfair = self._answers_that_read_the_tests(nb, pool.test_names)
        judge = pool.acquire()
        try:
            with tempfile.TemporaryDirectory(prefix="nn-course-judge-") as folder:
                for test in pool.tests:
                    grade_id = test.metadata["nbgrader"]["grade_id"]
                    if grade_id in cells:
                        judge = self._judge(pool, judge, test, cells[grade_id],
                                            unfair.get(grade_id), Path(folder))
        finally:
            pool.release(judge)

    @staticmethod
    def _answers_that_read_the_tests(nb, test_names: set[str]) -> dict[str, str]:
        """test grade_id -> why its exercise gets no credit (its answer reads the tests)."""
        unfair = {}
        for cell in nb.cells:
            if is_answer_cell(cell):
                found = reads_the_tests(cell.source, test_names)
                if found:
                    grade_id = cell.metadata["nbgrader"]["grade_id"]
                    unfair["test_" + grade_id] = (
                        f"no credit: the answer in {grade_id} uses {', '.join(found)}; answers "
                        "must compute their results, not read them from the tests")
        return unfair

    def _judge(self, pool: JudgePool, judge: JudgeKernel, test: NotebookNode,
               cell: NotebookNode, unfair: str | None, folder: Path) -> JudgeKernel:
        """Judge one test cell (return the judge kernel to use next: a new one after a
        failure)."""
        student_errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        records, notes = _records(cell)
        if not records and not student_errors:
            notes.append(("nothing_recorded", "no answers were recorded: the student's code "
                          "stopped the tests from recording (it replaced or disabled them); no "
                          "credit"))
        for kind, sentence in notes:
            add_problem(cell, kind, message=sentence)
        if unfair:
            add_problem(cell, "reads_tests", message=unfair)
            cell.outputs = [*student_errors, error_output(READS_THE_TESTS, unfair)]
            return judge
        note = ""
        if student_errors:
            note = (f"in your notebook this test stopped with {student_errors[0].get('ename')}: "
                    f"{str(student_errors[0].get('evalue', ''))[:300]}")
        try:
            outputs, results = judge.judge_cell(
                test, records, note, folder / f"{test.metadata['nbgrader']['grade_id']}.json")
            cell.metadata.setdefault("autograder", {})["results"] = results
            failed = next((o for o in outputs if o.output_type == "error"), None)
            reason = f"{failed.ename}: {failed.evalue}" if failed else None
            if reason is None and _score_of(outputs) is None:
                reason = "the test cell's last value is not a score"
        except Exception as error:  # a time limit or a dead judge: start a fresh one
            outputs, reason = [], f"{type(error).__name__}: {error}"
            pool.discard(judge)
            judge = pool.acquire()
        if reason is not None:
            add_problem(cell, "judge_error", message=reason[:300])
            outputs = [o for o in outputs if o.output_type == "stream"]
            outputs.append(error_output(JUDGE_ERROR, f"the grader could not score this test "
                                                     f"({reason[:300]})"))
        for output in outputs:
            if output.output_type == "execute_result":
                output.execution_count = cell.get("execution_count")
        cell.outputs = [*student_errors, *outputs]
        return judge
