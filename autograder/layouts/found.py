"""What reading a folder of submissions in one layout gives, and the parts every layout
shares: listing a folder's entries (setting aside what tools leave behind) and choosing one
file per notebook among several copies."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from autograder.layouts.names import copy_number
from autograder.submissions import (
    HIDDEN_FOLDER,
    IGNORED_FOLDERS,
    STRAY_FILE,
    Skipped,
    Submission,
    holds_notebooks,
)


@dataclass
class FoundSubmissions:
    """The submissions read from ``root`` in ``layout`` (``detected``: found by looking at the
    names, not given with --layout), and what was skipped."""

    layout: str
    root: Path
    submissions: list[Submission] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    detected: bool = True


def visible_entries(folder: Path, skipped: list[Skipped], prefix: str = "") -> list[Path]:
    """The entries of ``folder`` that may be submissions, in name order.

    Tool folders (``__MACOSX``, ``.ipynb_checkpoints``) are passed over; a hidden folder with
    notebooks and a hidden file (``.DS_Store``) are recorded in ``skipped``, with ``prefix``
    before their names (the folder's own path inside the submissions).
    """
    entries = []
    for entry in sorted(folder.iterdir()):
        if entry.name in IGNORED_FOLDERS:
            continue
        if entry.name.startswith("."):
            if not entry.is_dir():
                skipped.append(Skipped(prefix + entry.name, STRAY_FILE))
            elif holds_notebooks(entry):
                skipped.append(Skipped(prefix + entry.name, HIDDEN_FOLDER))
            continue
        entries.append(entry)
    return entries


def files_inside(folder: Path) -> list[Path]:
    """The files anywhere under a student's folder (not in hidden or tool folders), in order."""
    found = []
    for path in sorted(folder.rglob("*")):
        inside = path.relative_to(folder).parts
        if any(part.startswith(".") or part in IGNORED_FOLDERS for part in inside):
            continue
        if path.is_file() or path.is_symlink():
            found.append(path)
    return found


def choose_newest(candidates: dict[str, list[Path]], newness: Callable[[Path], object],
                  student_id: str, reason: str, root: Path,
                  skipped: list[Skipped]) -> dict[str, Path]:
    """One file per notebook: of each notebook's ``candidates``, the newest by ``newness``;
    the others are recorded in ``skipped`` with ``reason`` (an older attempt, another copy)."""
    chosen = {}
    for notebook, paths in candidates.items():
        ordered = sorted(paths, key=newness)
        chosen[notebook] = ordered[-1]
        kept = relative(ordered[-1], root)
        skipped += [Skipped(relative(path, root), reason, student_id, kept)
                    for path in ordered[:-1]]
    return chosen


def copy_rank(path: Path) -> tuple:
    """How much a copy in one attempt counts: the exact name first (a student who submitted
    ``x.ipynb`` and ``x (1).ipynb`` together meant ``x.ipynb``), then the one nearest the top
    of the student's folder, then the highest copy number."""
    number = copy_number(path.name)
    return (number == 0, -len(path.parts), number, path.name)


def relative(path: Path, root: Path) -> str:
    """``path`` inside the submissions folder, as the summary names it."""
    return path.relative_to(root).as_posix()


def stray(entries: Iterable[Path], root: Path) -> list[Skipped]:
    """Entries that belong to no student: recorded as stray files (a folder with a /)."""
    return [Skipped(relative(e, root) + ("/" if e.is_dir() else ""), STRAY_FILE)
            for e in entries]

