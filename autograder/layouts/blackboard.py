"""Blackboard's "Download Assignment" zip: flat files, one per submitted file and attempt,

    {assignment}_{username}_attempt_{YYYY-MM-DD-HH-MM-SS}_{file name}

and for each attempt ``{assignment}_{username}_attempt_{stamp}.txt``, whose lines say
``Name: {Full Name} ({username})``, ``Assignment: ...``, ``Date Submitted: ...``.

The student id is the username, the name comes from the .txt (which is read as metadata, not
reported as a stray file); the latest attempt counts. The stamp gives the submission time, in
the time zone that the .txt's "Date Submitted" line ends with if it is a known one
(:func:`autograder.layouts.times.zone_named`), else in this machine's local time.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from autograder.coursedir import Assignment
from autograder.layouts.found import choose_newest, copy_rank, relative, stray, visible_entries
from autograder.layouts.names import assignment_notebook, is_notebook, normalized
from autograder.layouts.times import zone_named
from autograder.submissions import (
    ANOTHER_COPY,
    NOT_A_NOTEBOOK,
    OLDER_ATTEMPT,
    FeedbackTarget,
    Skipped,
    Submission,
    check_notebooks,
    valid_student_id,
)

NAME = "blackboard"
SHAPE = "flat files {assignment}_{username}_attempt_{YYYY-MM-DD-HH-MM-SS}_{file name} + .txt"

STAMP_FORMAT = "%Y-%m-%d-%H-%M-%S"
ATTEMPT = re.compile(r"(?P<head>.+)_attempt_(?P<stamp>[0-9]{4}(?:-[0-9]{2}){5})"
                     r"(?:_(?P<file>.+)|(?P<txt>\.txt))", re.DOTALL)
NAME_LINE = re.compile(r"Name:\s*(?P<name>.*?)\s*\((?P<user>[^()]+)\)\s*")
DATE_LINE = re.compile(r"Date Submitted:\s*(?P<date>.*?)\s*")
MAX_TXT_CHARS = 64 * 1024  # the metadata is a few lines; a larger .txt is read this far


@dataclass(frozen=True)
class AttemptFile:
    """One file of the download, as its name says."""

    path: Path
    head: str  # {assignment}_{username}
    stamp: str  # YYYY-MM-DD-HH-MM-SS
    filename: str | None  # None for the attempt's .txt

    @property
    def attempt(self) -> str:
        """What names the attempt: its .txt's name without .txt."""
        return f"{self.head}_attempt_{self.stamp}"


@dataclass(frozen=True)
class AttemptInfo:
    """What an attempt's .txt says (None where it says nothing)."""

    name: str | None = None
    username: str | None = None
    date_line: str | None = None


def parse(path: Path) -> AttemptFile | None:
    """The file's parts, or None if its name is not in Blackboard's naming."""
    match = ATTEMPT.fullmatch(normalized(path.name))
    if match is None:
        return None
    return AttemptFile(path, match["head"], match["stamp"], match["file"])


def fits(entry: Path, assignment: Assignment) -> bool:
    """Whether a top-level entry is named as Blackboard names an attempt's file."""
    return not entry.is_dir() and parse(entry) is not None


def read_info(path: Path) -> AttemptInfo:
    """The name, username and date of an attempt's .txt (read as text whatever its bytes)."""
    if path.is_symlink() or not path.is_file():
        return AttemptInfo()
    with open(path, encoding="utf-8", errors="replace") as file:
        lines = file.read(MAX_TXT_CHARS).splitlines()
    name = username = date = None
    for line in lines:
        if (match := NAME_LINE.fullmatch(line)) and name is None:
            name, username = match["name"] or None, match["user"].strip()
        elif (match := DATE_LINE.fullmatch(line)) and date is None:
            date = match["date"]
    return AttemptInfo(name, username, date)


def submitted_at(stamp: str, date_line: str | None) -> datetime | None:
    """The attempt's time from its stamp, in the zone its "Date Submitted" line names if known,
    else in local time; None if the stamp is no date (a month 13)."""
    try:
        moment = datetime.strptime(stamp, STAMP_FORMAT)
    except ValueError:
        return None
    zone = zone_named(date_line.split()[-1]) if date_line and date_line.split() else None
    return moment.replace(tzinfo=zone) if zone else moment.astimezone()


def username(head: str, info: AttemptInfo) -> str:
    """The username in ``{assignment}_{username}``: the one the .txt names if the head ends
    with it (a username may hold an underscore), else the head's last ``_`` part."""
    if info.username and head.endswith("_" + info.username):
        return info.username
    return head.rsplit("_", 1)[-1]


def read(root: Path, assignment: Assignment) -> tuple[list[Submission], list[Skipped]]:
    """Every student's attempts in the download: the submissions (each from its latest
    attempt), and what was skipped (older attempts, other copies, other files, stray files)."""
    skipped: list[Skipped] = []
    files, unnamed = [], []
    for entry in visible_entries(root, skipped):
        found = parse(entry) if not entry.is_dir() else None
        (unnamed if found is None else files).append(found or entry)
    infos = {f.attempt: read_info(f.path) for f in files if f.filename is None}
    by_student: dict[str, dict[str, list[AttemptFile]]] = defaultdict(lambda: defaultdict(list))
    for f in files:
        info = infos.get(f.attempt, AttemptInfo())
        by_student[username(f.head, info)][f.stamp].append(f)
    submissions = [_submission(student, by_student[student], infos, root, assignment, skipped)
                   for student in sorted(by_student)]
    return submissions, skipped + stray(unnamed, root)


def _submission(student: str, attempts: dict[str, list[AttemptFile]],
                infos: dict[str, AttemptInfo], root: Path, assignment: Assignment,
                skipped: list[Skipped]) -> Submission:
    """One student's submission from the latest of their attempts."""
    latest = max(attempts)
    files = attempts[latest]
    attempt = files[0].attempt
    info = infos.get(attempt, AttemptInfo())
    newest_first = [infos.get(attempts[s][0].attempt) for s in sorted(attempts, reverse=True)]
    name = next((i.name for i in newest_first if i and i.name), None)
    submission = Submission(student, root, name=name,
                            submitted_at=submitted_at(latest, info.date_line),
                            feedback=FeedbackTarget(prefix=f"{attempt}_"))
    if not valid_student_id(student):
        submission.problems.append(
            "the username is not a usable student id (letters, digits, . _ @ + -)")
        return submission
    candidates: dict[str, list[Path]] = defaultdict(list)
    unexpected = []
    for f in files:
        if f.filename is None:
            continue  # the attempt's .txt: read above
        notebook = assignment_notebook(f.filename, assignment.notebooks)
        if notebook is not None:
            candidates[notebook].append(f.path)
        elif is_notebook(f.filename):
            unexpected.append(f.filename)
        else:
            skipped.append(Skipped(relative(f.path, root), NOT_A_NOTEBOOK, student))
    chosen = choose_newest(candidates, lambda p: copy_rank(p.relative_to(root)), student,
                           ANOTHER_COPY, root, skipped)
    for stamp in sorted(attempts):
        for f in attempts[stamp] if stamp != latest else []:
            if f.filename is None:
                continue
            graded = chosen.get(assignment_notebook(f.filename, assignment.notebooks) or "")
            kept = relative(graded, root) if graded else attempt
            skipped.append(Skipped(relative(f.path, root), OLDER_ATTEMPT, student, kept))
    check_notebooks(submission, chosen, unexpected, assignment, root)
    return submission
