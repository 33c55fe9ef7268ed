"""Grading a batch of submissions with nbgrader: the coordinator.

The steps, for one assignment and a folder of submissions (see ``python -m autograder grade``):

1. ``prepare_course``: a fresh nbgrader course directory for this run, ``OUT/nbgrader/``, with
   the assignment's source copied in and ``generate_assignment`` run, so that its gradebook
   (SQLite) knows the assignment, its cells, their points and checksums; packed into a
   :class:`~autograder.unit.CourseTemplate` for whoever grades.
2. ``copy_in``: every student's gradable notebooks into ``submitted/<student>/<assignment>/``,
   their nbgrader metadata restored; each student becomes a :class:`~autograder.unit.StudentJob`.
3. grading: each job is graded by a :class:`~autograder.unit.Grader`, as a unit of work that
   returns the graded notebooks as data. By default in this process, ``options.workers``
   students at a time in threads (the kernels are separate processes; most of a notebook's
   wall time is spent waiting on them); with a cluster, on Dask workers
   (:mod:`autograder.cluster`), where no student code ever runs on this machine.
4. recording, in this process alone, as each student's grade arrives: the graded notebooks are
   saved into the run's gradebook by nbgrader's SaveAutoGrades (:func:`autograder.recording.
   record_grades`), and the student is written to the run's journal (``graded.jsonl``), from
   which ``grade --resume`` continues an interrupted run.
5. ``feedback``: nbgrader's GenerateFeedback, an HTML page per notebook, rendered by two
   helper processes as soon as each student is recorded (:mod:`autograder.feedback_pages`).
6. the scores are read back from the gradebook, and each student's problems (time limits,
   syntax errors, ``sys.exit()``, a dead kernel, missing or broken notebooks) are listed.

One student's failure never stops or changes another's grade: each student is graded by its own
converter, its exceptions are caught and reported for that student.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory

from autograder.converters import GenerateAssignmentKeepingDirectory
from autograder.coursedir import REPOSITORY, Assignment, SetupError, nbgrader_config
from autograder.execute import GradingContext
from autograder.feedback_pages import FEEDBACK_WORKERS, render_feedback, start_feedback_workers
from autograder.gradebook_file import create_gradebook
from autograder.grades_columns import GRADED, GRADED_WITH_PROBLEMS, NOT_GRADED, UNSANDBOXED
from autograder.recording import RunGradebook, record_grades
from autograder.restore import restore_metadata
from autograder.sandbox import SandboxPolicy, require_bwrap, require_working_sandbox
from autograder.submissions import Submission
from autograder.unit import (
    GRADING_RETRIES,
    CourseTemplate,
    Grader,
    GradersGone,
    GradingOptions,
    StudentGrade,
    StudentJob,
    use_this_environment,
)

__all__ = ["GRADING_RETRIES", "GradingOptions", "GradingStopped", "StudentResult",
           "grade_submissions", "use_this_environment"]

JOURNAL = "graded.jsonl"  # in the run's course directory: who is graded, for --resume
TEMPLATE = "template.tar.gz"  # the prepared course, as the graders received it


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
            return NOT_GRADED
        status = GRADED_WITH_PROBLEMS if self.problems else GRADED
        return status if self.sandboxed else status + UNSANDBOXED


class GradingStopped(Exception):
    """The batch stopped before every student was graded (the coordinator was interrupted, or
    the cluster went away); what was graded is kept in the run's folder, and
    ``grade ... --resume`` grades the others."""

    def __init__(self, why: str, graded: int, total: int) -> None:
        super().__init__(f"{why}; {graded} of {total} students are graded and kept: run the "
                         "same command with --resume to grade the others")
        self.why, self.graded, self.total = why, graded, total


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
    GenerateAssignmentKeepingDirectory(coursedir=coursedir, config=config).start()


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


def job_for(submission: Submission, assignment: Assignment, course_root: Path) -> StudentJob:
    """The unit of work of one student: the notebooks that :func:`copy_in` wrote."""
    folder = course_root / "submitted" / submission.student_id / assignment.name
    return StudentJob(submission.student_id,
                      {name: (folder / f"{name}.ipynb").read_bytes()
                       for name in submission.notebooks})


def source_digest(assignment: Assignment) -> str:
    """A digest of the assignment's source files (a resumed run must grade the same one)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in assignment.source_dir.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(assignment.source_dir)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


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
    options: GradingOptions | None = None,
    on_done: Callable[[str], None] | None = None,
    timings: dict[str, float] | None = None,
    cluster=None,
    resume: bool = False,
) -> list[StudentResult]:
    """Grade every submission; return one result per student, in the submissions' order.

    ``options`` (:class:`GradingOptions`; default ``GradingOptions()``): the time limits, the
    number of notebooks at once, the sandbox (each kernel runs in bubblewrap with
    ``options.policy``'s limits; the folders that hold solutions, gradebooks and other
    students' work are hidden from it), the output kept, and whether feedback pages are
    rendered (tests that read only the scores and the graded notebooks skip them).
    ``on_done`` is called with each student's id when graded; ``timings``, if given, receives
    when each stage ended (prepare, autograde, feedback), in seconds since the start.

    ``cluster`` (an :class:`autograder.cluster.ClusterSpec`): grade on a Dask cluster instead
    of in this process. ``resume``: continue the interrupted run in ``course_root`` (the
    students in its journal are kept as they are, the others are graded).

    Raises :class:`GradingStopped` if the batch is interrupted (Ctrl-C, a cluster that went
    away): what was graded is kept, for ``resume``.
    """
    options = options or GradingOptions()
    if options.sandbox and cluster is None:
        require_bwrap()
        require_working_sandbox()
    options = _with_hidden_folders(options, course_root, assignment, submissions)
    return _grade_submissions(assignment, submissions, course_root, options, on_done,
                              timings, cluster, resume)


def _with_hidden_folders(options: GradingOptions, course_root: Path, assignment: Assignment,
                         submissions: list[Submission]) -> GradingOptions:
    """``options`` whose sandbox policy also hides what a student's kernel must not see on
    this machine: this run's folder (other students, the gradebook), the solutions, and the
    folders the submissions were read from (every student's work, wherever the lecturer keeps
    it: ``/srv/course/submitted``, an LMS download). Each grader adds its own folders."""
    policy = options.policy or SandboxPolicy()
    run_folder = course_root.resolve().parent
    solutions = assignment.source_dir.resolve().parent
    hidden = {str(run_folder), str(solutions)} | _submission_folders(submissions)
    files = {str(solutions.parent / "gradebook.db")}
    policy = replace(policy, hidden=tuple(sorted(hidden | set(policy.hidden))),
                     hidden_files=tuple(sorted(files | set(policy.hidden_files))))
    return replace(options, policy=policy)


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


# ---------------------------------------------------------------------------------------------
# The run: prepared (or resumed), graded, recorded
# ---------------------------------------------------------------------------------------------
def _grade_submissions(assignment, submissions, course_root, options: GradingOptions, on_done,
                       timings, cluster, resume) -> list[StudentResult]:
    if timings is not None:
        timings["_start"] = time.perf_counter()
    use_this_environment()
    feedback_pool = (start_feedback_workers(FEEDBACK_WORKERS, assignment, course_root,
                                            cluster=cluster is not None)
                     if options.feedback else None)
    connection = _early_connection(cluster, options)  # its workers start while we prepare
    try:
        journal = _open_run(assignment, course_root, resume)
        _mark(timings, "prepare")
        template = CourseTemplate.from_archive((course_root / TEMPLATE).read_bytes())
        results = {s.student_id: StudentResult(s.student_id, problems=list(s.problems),
                                               sandboxed=options.sandbox, name=s.name,
                                               late=s.late, submitted_at=s.submitted_at)
                   for s in submissions}
        gradable = [s for s in submissions if s.notebooks]
        for submission in gradable:
            results[submission.student_id].problems += copy_in(submission, assignment,
                                                               course_root)
        done = _journal_entries(course_root / JOURNAL)
        for student_id, entry in done.items():
            if student_id in results:
                results[student_id].graded = entry["graded"]
                results[student_id].problems += entry["problems"]
        jobs = [job_for(s, assignment, course_root) for s in gradable
                if s.student_id not in done]
        feedback = {}
        for student_id, entry in done.items():  # a resumed run: pages not rendered before
            if entry["graded"] and feedback_pool is not None and \
                    not _has_feedback(course_root, assignment, student_id):
                feedback[student_id] = render_feedback(feedback_pool, assignment,
                                                        course_root, student_id)
        for submission in submissions:
            if on_done and (submission.student_id in done or not submission.notebooks):
                on_done(submission.student_id)
        grades = (_local_grades(template, options, jobs) if cluster is None else
                  _cluster_grades(cluster, template, options, jobs, connection))
        recorded = len(done)
        try:
            with RunGradebook(course_root) as gradebook:
                # what the recording of one student keeps for the next
                recording = GradingContext(gradebook=gradebook)
                for grade in grades:
                    result = results[grade.student_id]
                    _record(grade, result, assignment, course_root, journal, recording)
                    recorded += 1
                    if result.graded and feedback_pool is not None:
                        feedback[grade.student_id] = render_feedback(
                            feedback_pool, assignment, course_root, grade.student_id)
                    if on_done:
                        on_done(grade.student_id)
        except KeyboardInterrupt:
            raise GradingStopped("interrupted", recorded, len(gradable)) from None
        except GradersGone as gone:
            raise GradingStopped(gone.why, recorded, len(gradable)) from None
        finally:
            grades.close()
            journal.close()
        _mark(timings, "autograde")
        _wait_for_feedback(feedback, results)
    finally:
        if feedback_pool is not None:
            feedback_pool.shutdown(cancel_futures=True)
        if connection is not None:
            connection.close()
    _mark(timings, "feedback")
    _read_scores(assignment, course_root, results)
    return [results[s.student_id] for s in submissions]


def _open_run(assignment: Assignment, course_root: Path, resume: bool):
    """The run's journal, open for appending: a fresh run's (the course prepared, its template
    saved), or, with ``resume``, the interrupted run's, checked to be of the same assignment."""
    journal_path, digest = course_root / JOURNAL, source_digest(assignment)
    if resume:
        try:
            header = json.loads(journal_path.read_text(encoding="utf-8").splitlines()[0])
        except (OSError, IndexError, ValueError):
            raise SetupError(f"nothing to resume in {course_root.parent}: no earlier run of "
                             f"{assignment.name} was interrupted there; grade without "
                             "--resume") from None
        if header.get("assignment") != assignment.name or header.get("source") != digest:
            raise SetupError(f"the run in {course_root.parent} graded "
                             f"{header.get('assignment')!r} as it was then, and "
                             f"{assignment.name}'s source has changed (or it is another "
                             "assignment): grade again without --resume")
        return journal_path.open("a", encoding="utf-8")
    prepare_course(assignment, course_root)
    template = CourseTemplate.from_course(course_root, assignment.name)
    (course_root / TEMPLATE).write_bytes(template.archive)
    journal = journal_path.open("w", encoding="utf-8")
    journal.write(json.dumps({"assignment": assignment.name, "source": digest}) + "\n")
    journal.flush()
    return journal


def _journal_entries(path: Path) -> dict[str, dict]:
    """student id -> its journal entry (``graded``, ``problems``), from a run's journal; a
    line cut short by an interruption is ignored (that student is graded again)."""
    entries = {}
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        try:
            entry = json.loads(line)
            entries[entry["student_id"]] = {"graded": bool(entry["graded"]),
                                            "problems": list(entry["problems"])}
        except (ValueError, KeyError, TypeError):
            continue
    return entries


def _record(grade: StudentGrade, result: StudentResult, assignment: Assignment,
            course_root: Path, journal, recording: GradingContext) -> None:
    """Save one student's grade in the run's gradebook, then in the journal (so a student is
    in the journal only once the gradebook has it); ``recording`` is kept from one student to
    the next."""
    problems = []
    if grade.graded:
        received = course_root / "received" / grade.student_id / assignment.name
        if received.exists():
            shutil.rmtree(received)
        received.mkdir(parents=True)
        for name, content in grade.autograded.items():
            (received / f"{name}.ipynb").write_bytes(content)
        try:
            record_grades(grade.student_id, assignment.name, course_root, recording)
            result.graded = True
        except Exception as error:  # noqa: BLE001 (reported for this student only)
            problems.append(f"the grades could not be saved: {type(error).__name__}: "
                            f"{str(error)[:200]}")
    else:
        problems.append(f"nbgrader could not grade this submission ({len(grade.failures)} "
                        f"attempts): {grade.failures[-1] if grade.failures else 'no reason'}")
    result.problems += problems
    journal.write(json.dumps({"student_id": grade.student_id, "graded": result.graded,
                              "problems": problems, "host": grade.host,
                              "seconds": round(grade.seconds, 3)}) + "\n")
    journal.flush()


def _has_feedback(course_root: Path, assignment: Assignment, student_id: str) -> bool:
    graded = course_root / "autograded" / student_id / assignment.name
    pages = course_root / "feedback" / student_id / assignment.name
    return all((pages / f"{path.stem}.html").exists() for path in graded.glob("*.ipynb"))


def _wait_for_feedback(feedback: dict, results: dict[str, StudentResult]) -> None:
    for student_id, page in feedback.items():
        try:
            if page is not None:
                page.result()
        except Exception as error:  # the grade stands; say that the page is missing
            results[student_id].problems.append(
                f"no feedback page: {type(error).__name__}: {str(error)[:200]}")


def _local_grades(template: CourseTemplate, options: GradingOptions,
                  jobs: Iterable[StudentJob]) -> Iterator[StudentGrade]:
    """Grade ``jobs`` in this process, ``options.workers`` at a time, in threads; yield each
    grade as it is ready."""
    jobs = list(jobs)
    if not jobs:
        return
    grader = Grader(template, options)
    pool = ThreadPoolExecutor(max_workers=max(1, options.workers))
    try:
        futures = [pool.submit(grader.grade, job) for job in jobs]
        for future in as_completed(futures):
            yield future.result()
    finally:
        # interrupted: the students not started are dropped; those running end with this
        # process (their kernels die with it)
        pool.shutdown(wait=False, cancel_futures=True)
        grader.close()


def _early_connection(cluster, options: GradingOptions):
    """A connection to ``cluster`` (an autograder.cluster.EarlyConnection) started now, or
    None to grade in this process."""
    if cluster is None:
        return None
    from autograder.cluster import EarlyConnection  # Dask is imported only when it is used

    return EarlyConnection(cluster, options)


def _cluster_grades(cluster, template: CourseTemplate, options: GradingOptions,
                    jobs: Iterable[StudentJob], connection) -> Iterator[StudentGrade]:
    from autograder.cluster import cluster_grades

    yield from cluster_grades(cluster, template, options, jobs, connection)


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
