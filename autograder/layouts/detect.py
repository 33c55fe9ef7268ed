"""Which layout a folder of submissions is in, told by the names of its entries, and where the
submissions start (past a folder that only wraps them).

Each layout says which top-level entries fit its naming (its ``fits``). An entry that fits an
LMS's naming (Canvas, Moodle, Blackboard) or nbgrader's is not counted as a plain student
folder, nor is a folder whose notebooks all carry an LMS's names (a wrapper). Exactly one
layout with fitting entries is the answer; none means plain (an empty folder, or strays only);
more than one is an error that names them and asks for ``--layout``.
"""

from __future__ import annotations

from pathlib import Path

from autograder.coursedir import Assignment, SetupError
from autograder.layouts import blackboard, canvas, moodle, nbgrader_submitted, plain
from autograder.safe_text import printable
from autograder.submissions import IGNORED_FOLDERS

LMS_LAYOUTS = (canvas, moodle, blackboard)
SPECIFIC_LAYOUTS = (nbgrader_submitted, *LMS_LAYOUTS)
MAX_WRAPPERS = 3  # folders in folders that hold nothing else, looked past
MAX_EXAMPLES = 3


class AmbiguousLayout(SetupError):
    """The entries fit more than one layout; ``evidence`` maps each to the entries that fit."""

    def __init__(self, root: Path, evidence: dict[str, list[str]]):
        self.evidence = evidence
        fitting = "; ".join(
            f"{layout} ({len(names)} {'entry' if len(names) == 1 else 'entries'}, e.g. "
            + ", ".join(repr(printable(n)) for n in names[:MAX_EXAMPLES]) + ")"
            for layout, names in sorted(evidence.items()))
        super().__init__(f"the submissions in {root} fit more than one layout: {fitting}; "
                         f"say which with --layout {'|'.join(sorted(evidence))}")


def entries(folder: Path) -> list[Path]:
    """The entries of a folder that may be submissions (not hidden, not a tool's folder)."""
    return sorted(e for e in folder.iterdir()
                  if not e.name.startswith(".") and e.name not in IGNORED_FOLDERS)


def claims(entry: Path, assignment: Assignment) -> list[str]:
    """The layouts whose naming ``entry`` fits."""
    specific = [layout.NAME for layout in SPECIFIC_LAYOUTS if layout.fits(entry, assignment)]
    if specific:
        return specific
    if plain.fits(entry, assignment) and not _holds_lms_notebooks(entry, assignment):
        return [plain.NAME]
    return []


def _holds_lms_notebooks(folder: Path, assignment: Assignment) -> bool:
    """Whether all the notebooks right inside ``folder`` carry an LMS's names (so the folder
    wraps an LMS's download rather than being a student's)."""
    notebooks = list(folder.glob("*.ipynb"))
    return bool(notebooks) and all(any(lms.fits(n, assignment) for lms in LMS_LAYOUTS)
                                   for n in notebooks)


def find_root(folder: Path, assignment: Assignment) -> Path:
    """Where the submissions start: ``folder``, or the folder inside it that a single folder
    (up to MAX_WRAPPERS deep) wraps, as zips often have one (``course_export/``)."""
    for _ in range(MAX_WRAPPERS):
        inside = entries(folder)
        if len(inside) != 1 or not inside[0].is_dir() or inside[0].is_symlink():
            break
        wrapper = inside[0]
        if claims(wrapper, assignment):  # a student's folder, or nbgrader's submitted/
            break
        if not any(e.is_dir() or claims(e, assignment) for e in entries(wrapper)):
            break  # a folder with only other files: a student's, with no notebook
        folder = wrapper
    return folder


def layout_evidence(root: Path, assignment: Assignment) -> dict[str, list[str]]:
    """Each layout that some entry of ``root`` fits, with those entries' names."""
    evidence: dict[str, list[str]] = {}
    for entry in entries(root):
        for layout in claims(entry, assignment):
            evidence.setdefault(layout, []).append(entry.name)
    return evidence


def detect_layout(root: Path, assignment: Assignment) -> str:
    """The name of the layout that ``root``'s entries are in (raises AmbiguousLayout)."""
    evidence = layout_evidence(root, assignment)
    if len(evidence) > 1:
        raise AmbiguousLayout(root, evidence)
    return next(iter(evidence), plain.NAME)
