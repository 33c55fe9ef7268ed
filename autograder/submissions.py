"""Finding the students' submissions in a folder (or a zip of one) and checking them.

A submission folder holds ``<student_id>/<notebook>.ipynb`` as students saved them from the
release. Learning-management systems export the same thing as a zip, sometimes wrapped in one
top-level folder; both are accepted. Each student's notebooks are checked before grading: a
missing notebook, a notebook under another name, a file that is not a valid notebook (not JSON,
not UTF-8, damaged nbgrader metadata) and a symbolic link instead of a file are each reported
for that student, and never stop the others from being graded.

What is not graded and belongs to no student is listed in ``notes``, in plain words, for the
lecturer's summary: zip members with a path that would leave the extraction folder (``../x``,
``/x``) or that cannot be extracted, and hidden folders (``.name``) holding notebooks.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nbformat

from autograder.coursedir import Assignment, SetupError

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]*$")


@dataclass
class Submission:
    """One student's submission: the notebooks that can be graded and what is wrong."""

    student_id: str
    folder: Path
    notebooks: dict[str, Path] = field(default_factory=dict)  # name (no .ipynb) -> file
    problems: list[str] = field(default_factory=list)


MAX_MEMBER_BYTES = 512 * 1024**2  # the largest file extracted from a zip of submissions
MAX_ZIP_BYTES = 8 * 1024**3  # all of them together
MAX_NOTES = 50  # skipped members named one by one; the rest are counted


def unpack(path: Path, into: Path, notes: list[str] | None = None,
           max_member_bytes: int = MAX_MEMBER_BYTES, max_total_bytes: int = MAX_ZIP_BYTES
           ) -> Path:
    """The folder of submissions: ``path`` itself, or the zip ``path`` extracted into ``into``.

    A zip member is extracted only if it stays inside ``into`` and is not larger than
    ``max_member_bytes``, and only while all extracted so far stay under ``max_total_bytes``
    (a zip bomb stops there; the sizes are those the zip declares, which extraction does not
    exceed). ``notes``, if given, receives one line per member that was skipped, naming it and
    saying why.
    """
    if path.is_dir():
        return _skip_wrapper_folder(path.resolve())
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
    return _skip_wrapper_folder(into)


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


def printable(text: str) -> str:
    """``text`` with control characters (newlines, terminal escapes) shown as escapes."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


def _skip_wrapper_folder(folder: Path) -> Path:
    """If the folder holds a single folder and no student seems to be at this level, go in."""
    entries = [p for p in folder.iterdir() if not p.name.startswith((".", "__MACOSX"))]
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        inner = entries[0]
        holds_folders = any(p.is_dir() for p in inner.iterdir())
        if holds_folders and not any(inner.glob("*.ipynb")):  # student folders, not notebooks
            return inner
    return folder


def collect(folder: Path, assignment: Assignment,
            notes: list[str] | None = None) -> list[Submission]:
    """Every student folder under ``folder``, with its gradable notebooks and its problems.

    ``notes``, if given, receives a line for each hidden folder (its name starts with '.')
    that holds notebooks: it is not graded, as it cannot be a student id.
    """
    folder = folder.resolve()
    submissions = []
    for student_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        if student_dir.name.startswith((".", "__MACOSX")):
            _note_hidden(student_dir, notes)
            continue
        submissions.append(_check_student(student_dir, folder, assignment))
    return submissions


def _note_hidden(student_dir: Path, notes: list[str] | None) -> None:
    """A note for a hidden folder with notebooks in it (not the usual checkpoint folders)."""
    if notes is None or student_dir.name in (".ipynb_checkpoints", "__MACOSX"):
        return
    if not student_dir.is_symlink() and any(student_dir.rglob("*.ipynb")):
        notes.append(f"skipped folder {printable(student_dir.name)!r}: a hidden name (it "
                     "starts with '.'), not a student id; its notebooks were not graded")


def _check_student(student_dir: Path, top: Path, assignment: Assignment) -> Submission:
    """One student's submission: the notebooks that can be graded, and what is wrong."""
    submission = Submission(student_dir.name, student_dir)
    if not STUDENT_ID.match(student_dir.name):
        submission.problems.append(
            "the folder name is not a usable student id (letters, digits, . _ @ + -)")
        return submission
    if student_dir.is_symlink():
        submission.problems.append(
            f"the student folder is a symbolic link {_link_target(student_dir, top)}, not a "
            "folder; it was not followed or graded")
        return submission
    expected = set(assignment.notebooks)
    found = {p.stem: p for p in student_dir.glob("*.ipynb") if p.is_file() or p.is_symlink()}
    for name in sorted(expected - set(found)):
        submission.problems.append(f"missing notebook {name}.ipynb")
    for name in sorted(set(found) - expected):
        wanted = ", ".join(f"{n}.ipynb" for n in sorted(expected))
        submission.problems.append(
            f"unexpected notebook {name}.ipynb was not graded (the assignment has {wanted}; "
            "keep the released file name)")
    for name in sorted(expected & set(found)):
        path = found[name]
        if path.is_symlink():
            problem = f"is a symbolic link {_link_target(path, top)}, not a file"
        else:
            problem = _unreadable(path)
        if problem:
            submission.problems.append(f"{name}.ipynb {problem}; it was not graded")
        else:
            submission.notebooks[name] = path
    return submission


def _link_target(link: Path, top: Path) -> str:
    """Where a symbolic link points, in words: outside the submissions folder, or the file
    inside it (another student's work, say)."""
    target = link.resolve()
    if not target.is_relative_to(top):
        return "to a path outside the submissions folder"
    return f"to {printable(str(target.relative_to(top)))!r} in the submissions folder"


def _unreadable(path: Path) -> str | None:
    """Why a file cannot be graded as a notebook, or None if it can."""
    try:
        with warnings.catch_warnings():  # nbformat's notes on what it repairs
            warnings.simplefilter("ignore")
            notebook = nbformat.read(path, as_version=4)
    except UnicodeDecodeError as error:
        return (f"is not valid UTF-8, so not a text file Jupyter can read (byte "
                f"0x{error.object[error.start]:02x} at position {error.start})")
    except Exception as error:  # json errors, nbformat validation, empty files
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return f"is not a valid notebook (not JSON: {printable(first_line[:80])})"
    return _damaged(notebook)


def _damaged(notebook) -> str | None:
    """What in a notebook nbformat read would break the grader, or None.

    The grader restores each cell's nbgrader metadata and writes the notebook again as UTF-8,
    so the cells' metadata must be mappings, their grade_ids text, and every string encodable
    (JSON may hold an escaped lone surrogate, such as ``\\ud800``, which UTF-8 cannot).
    """
    if not isinstance(notebook.get("cells"), list):
        return "is not a valid notebook (no cells)"
    for index, cell in enumerate(notebook.cells):
        metadata = cell.get("metadata") if isinstance(cell, dict) else None
        nbgrader = metadata.get("nbgrader", {}) if isinstance(metadata, dict) else None
        if not isinstance(nbgrader, dict) or not isinstance(nbgrader.get("grade_id", ""), str):
            return f"is not a valid notebook (the metadata of cell {index} is damaged)"
    try:
        nbformat.writes(notebook).encode("utf-8")
    except (UnicodeEncodeError, ValueError, TypeError) as error:
        return (f"is not a valid notebook (its text cannot be written as valid UTF-8: "
                f"{type(error).__name__})")
    return None
