"""Grading a batch of submissions with nbgrader, several notebooks at once.

The steps, for one assignment and a folder of submissions (see ``python -m autograder grade``):

1. ``prepare_course``: a fresh nbgrader course directory for this run, ``OUT/nbgrader/``, with
   the assignment's source copied in and ``generate_assignment`` run, so that its gradebook
   (SQLite) knows the assignment, its cells, their points and checksums.
2. ``copy_in``: every student's gradable notebooks into ``submitted/<student>/<assignment>/``.
3. ``autograde``: nbgrader's own Autograde converter, one per student, run in a pool of worker
   threads, so that several students' kernels execute at once inside this one process (the
   kernels are separate processes; most of a notebook's wall time is spent waiting on them).
   nbgrader overwrites the test cells with the source version (so an edited or deleted test
   gives no credit), executes with time limits (:mod:`autograder.execute`), and saves the
   scores. Gradebook writes are serialized by one lock; everything else runs in parallel.
4. ``feedback``: nbgrader's GenerateFeedback, an HTML page per notebook, rendered by two
   helper processes as soon as each student is graded (pure-Python work that would otherwise
   queue behind the grading threads for the interpreter lock).
5. the scores are read back from the gradebook, and each student's problems (time limits,
   syntax errors, ``sys.exit()``, a dead kernel, missing or broken notebooks) are listed.

One student's failure never stops or changes another's grade: each student is graded by its own
converter, its exceptions are caught and reported for that student.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import os
import shutil
import sys
import threading
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import nbformat
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde, GenerateAssignment, GenerateFeedback
from nbgrader.converters.base import BaseConverter
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute, GetGrades, SaveAutoGrades
from sqlalchemy.exc import SAWarning

from autograder.coursedir import REPOSITORY, Assignment, nbgrader_config
from autograder.execute import LimitedExecute, SandboxedExecute, TruncateOutput
from autograder.gradebook_file import create_gradebook
from autograder.judge import JudgeAnswers, JudgePool, use_judges
from autograder.restore import restore_metadata
from autograder.sandbox import SandboxPolicy, require_bwrap, use_policy
from autograder.student_view import StudentView
from autograder.submissions import Submission

GRADEBOOK_LOCK = threading.Lock()  # one writer at a time in the SQLite gradebook
FEEDBACK_WORKERS = 2  # processes rendering the feedback pages (one per core here)
# A student's code cannot make nbgrader itself fail (its errors stay in its cells); what does is
# the machine (a kernel that did not start in time on an overloaded host, a busy gradebook), so
# a failed student is graded again, from scratch, before it is reported.
GRADING_RETRIES = 2


@dataclass(frozen=True)
class GradingOptions:
    """How a batch is graded, carried through the whole pipeline (``grade``'s options)."""

    workers: int = 4  # notebooks graded at the same time
    cell_timeout: float = 60.0  # seconds per cell: nbgrader's Execute.timeout, `--timeout`
    notebook_timeout: float = 300.0  # seconds per notebook, `--notebook-timeout`
    sandbox: bool = True  # run each kernel in bubblewrap (autograder.sandbox)
    policy: SandboxPolicy | None = None  # the sandbox's limits (default SandboxPolicy())
    max_output: int = 20_000  # characters kept of each cell's output
    feedback: bool = True  # render nbgrader's HTML feedback pages


@dataclass
class StudentResult:
    """What the batch found for one student."""

    student_id: str
    score: float = 0.0
    max_score: float = 0.0
    problems: list[str] = field(default_factory=list)
    graded: bool = False  # at least one notebook went through nbgrader
    sandboxed: bool = True  # its kernels ran in the sandbox
    name: str | None = None  # as the submission's export gives them (None: not given)
    late: bool | None = None
    submitted_at: datetime | None = None

    @property
    def status(self) -> str:
        if not self.graded:
            return "not graded"
        status = "graded with problems" if self.problems else "graded"
        return status if self.sandboxed else f"{status} (unsandboxed)"


def use_this_environment() -> None:
    """Kernels and nbgrader's helper programs (alembic) come from this Python environment."""
    # nbgrader's gradebook code triggers a harmless SQLAlchemy warning on every submission.
    warnings.filterwarnings("ignore", category=SAWarning)
    bin_dir = str(Path(sys.executable).parent)
    if not os.environ.get("PATH", "").startswith(bin_dir + os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    # nbgrader's converter sets this for every notebook and removes it afterwards, which is not
    # safe with threads; it is set once here for the whole run instead.
    os.environ["NBGRADER_EXECUTION"] = "autograde"
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices, many kernels at once


# ---------------------------------------------------------------------------------------------
# nbgrader, made safe for threads
# ---------------------------------------------------------------------------------------------
class LockedSaveAutoGrades(SaveAutoGrades):
    """nbgrader's SaveAutoGrades, one thread at a time."""

    def preprocess(self, nb, resources):
        with GRADEBOOK_LOCK:
            return super().preprocess(nb, resources)


class ThreadSafeAutograde(Autograde):
    """nbgrader's Autograde for one student, safe to run beside others in threads."""

    def init_assignment(self, assignment_id: str, student_id: str) -> None:
        with GRADEBOOK_LOCK:  # creates the student and the submission in the gradebook
            super().init_assignment(assignment_id, student_id)

    def convert_single_notebook(self, notebook_filename: str) -> None:
        # Autograde's own version wraps the second pass in utils.setenv(), which changes
        # os.environ for the whole process; use_this_environment() sets it once instead.
        self._sanitizing = True
        self._init_preprocessors()
        BaseConverter.convert_single_notebook(self, notebook_filename)
        built = os.path.join(self.writer.build_directory, os.path.basename(notebook_filename))
        self._sanitizing = False
        self._init_preprocessors()
        try:
            BaseConverter.convert_single_notebook(self, built)
        finally:
            self._sanitizing = True


def _thread_safe(preprocessors: list, sandbox: bool) -> list:
    """nbgrader's autograde steps, with our Execute (sandboxed or not), an output size limit,
    and the locked SaveAutoGrades."""
    execute = SandboxedExecute if sandbox else LimitedExecute
    steps = []
    for step in preprocessors:
        if step is Execute:
            steps += [execute, JudgeAnswers, TruncateOutput]
        elif step is SaveAutoGrades:
            steps.append(LockedSaveAutoGrades)
        else:
            steps.append(step)
    return steps


# ---------------------------------------------------------------------------------------------
# The steps
# ---------------------------------------------------------------------------------------------
def prepare_course(assignment: Assignment, course_root: Path) -> None:
    """A fresh course directory for this run, with the assignment generated into its gradebook."""
    if course_root.exists():
        shutil.rmtree(course_root)
    shutil.copytree(assignment.source_dir, course_root / "source" / assignment.name)
    create_gradebook(course_root / "gradebook.db")
    config = nbgrader_config(course_root)
    config.CourseDirectory.assignment_id = assignment.name
    config.GenerateAssignment.force = True
    config.GenerateAssignment.create_assignment = True
    coursedir = CourseDirectory(config=config)
    GenerateAssignment(coursedir=coursedir, config=config).start()


def copy_in(submission: Submission, assignment: Assignment, course_root: Path) -> list[str]:
    """Copy a student's gradable notebooks into the run's ``submitted/`` folder, with their
    nbgrader metadata restored from the release (:func:`autograder.restore.restore_metadata`);
    return the problems met restoring it, each naming its notebook."""
    target = course_root / "submitted" / submission.student_id / assignment.name
    target.mkdir(parents=True, exist_ok=True)
    problems = []
    for name, path in submission.notebooks.items():
        released = course_root / "release" / assignment.name / f"{name}.ipynb"
        with warnings.catch_warnings():  # nbformat's notes on duplicate cell ids it repairs
            warnings.simplefilter("ignore")
            notebook = nbformat.read(path, as_version=4)
        if released.exists():
            notebook, found = restore_metadata(notebook, nbformat.read(released, as_version=4))
            problems += [f"{name}.ipynb: {problem}" for problem in found]
        nbformat.write(notebook, target / f"{name}.ipynb")
    return problems


def autograde_student(student_id: str, assignment: Assignment, course_root: Path,
                      options: GradingOptions) -> None:
    """Run nbgrader's Autograde for one student (raises if nbgrader could not grade it)."""
    config = nbgrader_config(course_root)
    config.CourseDirectory.assignment_id = assignment.name
    config.CourseDirectory.student_id = student_id
    config.Autograde.force = True
    config.Autograde.create_student = True
    config.Execute.timeout = int(max(1, options.cell_timeout))
    config.LimitedExecute.timeout = int(max(1, options.cell_timeout))
    config.LimitedExecute.notebook_timeout = float(options.notebook_timeout)
    config.TruncateOutput.max_chars = int(options.max_output)
    converter = ThreadSafeAutograde(coursedir=CourseDirectory(config=config), config=config)
    converter.autograde_preprocessors = _thread_safe(converter.autograde_preprocessors,
                                                     options.sandbox)
    converter.start()


_FEEDBACK_CONVERTERS: dict[tuple[str, str], GenerateFeedback] = {}


def generate_feedback(assignment: Assignment, course_root: Path, student_id: str) -> None:
    """nbgrader's HTML feedback for one student's autograded notebooks, without the hidden
    tests (:mod:`autograder.student_view`).

    The converter is kept (one per process and course) and reused for the next student, so
    that its HTML template is compiled once.
    """
    key = (str(course_root), assignment.name)
    converter = _FEEDBACK_CONVERTERS.get(key)
    if converter is None:
        config = nbgrader_config(course_root)
        config.CourseDirectory.assignment_id = assignment.name
        config.GenerateFeedback.force = True
        # students receive these pages: the hidden tests are taken out (autograder.student_view)
        config.GenerateFeedback.preprocessors = [GetGrades, StudentView,
                                                 CSSHTMLHeaderPreprocessor]
        converter = GenerateFeedback(coursedir=CourseDirectory(config=config), config=config)
        _FEEDBACK_CONVERTERS[key] = converter
    converter.coursedir.student_id = student_id
    converter.start()


def _start_feedback_workers(count: int) -> ProcessPoolExecutor:
    """Processes that render feedback pages beside this one.

    Rendering HTML is pure Python: in this process it would wait for the interpreter lock held
    by the grading threads, so it runs in ``count`` processes of its own, started early so that
    their imports overlap with the gradebook's preparation.

    They are started fresh ("spawn"), not forked: a fork copies this process as it is, and a
    thread of the caller's (a notebook's, a test's) that holds an import lock at that moment
    leaves the copy waiting for that lock forever.
    """
    pool = ProcessPoolExecutor(max_workers=count, mp_context=mp.get_context("spawn"),
                               initializer=_feedback_worker_setup)
    for _ in range(count):
        pool.submit(_feedback_worker_setup)
    return pool


def _render_feedback(pool: ProcessPoolExecutor, assignment: Assignment, course_root: Path,
                     student_id: str):
    """Hand one student's feedback to the pool; if the pool is unusable, render it here."""
    try:
        return pool.submit(generate_feedback, assignment, course_root, student_id)
    except RuntimeError:  # BrokenProcessPool, or a pool already shut down
        generate_feedback(assignment, course_root, student_id)
        return None


def _feedback_worker_setup() -> None:
    logging.getLogger("traitlets").setLevel(logging.CRITICAL)
    use_this_environment()
    import nbgrader.converters  # noqa: F401 (imported once, before the work arrives)


def problems_in_notebook(path: Path) -> list[str]:
    """The problems found while grading a notebook, in plain words, made from the records
    that the grading steps left where they found them (each cell's
    ``metadata.autograder.found``, see :func:`autograder.execute.add_problem`)."""
    notebook = nbformat.read(path, as_version=4)
    problems: list[str] = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        where = f"cell {index}"
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id:
            where += f" ({grade_id})"
        for record in cell.metadata.get("autograder", {}).get("found", []):
            if record.get("kind") == "not_run" and any(" were not run: " in p for p in problems):
                continue  # said once, at the first cell that was not run
            problems.append(describe_problem(record, where))
    return problems


def describe_problem(record: dict, where: str) -> str:
    """One problem record (see :func:`problems_in_notebook`) in plain words."""
    kind, message = record.get("kind"), record.get("message", "")
    if kind == "time_limit":
        limit = ("the per-cell limit, --timeout" if record.get("by") == "cell" else
                 "what was left of the notebook's limit, --notebook-timeout, after the time "
                 "kept for the cells after it")
        return (f"time limit: {where} was stopped after {record.get('seconds')} s ({limit}); "
                "an infinite loop?")
    sentences = {
        "syntax_error": f"syntax error in {where}: {message}",
        "sys_exit": f"sys.exit() was called in {where}",
        "cpu_limit": f"CPU time limit: the kernel used up its CPU time in {where}; the cells "
                     "after it ran in a new kernel",
        "kernel_died": f"the kernel died in {where} (a crash, os._exit() or out of memory); "
                       "the cells after it ran in a new kernel",
        "not_run": f"{where} and the cells after it were not run: {record.get('why', '')}",
        "interrupted": f"{where} was interrupted",
        "out_of_memory": f"out of memory in {where} (the grader's memory limit)",
        "file_too_large": f"{where} wrote a file larger than the grader's limit",
        "process_limit": f"{where} hit the grader's limit on processes",
        "output_cut": f"output limit: the output of {where} was cut (it printed more than the "
                      "grader keeps)",
        "reads_tests": f"{where}: {message}",
        "judge_error": f"{where}: the grader could not score this test ({message}); scored 0, "
                       "please report this to the course's maintainers",
    }
    return sentences.get(kind, f"{where}: {message or kind}")


def grade_submissions(
    assignment: Assignment,
    submissions: list[Submission],
    course_root: Path,
    options: GradingOptions = GradingOptions(),
    on_done: Callable[[str], None] | None = None,
    timings: dict[str, float] | None = None,
) -> list[StudentResult]:
    """Grade every submission; return one result per student, in the submissions' order.

    ``options`` (:class:`GradingOptions`): the time limits, the number of notebooks at once,
    the sandbox (each kernel runs in bubblewrap with ``options.policy``'s limits; the folders
    that hold solutions, gradebooks and other students' work are hidden from it), the output
    kept, and whether feedback pages are rendered (tests that read only the scores and the
    graded notebooks skip them). ``on_done`` is called with each student's id when graded;
    ``timings``, if given, receives when each stage ended (prepare, autograde, feedback), in
    seconds since the start.
    """
    if options.sandbox:
        require_bwrap()
        use_policy(_policy_for(course_root, assignment, options.policy or SandboxPolicy(),
                               submissions))
    # nbgrader's converters chdir into the course root and back; with several at once in
    # threads the last one can leave the process there, so the caller's folder is restored.
    with _keep_working_directory():
        return _grade_submissions(assignment, submissions, course_root, options, on_done,
                                  timings)


def _policy_for(course_root: Path, assignment: Assignment, policy: SandboxPolicy,
                submissions: list[Submission] = ()) -> SandboxPolicy:
    """The policy with what a student's kernel must not see: this run's folder (other
    students, the gradebook), the solutions, earlier grading runs of this repository, and the
    folders the submissions were read from (every student's work, wherever the lecturer keeps
    it: ``/srv/course/submitted``, an LMS download)."""
    run_folder = course_root.resolve().parent
    solutions = assignment.source_dir.resolve().parent
    hidden = {str(run_folder), str(solutions), str(REPOSITORY / "solutions"),
              str(REPOSITORY / "grades"), str(REPOSITORY / "demo"),
              str(REPOSITORY / "submitted"), str(REPOSITORY / "autograded"),
              str(REPOSITORY / "feedback")}
    hidden |= _submission_folders(submissions)
    files = {str(REPOSITORY / "gradebook.db"), str(solutions.parent / "gradebook.db")}
    return SandboxPolicy(policy.memory_bytes, policy.file_size_bytes, policy.cpu_seconds,
                         policy.max_processes,
                         tuple(sorted(hidden | set(policy.hidden))),
                         tuple(sorted(files | set(policy.hidden_files))))


def _submission_folders(submissions: list[Submission]) -> set[str]:
    """The folders that hold the submissions: for each, the folder holding its own (its
    classmates' work too), or its own where that one holds Python or this repository (which
    a kernel needs; the sandbox would hide them with the rest); outermost only, so that the
    hidden folders' names appear nowhere (an empty folder mounted inside another would show
    the class list)."""
    needed = [Path(p).resolve() for p in (sys.prefix, sys.base_prefix, REPOSITORY)]

    def hideable(folder: Path) -> bool:
        return folder.parent != folder and not any(p.is_relative_to(folder) for p in needed)

    chosen = set()
    for submission in submissions:
        own = submission.folder.resolve()
        chosen |= {f for f in (own.parent, own) if hideable(f)}
    return {str(f) for f in chosen if not any(f != other and f.is_relative_to(other)
                                              for other in chosen)}


@contextlib.contextmanager
def _keep_working_directory():
    folder = os.getcwd()
    try:
        yield
    finally:
        os.chdir(folder)


def _grade_submissions(assignment, submissions, course_root, options: GradingOptions, on_done,
                       timings) -> list[StudentResult]:
    if timings is not None:
        timings["_start"] = time.perf_counter()
    use_this_environment()
    feedback_pool = _start_feedback_workers(FEEDBACK_WORKERS) if options.feedback else None
    prepare_course(assignment, course_root)
    _mark(timings, "prepare")
    results = {s.student_id: StudentResult(s.student_id, problems=list(s.problems),
                                           sandboxed=options.sandbox, name=s.name, late=s.late,
                                           submitted_at=s.submitted_at)
               for s in submissions}
    gradable = [s for s in submissions if s.notebooks]
    for submission in gradable:
        results[submission.student_id].problems += copy_in(submission, assignment, course_root)
    judges = [JudgePool(course_root / "source" / assignment.name / f"{name}.ipynb",
                        timeout=options.cell_timeout)
              for name in assignment.notebooks]
    use_judges(judges)
    try:
        _autograde_all(assignment, submissions, gradable, course_root, results, options,
                       on_done, timings, feedback_pool)
    finally:
        for pool in judges:
            pool.close()
    _read_scores(assignment, course_root, results)
    return [results[s.student_id] for s in submissions]


def _autograde_all(assignment, submissions, gradable, course_root, results,
                   options: GradingOptions, on_done, timings, feedback_pool) -> None:
    """Autograde every gradable submission in worker threads; render feedback as each ends
    (unless ``feedback_pool`` is None: no feedback wanted)."""

    def grade_one(submission: Submission) -> None:
        result = results[submission.student_id]
        failures = []
        for _attempt in range(1 + GRADING_RETRIES):
            try:
                autograde_student(submission.student_id, assignment, course_root, options)
                result.graded = True
                return
            except Exception as error:  # noqa: BLE001 (reported for this student only)
                failures.append(f"{type(error).__name__}: {str(error)[:200]}")
        result.problems.append(f"nbgrader could not grade this submission ({len(failures)} "
                               f"attempts): {failures[-1]}")

    feedback = {}  # student -> its feedback page being rendered, as soon as it is graded
    with ThreadPoolExecutor(max_workers=max(1, options.workers)) as pool:
        futures = {pool.submit(grade_one, s): s.student_id for s in gradable}
        for future in as_completed(futures):
            future.result()
            student_id = futures[future]
            if results[student_id].graded and feedback_pool is not None:
                feedback[student_id] = _render_feedback(feedback_pool, assignment,
                                                        course_root, student_id)
            if on_done:
                on_done(student_id)
    for submission in submissions:
        if not submission.notebooks and on_done:
            on_done(submission.student_id)
    _mark(timings, "autograde")

    for student_id, page in feedback.items():
        try:
            if page is not None:
                page.result()
        except Exception as error:  # the grade stands; say that the page is missing
            results[student_id].problems.append(
                f"no feedback page: {type(error).__name__}: {str(error)[:200]}")
    if feedback_pool is not None:
        feedback_pool.shutdown()
    _mark(timings, "feedback")


def _mark(timings: dict[str, float] | None, stage: str) -> None:
    """Record when a stage ended (seconds since the run started) if timings are wanted."""
    if timings is not None:
        timings[stage] = time.perf_counter() - timings.setdefault("_start", time.perf_counter())


def _read_scores(assignment: Assignment, course_root: Path,
                 results: dict[str, StudentResult]) -> None:
    db_url = f"sqlite:///{course_root / 'gradebook.db'}"
    with Gradebook(db_url) as gradebook:
        max_score = gradebook.find_assignment(assignment.name).max_score
        for student_id, result in results.items():
            result.max_score = max_score
            if not result.graded:
                continue
            try:
                submission = gradebook.find_submission(assignment.name, student_id)
            except MissingEntry:
                result.graded = False
                continue
            result.score = round(submission.score, 2)
            for notebook in assignment.notebooks:
                path = (course_root / "autograded" / student_id / assignment.name /
                        f"{notebook}.ipynb")
                if path.exists():
                    result.problems += problems_in_notebook(path)
