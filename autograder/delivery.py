"""What became of the feedback that goes back to the students, as data: where it was written,
which files each student gets, and who gets nothing and why.

Both ways back to the students record their work here: the zip for the LMS
(:mod:`autograder.feedback_zip`) and nbgrader's ``feedback/`` folder for its exchange
(:mod:`autograder.nbgrader_feedback`). ``Delivery.describe`` makes the lines of ``grade``'s
summary from the values, so that tests can check the values and never parse sentences.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from autograder.submissions import printable

# Why a student gets no feedback file (the values of NotDelivered.reason).
NOT_GRADED = "not graded"  # nothing went through nbgrader, so there is nothing to send
NO_FEEDBACK_PAGE = "no feedback page"  # graded, but no page of a notebook was made
ANONYMOUS = "anonymous"  # Canvas's re-upload finds the student by a user id these names lack
NO_SUBMISSION_SECRET = "no submission_secret.txt"  # nbgrader's release_feedback needs it
NO_TIMESTAMP = "no timestamp.txt"  # ... and this

REASONS = {
    NOT_GRADED: "not graded, so there is no feedback to send",
    NO_FEEDBACK_PAGE: "graded, but no feedback page was made (see the student's problems)",
    ANONYMOUS: "an anonymous Canvas download: Canvas's upload finds a file's student by the "
               "user id in its name, and anonymous names (anon_...) carry none",
    NO_SUBMISSION_SECRET: "no submission_secret.txt beside the submission (nbgrader's "
                          "`submit` writes one, and `release_feedback` needs it)",
    NO_TIMESTAMP: "no timestamp.txt beside the submission (nbgrader's `release_feedback` "
                  "needs it)",
}


@dataclass(frozen=True)
class NotDelivered:
    """A student who gets no feedback file, and why (one of the reasons above)."""

    student_id: str
    reason: str

    def describe(self) -> str:
        return f"no feedback for {printable(self.student_id)}: {REASONS[self.reason]}"


@dataclass
class Delivery:
    """The feedback written for one way back to the students.

    ``target`` names the way (an LMS layout, or ``nbgrader course``); ``destination`` is the
    zip or folder written (None when no student had anything to send, so nothing was
    written); ``files`` maps each student who gets feedback to the paths written for them,
    inside ``destination``; ``how_to`` says what the lecturer does with it next.
    """

    target: str
    destination: Path | None
    files: dict[str, list[str]] = field(default_factory=dict)
    not_delivered: list[NotDelivered] = field(default_factory=list)
    how_to: str = ""

    @property
    def students(self) -> list[str]:
        """The students who get feedback, in the order they were written."""
        return list(self.files)

    def describe(self) -> list[str]:
        """The lines of the summary: what was written where, then each student left out."""
        count = sum(len(paths) for paths in self.files.values())
        if self.destination is None:
            lines = [f"feedback for {self.target}: nothing written (no student had feedback "
                     "to send)"]
        else:
            students = f"{len(self.files)} student{'s' if len(self.files) != 1 else ''}"
            lines = [f"feedback for {self.target}: {students}, {count} files in "
                     f"{self.destination}"]
            if self.how_to:
                lines.append(f"  {self.how_to}")
        lines += [f"  - {item.describe()}" for item in self.not_delivered]
        return lines
