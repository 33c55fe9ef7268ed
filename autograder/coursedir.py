"""Where things are: the course directory (nbgrader's CourseDirectory), its assignments and their
notebooks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from traitlets.config import Config

REPOSITORY = Path(__file__).resolve().parents[1]
COURSE_ID = "nn-course"


class SetupError(Exception):
    """The command cannot run at all (unknown assignment, missing folder, ...): exit non-zero."""


@dataclass(frozen=True)
class Assignment:
    """An assignment of the course: its name and the source notebooks in ``solutions/<name>/``."""

    name: str
    source_dir: Path

    @property
    def notebooks(self) -> list[str]:
        """The notebook names (without ``.ipynb``) a submission must contain."""
        return sorted(p.stem for p in self.source_dir.glob("*.ipynb"))


def solutions_dir(root: Path = REPOSITORY) -> Path:
    return root / "solutions"


def assignments(root: Path = REPOSITORY) -> list[Assignment]:
    """Every assignment under ``solutions/``, in name order."""
    base = solutions_dir(root)
    if not base.is_dir():
        raise SetupError(f"no solutions/ folder in {root}: is this the course directory?")
    return [
        Assignment(path.name, path)
        for path in sorted(base.iterdir())
        if path.is_dir() and any(path.glob("*.ipynb"))
    ]


def find_assignment(name: str, root: Path = REPOSITORY) -> Assignment:
    """The assignment called ``name``, or a SetupError that lists the known ones."""
    known = assignments(root)
    for assignment in known:
        if assignment.name == name:
            return assignment
    names = ", ".join(a.name for a in known) or "none"
    raise SetupError(f"unknown assignment {name!r}; the assignments are: {names}")


def nbgrader_config(course_root: Path, source_directory: str = "source") -> Config:
    """nbgrader settings for a course directory rooted at ``course_root``.

    The repository itself is a course directory whose sources are in ``solutions/``; each
    grading run works in a course directory of its own whose sources are in ``source/``.
    """
    config = Config()
    config.CourseDirectory.root = str(course_root)
    config.CourseDirectory.course_id = COURSE_ID
    config.CourseDirectory.source_directory = source_directory
    config.CourseDirectory.release_directory = "release"
    config.CourseDirectory.submitted_directory = "submitted"
    config.CourseDirectory.autograded_directory = "autograded"
    config.CourseDirectory.feedback_directory = "feedback"
    return config
