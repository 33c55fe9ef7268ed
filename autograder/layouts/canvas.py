"""Canvas's "Download Submissions" zip: one flat folder of files, each named

    {sortable name}[_LATE]_{user id}_{attachment id}_{file name}

where the sortable name ("Lovelace, Ada") is lowercased with its non-word characters removed
(``lovelaceada``), ``_LATE`` marks a late submission, and a file submitted again under the same
name gets ``-1``, ``-2`` before its extension. With anonymous grading, ``anon_{anonymous id}``
stands in place of the name and the user id. Text entries and links come as
``{sortable name}[_LATE]_{user id}_text.html`` (``_link.html``), with no attachment id.

The student id is the Canvas user id (``anon_{id}`` when anonymous); of several files of one
student for the same notebook, the one with the highest attachment id (the newest) is graded.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from autograder.coursedir import Assignment
from autograder.layouts.found import choose_newest, relative, stray, visible_entries
from autograder.layouts.names import assignment_notebook, is_notebook, normalized
from autograder.submissions import (
    NOT_A_NOTEBOOK,
    OLDER_ATTEMPT,
    ONLINE_TEXT,
    FeedbackTarget,
    Skipped,
    Submission,
    check_notebooks,
)

NAME = "canvas"
SHAPE = "flat files {sortable name}[_LATE]_{user id}_{attachment id}_{file name}"

_LATE = r"(?P<late>_LATE|_late)?"
_NAMED = rf"(?P<name>\w+?){_LATE}_(?P<user>[0-9]+)"
_ANONYMOUS = rf"anon_(?P<anon>[A-Za-z0-9]+?){_LATE}"
_ATTACHMENT = r"_(?P<attachment>[0-9]+)_(?P<file>.+)"
_TEXT = r"_(?P<kind>text|link)\.html"
NAMED_FILE = re.compile(_NAMED + _ATTACHMENT, re.DOTALL)
ANONYMOUS_FILE = re.compile(_ANONYMOUS + _ATTACHMENT, re.DOTALL)
NAMED_TEXT = re.compile(_NAMED + _TEXT)
ANONYMOUS_TEXT = re.compile(_ANONYMOUS + _TEXT)


@dataclass(frozen=True)
class CanvasFile:
    """One file of the download, as its name says."""

    path: Path
    student_id: str  # the user id, or anon_{id}
    name: str | None  # the sortable name as Canvas wrote it; None when anonymous
    late: bool
    attachment: int | None  # None for a text entry or a link
    filename: str  # as the student submitted it (with Canvas's -1 if resubmitted)
    prefix: str  # what Canvas put before the file name


def parse(path: Path, anonymous: bool) -> CanvasFile | None:
    """The file's parts, or None if its name is not in Canvas's naming (``anonymous``: read
    ``anon_`` names as anonymous ids)."""
    name = normalized(path.name)
    forms = (ANONYMOUS_FILE, ANONYMOUS_TEXT) if anonymous else (NAMED_FILE, NAMED_TEXT)
    for form in forms:
        match = form.fullmatch(name)
        if match is None:
            continue
        parts = match.groupdict()
        student = f"anon_{parts['anon']}" if anonymous else parts["user"]
        if parts.get("file") is not None:
            return CanvasFile(path, student, parts.get("name"), bool(parts["late"]),
                              int(parts["attachment"]), parts["file"],
                              name[: match.start("file")])
        return CanvasFile(path, student, parts.get("name"), bool(parts["late"]), None,
                          f"{parts['kind']}.html", name[: match.start("kind")])
    return None


def fits(entry: Path, assignment: Assignment) -> bool:
    """Whether a top-level entry is named as Canvas names a submitted file."""
    return not entry.is_dir() and (parse(entry, False) or parse(entry, True)) is not None


def read(root: Path, assignment: Assignment) -> tuple[list[Submission], list[Skipped]]:
    """Every student's files in the download, grouped by user id: the submissions, and what
    was skipped (older attempts, files that are not notebooks, text entries, stray files)."""
    skipped: list[Skipped] = []
    entries = visible_entries(root, skipped)
    files = [e for e in entries if not e.is_dir()]
    anonymous = _anonymous(files)
    by_student: dict[str, list[CanvasFile]] = defaultdict(list)
    unnamed = [e for e in entries if e.is_dir()]
    for path in files:
        found = parse(path, anonymous)
        if found is None:
            unnamed.append(path)
        else:
            by_student[found.student_id].append(found)
    submissions = [_submission(by_student[student], root, assignment, skipped)
                   for student in sorted(by_student)]
    return submissions, skipped + stray(sorted(unnamed), root)


def _anonymous(files: list[Path]) -> bool:
    """Whether the download is anonymous: anonymity is a setting of the assignment, so either
    every student is ``anon_{id}`` or none is (and a student whose sortable name is "anon"
    cannot make a named download look anonymous)."""
    readings = [(parse(path, True), parse(path, False)) for path in files]
    return (any(anonymous for anonymous, _ in readings)
            and all(anonymous for anonymous, named in readings if named is not None))


def _submission(files: list[CanvasFile], root: Path, assignment: Assignment,
                skipped: list[Skipped]) -> Submission:
    """One student's submission from their files."""
    student = files[0].student_id
    candidates: dict[str, list[Path]] = defaultdict(list)
    unexpected = []
    attachment = {f.path: f.attachment or 0 for f in files}
    for f in files:
        if f.attachment is None:
            skipped.append(Skipped(relative(f.path, root), ONLINE_TEXT, student))
        elif not is_notebook(f.filename):
            skipped.append(Skipped(relative(f.path, root), NOT_A_NOTEBOOK, student))
        elif (notebook := assignment_notebook(f.filename, assignment.notebooks)) is not None:
            candidates[notebook].append(f.path)
        else:
            unexpected.append(f.filename)
    chosen = choose_newest(candidates, attachment.__getitem__, student, OLDER_ATTEMPT, root,
                           skipped)
    graded = [f for f in files if f.path in chosen.values()]
    newest = max(graded or files, key=lambda f: f.attachment or 0)
    submission = Submission(student, root, name=newest.name, late=newest.late,
                            feedback=FeedbackTarget(prefix=newest.prefix))
    check_notebooks(submission, chosen, unexpected, assignment, root)
    return submission
