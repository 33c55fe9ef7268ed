"""Finding the students' submissions in a folder (or a zip of one) and checking them.

A submission folder holds ``<student_id>/<notebook>.ipynb`` as students saved them from the
release. Learning-management systems export the same thing as a zip, sometimes wrapped in one
top-level folder; both are accepted. Each student's notebooks are checked before grading: a
missing notebook, a notebook under another name, and a file that is not a valid notebook are
each reported for that student, and never stop the others from being graded.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nbformat

from autograder.course import Assignment, SetupError

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]*$")


@dataclass
class Submission:
    """One student's submission: the notebooks that can be graded and what is wrong."""

    student_id: str
    folder: Path
    notebooks: dict[str, Path] = field(default_factory=dict)  # name (no .ipynb) -> file
    problems: list[str] = field(default_factory=list)


def unpack(path: Path, into: Path) -> Path:
    """The folder of submissions: ``path`` itself, or the zip ``path`` extracted into ``into``."""
    if path.is_dir():
        return _skip_wrapper_folder(path)
    if not path.exists():
        raise SetupError(f"no submissions at {path}: give a folder of <student>/<notebook>.ipynb "
                         "or a zip of one")
    if not zipfile.is_zipfile(path):
        raise SetupError(f"{path} is neither a folder nor a zip file")
    into.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            name = PurePosixPath(member.filename)
            if name.is_absolute() or ".." in name.parts:
                continue  # never write outside the extraction folder
            archive.extract(member, into)
    return _skip_wrapper_folder(into)


def _skip_wrapper_folder(folder: Path) -> Path:
    """If the folder holds a single folder and no student seems to be at this level, go in."""
    entries = [p for p in folder.iterdir() if not p.name.startswith((".", "__MACOSX"))]
    if len(entries) == 1 and entries[0].is_dir():
        inner = entries[0]
        holds_folders = any(p.is_dir() for p in inner.iterdir())
        if holds_folders and not any(inner.glob("*.ipynb")):  # student folders, not notebooks
            return inner
    return folder


def collect(folder: Path, assignment: Assignment) -> list[Submission]:
    """Every student folder under ``folder``, with its gradable notebooks and its problems."""
    expected = set(assignment.notebooks)
    submissions = []
    for student_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        if student_dir.name.startswith((".", "__MACOSX")):
            continue
        submission = Submission(student_dir.name, student_dir)
        if not STUDENT_ID.match(student_dir.name):
            submission.problems.append(
                "the folder name is not a usable student id (letters, digits, . _ @ + -)")
            submissions.append(submission)
            continue
        found = {p.stem: p for p in student_dir.glob("*.ipynb") if p.is_file()}
        for name in sorted(expected - set(found)):
            submission.problems.append(f"missing notebook {name}.ipynb")
        for name in sorted(set(found) - expected):
            wanted = ", ".join(f"{n}.ipynb" for n in sorted(expected))
            submission.problems.append(
                f"unexpected notebook {name}.ipynb was not graded (the assignment has {wanted}; "
                "keep the released file name)")
        for name in sorted(expected & set(found)):
            problem = _unreadable(found[name])
            if problem:
                submission.problems.append(f"{name}.ipynb {problem}; it was not graded")
            else:
                submission.notebooks[name] = found[name]
        submissions.append(submission)
    return submissions


def _unreadable(path: Path) -> str | None:
    """Why a file cannot be graded as a notebook, or None if it can."""
    try:
        notebook = nbformat.read(path, as_version=4)
    except UnicodeDecodeError:
        return "is not a text file (not UTF-8)"
    except Exception as error:  # json errors, nbformat validation, empty files
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return f"is not a valid notebook (not JSON: {first_line[:80]})"
    if not isinstance(notebook.get("cells"), list):
        return "is not a valid notebook (no cells)"
    return None
