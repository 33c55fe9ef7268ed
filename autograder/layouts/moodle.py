"""Moodle's "Download all submissions" zip: one folder per participant and submission plugin,

    {Full Name}_{participant id}_assignsubmission_file_/{file name}

(Moodle 4.1 and later write the folder without the last ``_``; both are read), or, when the
download is not in folders, flat files ``{Full Name}_{participant id}_assignsubmission_file_{file
name}``. Blind marking writes ``Participant`` in place of the name.
Text typed into Moodle comes as ``..._assignsubmission_onlinetext_`` (not a notebook).

The student id is the participant id, the name the full name; the zip holds no submission
times. Feedback files go back into Moodle in folders named as the download's.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from autograder.coursedir import Assignment
from autograder.layouts.found import (
    choose_newest,
    copy_rank,
    files_inside,
    relative,
    stray,
    visible_entries,
)
from autograder.layouts.names import assignment_notebook, is_notebook, normalized
from autograder.submissions import (
    ANOTHER_COPY,
    NOT_A_NOTEBOOK,
    ONLINE_TEXT,
    FeedbackTarget,
    Skipped,
    Submission,
    check_notebooks,
    linked_folder_problem,
)

NAME = "moodle"
SHAPE = ("folders {Full Name}_{participant id}_assignsubmission_file_/{file name} (Moodle "
         "4.1+: without the last _)")

BLIND_NAME = "Participant"
_PARTICIPANT = r"(?P<name>.+?)_(?P<id>[0-9]+)_assignsubmission_(?P<plugin>[a-z]+)"
# Moodle up to 4.0 ends the folder name with "_", its newer downloader without
FOLDER = re.compile(_PARTICIPANT + r"(?P<end>_?)", re.DOTALL)
FLAT_FILE = re.compile(_PARTICIPANT + r"(?P<end>_)(?P<file>.+)", re.DOTALL)
FILE_PLUGIN = "file"
TEXT_PLUGIN = "onlinetext"


@dataclass(frozen=True)
class MoodleEntry:
    """A folder (or flat file) of the download, as its name says."""

    path: Path
    participant: str
    name: str | None  # None under blind marking
    plugin: str  # file, onlinetext, ...
    folder_name: str  # {Full Name}_{id}_assignsubmission_{plugin}_ (or without the last _)

    @property
    def feedback_folder(self) -> str:
        """The folder Moodle's feedback zip wants for this participant's files: the download's
        name for the file plugin, ending as the download's did (with "_" or without)."""
        end = "_" if self.folder_name.endswith("_") else ""
        base = self.folder_name.removesuffix(end).removesuffix(self.plugin)
        return f"{base}{FILE_PLUGIN}{end}"


def parse(entry: Path) -> MoodleEntry | None:
    """The entry's parts, or None if it is not named as Moodle names them."""
    name = normalized(entry.name)
    match = (FOLDER if entry.is_dir() else FLAT_FILE).fullmatch(name)
    if match is None:
        return None
    full_name = match["name"] if match["name"] != BLIND_NAME else None
    return MoodleEntry(entry, match["id"], full_name, match["plugin"],
                       name[: match.end("end")])


def fits(entry: Path, assignment: Assignment) -> bool:
    """Whether a top-level entry is named as Moodle names a submission's folder or file."""
    return parse(entry) is not None


def read(root: Path, assignment: Assignment) -> tuple[list[Submission], list[Skipped]]:
    """Every participant's folders (or files) in the download: the submissions, and what was
    skipped (online text, other copies, files that are not notebooks, stray files)."""
    skipped: list[Skipped] = []
    by_participant: dict[str, list[MoodleEntry]] = defaultdict(list)
    unnamed = []
    for entry in visible_entries(root, skipped):
        found = parse(entry)
        if found is None:
            unnamed.append(entry)
        else:
            by_participant[found.participant].append(found)
    submissions = [_submission(by_participant[p], root, assignment, skipped)
                   for p in sorted(by_participant, key=lambda p: (len(p), p))]
    return submissions, skipped + stray(unnamed, root)


def _submission(entries: list[MoodleEntry], root: Path, assignment: Assignment,
                skipped: list[Skipped]) -> Submission:
    """One participant's submission from their entries."""
    participant = entries[0].participant
    name = next((e.name for e in entries if e.name), None)
    submission = Submission(participant, root, name=name,
                            feedback=FeedbackTarget(folder=entries[0].feedback_folder))
    candidates: dict[str, list[Path]] = defaultdict(list)
    unexpected = []
    for entry in entries:
        if entry.plugin != FILE_PLUGIN:
            reason = ONLINE_TEXT if entry.plugin == TEXT_PLUGIN else NOT_A_NOTEBOOK
            skipped.append(Skipped(relative(entry.path, root), reason, participant))
            continue
        if entry.path.is_dir() and entry.path.is_symlink():
            submission.problems.append(linked_folder_problem(entry.path, root))
            continue
        files = files_inside(entry.path) if entry.path.is_dir() else [entry.path]
        for path in files:
            filename = path.name if entry.path.is_dir() else entry.path.name[
                len(entry.folder_name):]
            notebook = assignment_notebook(normalized(filename), assignment.notebooks)
            if notebook is not None:
                candidates[notebook].append(path)
            elif is_notebook(filename):
                unexpected.append(relative(path, entry.path) if entry.path.is_dir() else filename)
            else:
                skipped.append(Skipped(relative(path, root), NOT_A_NOTEBOOK, participant))
    chosen = choose_newest(candidates, lambda p: copy_rank(p.relative_to(root)), participant,
                           ANOTHER_COPY, root, skipped)
    check_notebooks(submission, chosen, unexpected, assignment, root)
    return submission
