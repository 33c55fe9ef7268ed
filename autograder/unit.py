"""One student's grading as a unit of work: data in, data out, in any process on any host.

The coordinating process (:mod:`autograder.grading`) prepares the run's nbgrader course once
(the assignment generated into a gradebook) and packs it into a :class:`CourseTemplate`. Each
student becomes a :class:`StudentJob`: the student's notebooks, as bytes. A :class:`Grader`,
in the same process or in a Dask worker on another machine (:mod:`autograder.cluster`), turns a
job into a :class:`StudentGrade`:

1. the job's notebooks, in the grader's copy of the course (its gradebook is only read: jobs
   share nothing they write);
2. nbgrader's Autograde on it: the test cells overwritten with the source version, every cell
   run in a sandboxed kernel with time limits (:mod:`autograder.execute`), the recorded
   answers judged by the grader's own kernels (:mod:`autograder.judge`), outputs cut to size;
3. the graded notebooks, as bytes, with the problems found recorded in their cells' metadata.

Nothing of the job is written anywhere else: the coordinator alone records the scores in the
run's gradebook (:mod:`autograder.recording`, from the graded notebooks, so the scores are exactly
those nbgrader would have saved), and writes ``grades.csv`` and the feedback. A job can thus
be run twice (a worker that died, a resumed run) without counting twice.

What a grader keeps between jobs, it keeps in the :class:`Grader` object: the unpacked template
and the judge kernels (one pool per notebook, their setup run once). Everything a conversion
needs is passed to nbgrader's steps in its ``resources`` (the judges, the sandbox policy), not
through module globals, so that any number of graders can live in one process.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import shutil
import socket
import sys
import tarfile
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

from nbgrader.converters import Autograde
from nbgrader.converters.base import BaseConverter, NbGraderException
from nbgrader.coursedir import CourseDirectory
from nbgrader.nbgraderformat import ValidationError
from nbgrader.preprocessors import AssignLatePenalties, CheckCellMetadata, Execute, SaveAutoGrades
from nbgrader.utils import find_all_files
from sqlalchemy.exc import SAWarning

from autograder.converters import KeepsWorkingDirectory
from autograder.coursedir import REPOSITORY, nbgrader_config
from autograder.execute import (
    RESOURCES_KEY,
    GradingContext,
    LimitedExecute,
    SandboxedExecute,
    TruncateOutput,
    grading_context,
)
from autograder.judge import JudgeAnswers, JudgePool
from autograder.kernel_zygote import Zygote, ZygoteError
from autograder.linux_namespaces import supported as forked_sandbox_problem
from autograder.metadata_check import check_notebook_metadata
from autograder.sandbox import SandboxPolicy, forked_kernel_request

# A student's code cannot make nbgrader itself fail (its errors stay in its cells); what does is
# the machine (a kernel that did not start in time on an overloaded host), so a job that failed
# is graded again, from scratch, before its failure is reported.
GRADING_RETRIES = 2


@dataclass(frozen=True)
class GradingOptions:
    """How a batch is graded, carried through the whole pipeline (``grade``'s options)."""

    workers: int = 4  # notebooks graded at the same time
    cell_timeout: float = 60.0  # seconds per cell: nbgrader's Execute.timeout, `--timeout`
    notebook_timeout: float = 300.0  # seconds per notebook, `--notebook-timeout`
    sandbox: bool = True  # run each kernel in bubblewrap (autograder.sandbox)
    # sandboxed kernels forked from a zygote that has ipykernel loaded (autograder.kernel_zygote,
    # the same sandbox, built by the kernel itself) instead of started by bubblewrap
    forked_kernels: bool = True
    policy: SandboxPolicy | None = None  # the sandbox's limits (default SandboxPolicy())
    max_output: int = 20_000  # characters kept of each cell's output
    feedback: bool = True  # render nbgrader's HTML feedback pages


@dataclass(frozen=True)
class CourseTemplate:
    """The run's prepared nbgrader course, packed: ``source/<assignment>/``,
    ``release/<assignment>/`` and ``gradebook.db`` with the assignment generated into it.

    ``digest`` names its content: two templates with the same digest grade alike, and a worker
    that already unpacked one does not unpack it again.
    """

    assignment: str
    notebooks: tuple[str, ...]
    archive: bytes
    digest: str

    @classmethod
    def from_course(cls, course_root: Path, assignment: str) -> CourseTemplate:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            for part in (f"source/{assignment}", f"release/{assignment}", "gradebook.db"):
                if (course_root / part).exists():
                    tar.add(course_root / part, arcname=part)
        archive = buffer.getvalue()
        notebooks = tuple(sorted(p.stem for p in (course_root / "source" / assignment)
                                 .glob("*.ipynb")))
        return cls(assignment, notebooks, archive, hashlib.sha256(archive).hexdigest())

    @classmethod
    def from_archive(cls, archive: bytes) -> CourseTemplate:
        """The template packed by :meth:`from_course` (kept in the run's folder)."""
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
            names = tar.getnames()
        assignments = {Path(n).parts[1] for n in names
                       if Path(n).parts[0] == "source" and len(Path(n).parts) > 1}
        if len(assignments) != 1:
            raise ValueError("a course template holds the source of exactly one assignment")
        assignment = assignments.pop()
        notebooks = tuple(sorted(Path(n).stem for n in names
                                 if n.startswith(f"source/{assignment}/")
                                 and n.endswith(".ipynb") and n.count("/") == 2))
        return cls(assignment, notebooks, archive, hashlib.sha256(archive).hexdigest())

    def unpack(self, folder: Path) -> Path:
        """Extract into ``folder`` (created); return it."""
        folder.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(self.archive), mode="r:gz") as tar:
            for member in tar.getmembers():  # written by from_course: no links, no absolute paths
                if member.issym() or member.islnk() or Path(member.name).is_absolute() \
                        or ".." in Path(member.name).parts:
                    raise ValueError(f"unexpected member {member.name!r} in a course template")
            if hasattr(tarfile, "data_filter"):  # Python 3.12, and 3.10.12 / 3.11.4 on
                tar.extractall(folder, filter="data")
            else:
                tar.extractall(folder)
        return folder


@dataclass(frozen=True)
class StudentJob:
    """One student to grade: the gradable notebooks (name without ``.ipynb`` -> file content),
    their nbgrader metadata already restored from the release."""

    student_id: str
    notebooks: dict[str, bytes]


@dataclass(frozen=True)
class StudentGrade:
    """What grading one student gave: the graded notebooks (name -> content; empty if nbgrader
    could not grade the student), and why each failed attempt failed."""

    student_id: str
    autograded: dict[str, bytes] = field(default_factory=dict)
    failures: tuple[str, ...] = ()
    host: str = ""  # where it was graded: host name and process id
    seconds: float = 0.0

    @property
    def graded(self) -> bool:
        return bool(self.autograded)


class GradersGone(Exception):
    """No more grades can arrive: where the jobs were sent went away (a cluster's scheduler, or
    all of its workers for too long). ``why`` says which; the coordinator stops the run and
    keeps what was recorded (:class:`autograder.grading.GradingStopped`)."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def use_this_environment() -> None:
    """Kernels and nbgrader's helper programs (alembic) come from this Python environment;
    nbgrader's harmless SQLAlchemy warning on every submission is not shown."""
    warnings.filterwarnings("ignore", category=SAWarning)
    bin_dir = str(Path(sys.executable).parent)
    if not os.environ.get("PATH", "").startswith(bin_dir + os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    # nbgrader's converter sets this for every notebook and removes it afterwards, which is not
    # safe with threads; it is set once here for the whole process instead.
    os.environ["NBGRADER_EXECUTION"] = "autograde"
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices, many kernels at once


def own_hidden_folders() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What a kernel on this host must not see, whoever asked for the grading: this
    repository's solutions, grades and earlier runs, and its gradebook (folders, files)."""
    folders = tuple(str(REPOSITORY / name) for name in
                    ("solutions", "grades", "demo", "submitted", "autograded", "feedback"))
    return folders, (str(REPOSITORY / "gradebook.db"),)


# ---------------------------------------------------------------------------------------------
# nbgrader's converters, with what a conversion needs passed in its resources
# ---------------------------------------------------------------------------------------------
class ContextInResources:
    """A converter that hands every step of its conversion ``context`` in its resources
    (None: each step gets an empty one, see :func:`autograder.execute.grading_context`)."""

    context: GradingContext | None = None

    def init_single_notebook_resources(self, notebook_filename: str) -> dict:
        resources = super().init_single_notebook_resources(notebook_filename)
        resources[RESOURCES_KEY] = self.context
        return resources


class ThreadSafeAutograde(ContextInResources, Autograde, KeepsWorkingDirectory):
    """nbgrader's Autograde for one student, safe beside others in threads (it changes nothing
    shared: not os.environ, not the gradebook, not the working folder), that hands every step
    of the conversion ``context`` (the judges, the sandbox policy) in its resources."""

    assignment_notebooks: tuple[str, ...] = ()  # the names of the assignment's notebooks

    def init_assignment(self, assignment_id: str, student_id: str) -> None:
        """Autograde's preparation of the student's folder, without its gradebook entries.

        As nbgrader's: the submission's other files are copied into ``autograded/``, the
        source's other files (data the notebooks read) are copied over them, and only the
        assignment's notebooks are graded. Unlike nbgrader's, the student and the submission
        are not created in the grader's gradebook (five openings of it and a write per student,
        one thread at a time): nobody reads it; the coordinator creates them in the run's
        gradebook when it records the grades (:mod:`autograder.recording`, with a missing notebook
        scored 0 there). Steps that read the gradebook (OverwriteCells) read only the
        assignment, which the template holds."""
        BaseConverter.init_assignment(self, assignment_id, student_id)
        copy_source_files(self, assignment_id, student_id)
        self.notebooks = [path for path in self.notebooks
                          if Path(path).stem in self.assignment_notebooks]
        if not self.notebooks:
            raise NbGraderException("none of the submitted notebooks is one of the assignment's "
                                    f"({', '.join(self.assignment_notebooks)})")

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


def copy_source_files(converter: Autograde, assignment_id: str, student_id: str) -> None:
    """As nbgrader's Autograde: the source's files other than notebooks (data the notebooks
    read) copied into the student's ``autograded/`` folder, over the student's own."""
    coursedir = converter.coursedir
    source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment_id))
    graded = Path(converter._format_dest(assignment_id, student_id))
    for path in find_all_files(str(source), coursedir.ignore + ["*.ipynb"]):
        target = graded / Path(path).relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        shutil.copy(path, target)


class CheckCellMetadataOnce(CheckCellMetadata):
    """nbgrader's CheckCellMetadata step, each distinct cell validated once per grader or
    coordinator (:mod:`autograder.metadata_check`; the cells found valid are in the
    conversion's :class:`~autograder.execute.GradingContext`)."""

    def preprocess(self, nb, resources: dict):
        try:
            check_notebook_metadata(nb, grading_context(resources).valid_metadata)
        except ValidationError:
            self.log.error(traceback.format_exc())
            message = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(message)
            raise ValidationError(message) from None
        return nb, resources


def autograde_preprocessors(preprocessors: list, sandbox: bool) -> list:
    """nbgrader's autograde steps, with our Execute (sandboxed or not), the judge and an output
    size limit, the metadata check that remembers valid cells, and without the saving of the
    scores: the coordinator saves them into the run's gradebook (:mod:`autograder.recording`)."""
    execute = SandboxedExecute if sandbox else LimitedExecute
    steps = []
    for step in preprocessors:
        if step is Execute:
            steps += [execute, JudgeAnswers, TruncateOutput]
        elif step not in (SaveAutoGrades, AssignLatePenalties):
            steps.append(CheckCellMetadataOnce if step is CheckCellMetadata else step)
    return steps


def sanitize_preprocessors(preprocessors: list) -> list:
    """nbgrader's steps before execution, with the metadata check that remembers valid
    cells."""
    return [CheckCellMetadataOnce if step is CheckCellMetadata else step
            for step in preprocessors]


def autograde_student(student_id: str, assignment: str, notebooks: tuple[str, ...],
                      course_root: Path, options: GradingOptions,
                      context: GradingContext) -> None:
    """Run nbgrader's Autograde for one student of ``course_root`` (raises if nbgrader could
    not grade it), on those of the student's notebooks that are among the assignment's
    ``notebooks``; ``context`` (the judges, the sandbox policy) reaches every step."""
    config = nbgrader_config(course_root)
    config.CourseDirectory.assignment_id = assignment
    config.CourseDirectory.student_id = student_id
    config.Autograde.force = True
    config.Autograde.create_student = True
    config.Execute.timeout = int(max(1, options.cell_timeout))
    config.LimitedExecute.timeout = int(max(1, options.cell_timeout))
    config.LimitedExecute.notebook_timeout = float(options.notebook_timeout)
    config.TruncateOutput.max_chars = int(options.max_output)
    converter = ThreadSafeAutograde(coursedir=CourseDirectory(config=config), config=config)
    converter.context = context
    converter.assignment_notebooks = notebooks
    converter.sanitize_preprocessors = sanitize_preprocessors(converter.sanitize_preprocessors)
    converter.autograde_preprocessors = autograde_preprocessors(
        converter.autograde_preprocessors, options.sandbox)
    converter.start()


# ---------------------------------------------------------------------------------------------
# The grader
# ---------------------------------------------------------------------------------------------
class Grader:
    """Grades the students of one course template, in this process, several at once if asked
    from several threads.

    The template is unpacked once into a course directory of the grader's own; each student is
    graded in it as nbgrader grades a class (``submitted/<student>/``, ``autograded/<student>/``),
    against the template's gradebook, which is only read (the assignment's cells). The
    coordinator records the scores from the graded notebooks that :meth:`grade` returns.

    Args:
        template: the prepared course.
        options: the time limits, the sandbox and its policy (the coordinator's folders to hide
            come in ``options.policy.hidden``; the grader adds its own folder and this host's
            copy of the repository's solutions and grades), the output kept.
        parent: the folder in which to make the grader's own (default: the system's temporary
            folder); :meth:`close` removes it.
    """

    def __init__(self, template: CourseTemplate, options: GradingOptions,
                 parent: Path | None = None) -> None:
        use_this_environment()
        self.template, self.options = template, options
        self.folder = Path(tempfile.mkdtemp(prefix="nn-course-grader-", dir=parent)).resolve()
        self.course = template.unpack(self.folder / "course")
        source = self.course / "source" / template.assignment
        judges = {name: JudgePool(source / f"{name}.ipynb", timeout=options.cell_timeout)
                  for name in template.notebooks}
        policy = self._policy(options.policy or SandboxPolicy())
        zygote = self._zygote(policy) if options.sandbox and options.forked_kernels else None
        self.context = GradingContext(judges, policy, zygote=zygote)

    def _zygote(self, policy: SandboxPolicy) -> Zygote | None:
        """The zygote that forks this grader's kernels, once it built a sandbox of ``policy``
        here; None (bubblewrap starts each kernel, the same sandbox) if this machine cannot."""
        problem = forked_sandbox_problem()
        zygote = None
        if problem is None:
            try:
                zygote = Zygote()
                probe = self.folder / "probe"
                (probe / "work").mkdir(parents=True)
                (probe / "sockets").mkdir()
                problem = zygote.check(forked_kernel_request(
                    policy, str(probe / "work"), str(probe / "sockets"), dict(os.environ),
                    None, str(probe / "exit-status")))
                shutil.rmtree(probe, ignore_errors=True)
            except (ZygoteError, OSError) as error:
                problem = str(error)
        if problem is not None:
            if zygote is not None:
                zygote.close()
            logging.getLogger(__name__).warning(
                "kernels are started by bubblewrap, not forked: %s", problem)
            return None
        return zygote

    def _policy(self, policy: SandboxPolicy) -> SandboxPolicy:
        """``policy`` with this grader's folder (the solutions in its template, the other
        students) and this host's own course folders hidden as well."""
        folders, files = own_hidden_folders()
        hidden = set(policy.hidden) | set(folders) | {str(self.folder)}
        return replace(policy, hidden=tuple(sorted(hidden)),
                       hidden_files=tuple(sorted(set(policy.hidden_files) | set(files))))

    def grade(self, job: StudentJob) -> StudentGrade:
        """Grade one student; never raises for a problem of the submission (what failed is in
        ``failures``)."""
        started = time.perf_counter()
        failures: list[str] = []
        autograded: dict[str, bytes] = {}
        for _attempt in range(1 + GRADING_RETRIES):
            try:
                autograded = self._grade_once(job)
                break
            except Exception as error:  # noqa: BLE001 (reported for this student only)
                failures.append(f"{type(error).__name__}: {str(error)[:200]}")
        return StudentGrade(job.student_id, autograded, tuple(failures),
                            f"{socket.gethostname()}:{os.getpid()}",
                            time.perf_counter() - started)

    def _grade_once(self, job: StudentJob) -> dict[str, bytes]:
        assignment = self.template.assignment
        submitted = self.course / "submitted" / job.student_id / assignment
        graded = self.course / "autograded" / job.student_id / assignment
        for folder in (submitted, graded):  # a student graded here before (a retried job)
            shutil.rmtree(folder, ignore_errors=True)
        submitted.mkdir(parents=True)
        for name, content in job.notebooks.items():
            (submitted / f"{name}.ipynb").write_bytes(content)
        autograde_student(job.student_id, assignment, self.template.notebooks, self.course,
                          self.options, self.context)
        found = {path.stem: path.read_bytes() for path in sorted(graded.glob("*.ipynb"))}
        if not found:
            raise RuntimeError("nbgrader produced no graded notebook")
        return found

    def close(self) -> None:
        """Stop the judge kernels and remove the grader's folder."""
        for pool in self.context.judges.values():
            pool.close()
        if self.context.zygote is not None:
            self.context.zygote.close()
        shutil.rmtree(self.folder, ignore_errors=True)
