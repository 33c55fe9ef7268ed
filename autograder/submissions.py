"""Unpacking a zip of submissions safely, and checking each student's notebooks.

``unpack`` extracts a zip (as a learning-management system exports it) without letting a member
leave the extraction folder or fill the disk. ``collect`` reads the plain layout,
``<student_id>/<notebook>.ipynb`` as students saved them from the release; the other layouts
(Canvas, Moodle, Blackboard, nbgrader's ``submitted/``) are read by :mod:`autograder.layouts`,
and every layout checks the notebooks it found with ``check_notebooks``: a missing notebook, a
notebook under another name, a file that is not a valid notebook (not JSON, not UTF-8, damaged
nbgrader metadata) and a symbolic link instead of a file are each reported for that student,
and never stop the others from being graded.

What is not graded is recorded as data (:class:`Skipped`), and what belongs to no student is
listed in ``notes``, in plain words, for the lecturer's summary: zip members with a path that
would leave the extraction folder (``../x``, ``/x``) or that cannot be extracted, and hidden
folders (``.name``) holding notebooks.
"""

from __future__ import annotations

import json
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

import nbformat

from autograder.coursedir import Assignment, SetupError
from autograder.safe_text import printable

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]*$")


@dataclass(frozen=True)
class FeedbackTarget:
    """Where a feedback file for one student goes to be uploaded back into the system that the
    submission came from: into ``folder`` (Moodle's feedback zip takes the folder names of its
    download), under a name that starts with ``prefix`` (Canvas matches a re-uploaded file by
    the ``{user id}_{attachment id}`` in its download name)."""

    folder: str = ""
    prefix: str = ""

    def path_for(self, filename: str) -> str:
        """The path, inside the zip to upload, of the feedback file ``filename``."""
        name = self.prefix + filename
        return f"{self.folder}/{name}" if self.folder else name


@dataclass
class Submission:
    """One student's submission: the notebooks that can be graded, what is wrong, and what the
    export says about the student (``None`` where it says nothing)."""

    student_id: str
    folder: Path
    notebooks: dict[str, Path] = field(default_factory=dict)  # name (no .ipynb) -> file
    problems: list[str] = field(default_factory=list)
    name: str | None = None  # the student's name, as the export writes it
    late: bool | None = None  # None: unknown (no marker, no time or no due date)
    submitted_at: datetime | None = None  # timezone-aware
    feedback: FeedbackTarget = FeedbackTarget()


# Why a file or folder was not graded (the values of Skipped.reason).
OLDER_ATTEMPT = "older attempt"  # a newer attempt of the same student's notebook counts
ANOTHER_COPY = "another copy"  # the same notebook twice in one attempt; one is graded
NOT_A_NOTEBOOK = "not a notebook"  # a student's file that is not an .ipynb
ONLINE_TEXT = "online text"  # text typed into the LMS (Moodle onlinetext, Canvas text entry)
STRAY_FILE = "stray file"  # belongs to no student (.DS_Store, a file not in the naming)
HIDDEN_FOLDER = "hidden folder"  # a folder named .name holding notebooks


@dataclass(frozen=True)
class Skipped:
    """A file or folder of the submissions that was not graded, and why (one of the reasons
    above); ``student_id`` is None when it belongs to no student, ``kept`` names the file that
    was graded instead of an older attempt or another copy."""

    path: str  # relative to the submissions folder
    reason: str
    student_id: str | None = None
    kept: str | None = None

    def describe(self) -> str:
        """The line for the lecturer's summary."""
        path = printable(self.path)
        if self.reason == HIDDEN_FOLDER:
            return (f"skipped folder {path!r}: a hidden name (it starts with '.'), not a "
                    "student id; its notebooks were not graded")
        if self.student_id is None:
            what = "folder" if self.reason == STRAY_FILE and path.endswith("/") else self.reason
            return f"skipped {path!r}: a {what} that belongs to no student"
        whose = f"skipped {path!r} of student {printable(self.student_id)}"
        if self.reason == OLDER_ATTEMPT:
            return f"{whose}: an older attempt; graded the newer {printable(self.kept or '')!r}"
        if self.reason == ANOTHER_COPY:
            return (f"{whose}: another copy of the same notebook; graded "
                    f"{printable(self.kept or '')!r}")
        if self.reason == ONLINE_TEXT:
            return f"{whose}: online text, not a notebook"
        return f"{whose}: {self.reason}"


MAX_MEMBER_BYTES = 512 * 1024**2  # the largest file extracted from a zip of submissions
MAX_ZIP_BYTES = 8 * 1024**3  # all of them together
MAX_NOTES = 50  # skipped members named one by one; the rest are counted


def unpack(path: Path, into: Path, notes: list[str] | None = None,
           max_member_bytes: int = MAX_MEMBER_BYTES, max_total_bytes: int = MAX_ZIP_BYTES
           ) -> Path:
    """The folder of submissions: ``path`` itself, or the zip ``path`` extracted into ``into``
    (as it is: :func:`autograder.layouts.find_root` looks past a wrapping folder).

    A zip member is extracted only if it stays inside ``into`` and is not larger than
    ``max_member_bytes``, and only while all extracted so far stay under ``max_total_bytes``
    (a zip bomb stops there; the sizes are those the zip declares, which extraction does not
    exceed). ``notes``, if given, receives one line per member that was skipped, naming it and
    saying why. A member's name that is UTF-8 but not marked so (as many zip tools write it,
    and zipfile then reads it as code page 437) is read as UTF-8, so that an accented student
    name stays the same name.
    """
    if path.is_dir():
        return path.resolve()
    if not path.exists():
        raise SetupError(f"no submissions at {path}: give a folder of <student>/<notebook>.ipynb "
                         "or a zip of one")
    if not zipfile.is_zipfile(path):
        raise SetupError(f"{path} is neither a folder nor a zip file")
    into.mkdir(parents=True, exist_ok=True)
    skipped = notes if notes is not None else []
    total = 0
    skipped_names: list[str] = []
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        for number, member in enumerate(members):
            member.filename = _utf8_name(member)
            problem = _unsafe_member(member.filename)
            if problem is None and member.file_size > max_member_bytes:
                problem = (f"{_size(member.file_size)} unpacked, more than the "
                           f"{_size(max_member_bytes)} a submitted file may have; it was not "
                           "extracted")
            if problem is None and total + member.file_size > max_total_bytes:
                skipped.append(
                    f"the zip unpacks to more than {_size(max_total_bytes)} (a zip "
                    f"bomb?): extraction stopped at member {printable(member.filename)!r}, and "
                    f"its last {len(members) - number} members were not extracted")
                break
            if problem is None:
                total += member.file_size
                problem = _extract(archive, member, into)
            if problem is not None:
                skipped_names.append(member.filename)
                if len(skipped_names) <= MAX_NOTES:
                    skipped.append(f"skipped zip member {printable(member.filename)!r}: "
                                   f"{problem}")
    if len(skipped_names) > MAX_NOTES:
        skipped.append(f"... and {len(skipped_names) - MAX_NOTES} more zip members skipped")
    return into.resolve()


UTF8_NAME_FLAG = 0x800  # bit 11 of a zip member's flags: its name is UTF-8


def _utf8_name(member: zipfile.ZipInfo) -> str:
    """The member's name, read as UTF-8 if its bytes are UTF-8 though the flag says cp437."""
    if member.flag_bits & UTF8_NAME_FLAG or member.filename.isascii():
        return member.filename
    try:
        return member.filename.encode("cp437").decode("utf-8")
    except UnicodeError:  # really cp437 (or another code page): leave it as zipfile read it
        return member.filename


def _size(count: int) -> str:
    """A number of bytes in MB or GB, for a note."""
    return f"{count / 1024**3:.1f} GB" if count >= 1024**3 else f"{count / 1024**2:.1f} MB"


def _unsafe_member(filename: str) -> str | None:
    """Why a zip member's name must not be extracted, or None if it stays in the folder."""
    name = PurePosixPath(filename)
    if name.is_absolute():
        return "an absolute path, outside the submissions folder; it was not extracted"
    if ".." in name.parts:
        return "a path with '..', outside the submissions folder; it was not extracted"
    return None


def _extract(archive: zipfile.ZipFile, member: zipfile.ZipInfo, into: Path) -> str | None:
    """Extract one member; say why it could not be (a damaged or encrypted member, a file
    and a folder of the same name), or None."""
    try:
        archive.extract(member, into)
    except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError) as error:
        return f"it could not be extracted ({type(error).__name__}: {str(error)[:120]})"
    return None


def collect(folder: Path, assignment: Assignment,
            notes: list[str] | None = None) -> list[Submission]:
    """Every student folder under ``folder`` (the plain layout), with its gradable notebooks
    and its problems.

    ``notes``, if given, receives a line for each hidden folder (its name starts with '.')
    that holds notebooks: it is not graded, as it cannot be a student id; and one for each file
    beside the student folders (``.DS_Store``): it belongs to no student.
    """
    submissions, skipped = read_plain(folder, assignment)
    if notes is not None:
        notes += [s.describe() for s in skipped]
    return submissions


def read_plain(folder: Path, assignment: Assignment) -> tuple[list[Submission], list[Skipped]]:
    """The plain layout, ``<student_id>/<notebook>.ipynb``: the submissions, and what was
    skipped (hidden folders with notebooks, files beside the student folders)."""
    folder = folder.resolve()
    submissions, skipped = [], []
    for entry in sorted(folder.iterdir()):
        if entry.name in IGNORED_FOLDERS:
            continue
        if not entry.is_dir():
            skipped.append(Skipped(entry.name, STRAY_FILE))
        elif entry.name.startswith("."):
            if holds_notebooks(entry):
                skipped.append(Skipped(entry.name, HIDDEN_FOLDER))
        else:
            submissions.append(_check_student(entry, folder, assignment))
    return submissions, skipped


IGNORED_FOLDERS = ("__MACOSX", ".ipynb_checkpoints")  # made by tools, never by a student


def holds_notebooks(folder: Path) -> bool:
    """Whether a (hidden) folder, not a link to one, has notebooks anywhere inside."""
    return not folder.is_symlink() and any(folder.rglob("*.ipynb"))


def valid_student_id(student_id: str) -> bool:
    """Whether ``student_id`` can name the student's folders in the gradebook and the output."""
    return bool(STUDENT_ID.match(student_id))


def _check_student(student_dir: Path, top: Path, assignment: Assignment) -> Submission:
    """One student's submission: the notebooks that can be graded, and what is wrong."""
    submission = Submission(student_dir.name, student_dir,
                            feedback=FeedbackTarget(folder=student_dir.name))
    if not valid_student_id(student_dir.name):
        submission.problems.append(
            "the folder name is not a usable student id (letters, digits, . _ @ + -)")
        return submission
    if student_dir.is_symlink():
        submission.problems.append(linked_folder_problem(student_dir, top))
        return submission
    expected = set(assignment.notebooks)
    found = {p.stem: p for p in student_dir.glob("*.ipynb") if p.is_file() or p.is_symlink()}
    chosen = {name: path for name, path in found.items() if name in expected}
    unexpected = [f"{name}.ipynb" for name in found if name not in expected]
    check_notebooks(submission, chosen, unexpected, assignment, top)
    return submission


def linked_folder_problem(folder: Path, top: Path) -> str:
    """The problem reported for a student folder that is a symbolic link."""
    return (f"the student folder is a symbolic link {_link_target(folder, top)}, not a "
            "folder; it was not followed or graded")


def check_notebooks(submission: Submission, chosen: dict[str, Path], unexpected: list[str],
                    assignment: Assignment, top: Path) -> None:
    """Fill in ``submission.notebooks`` from the files ``chosen`` for the assignment's
    notebooks (name without .ipynb -> file), and its problems: each notebook missing, each
    ``unexpected`` notebook file (by the name the student gave it), each chosen file that is a
    symbolic link (``top``: the submissions folder, to say where it points) or not readable."""
    expected = assignment.notebooks
    for name in sorted(set(expected) - set(chosen)):
        submission.problems.append(f"missing notebook {name}.ipynb")
    wanted = ", ".join(f"{n}.ipynb" for n in sorted(expected))
    for filename in sorted(unexpected):
        submission.problems.append(
            f"unexpected notebook {printable(filename)} was not graded (the assignment has "
            f"{wanted}; keep the released file name)")
    for name in sorted(set(expected) & set(chosen)):
        path = chosen[name]
        if path.is_symlink():
            problem = f"is a symbolic link {_link_target(path, top)}, not a file"
        else:
            problem = _unreadable(path)
        if problem:
            submission.problems.append(f"{name}.ipynb {problem}; it was not graded")
        else:
            submission.notebooks[name] = path


def _link_target(link: Path, top: Path) -> str:
    """Where a symbolic link points, in words: outside the submissions folder, or the file
    inside it (another student's work, say)."""
    target = link.resolve()
    if not target.is_relative_to(top):
        return "to a path outside the submissions folder"
    return f"to {printable(str(target.relative_to(top)))!r} in the submissions folder"


def _unreadable(path: Path) -> str | None:
    """Why a file cannot be graded as a notebook, or None if it can."""
    invalid: dict = {}  # nbformat's schema error, if any (it logs it and reads on)
    try:
        with warnings.catch_warnings():  # nbformat's notes on what it repairs
            warnings.simplefilter("ignore")
            notebook = nbformat.read(path, as_version=4, capture_validation_error=invalid)
    except UnicodeDecodeError as error:
        return (f"is not valid UTF-8, so not a text file Jupyter can read (byte "
                f"0x{error.object[error.start]:02x} at position {error.start})")
    except Exception as error:  # json errors, nbformat validation, empty files
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return f"is not a valid notebook (not JSON: {printable(first_line[:80])})"
    return _damaged(notebook, schema_valid=not invalid)


def _damaged(notebook, schema_valid: bool = False) -> str | None:
    """What in a notebook nbformat read would break the grader, or None.

    The grader restores each cell's nbgrader metadata and writes the notebook again as UTF-8,
    so the cells' metadata must be mappings, their grade_ids text, and every string encodable
    (JSON may hold an escaped lone surrogate, such as ``\\ud800``, which UTF-8 cannot).
    A notebook that nbformat found ``schema_valid`` is written by nbformat exactly as the
    standard library's JSON encoder writes it, so that encoder (in C) tries it: 0.8 ms instead
    of 7.9 ms for an a1 notebook here (``nbformat.writes`` indents in Python), which was most of
    the time that checking a 300-student batch took; any other notebook is tried with
    ``nbformat.writes`` itself.
    """
    if not isinstance(notebook.get("cells"), list):
        return "is not a valid notebook (no cells)"
    for index, cell in enumerate(notebook.cells):
        metadata = cell.get("metadata") if isinstance(cell, dict) else None
        nbgrader = metadata.get("nbgrader", {}) if isinstance(metadata, dict) else None
        if not isinstance(nbgrader, dict) or not isinstance(nbgrader.get("grade_id", ""), str):
            return f"is not a valid notebook (the metadata of cell {index} is damaged)"
    try:
        if schema_valid:
            json.dumps(notebook, ensure_ascii=False).encode("utf-8")
        else:
            nbformat.writes(notebook).encode("utf-8")
    except (UnicodeEncodeError, ValueError, TypeError) as error:
        return (f"is not a valid notebook (its text cannot be written as valid UTF-8: "
                f"{type(error).__name__})")
    return None
