"""The feedback where nbgrader's exchange delivers it: the lecturer's course directory's
``feedback/{student}/{assignment}/{notebook}.html``, for ``nbgrader release_feedback``.

How nbgrader 0.9 matches a page to its student (nbgrader/exchange/default/): ``submit`` writes
a random ``submission_secret.txt`` into the submission and into the student's own cache;
``collect`` brings it, with ``timestamp.txt``, into ``submitted/{student}/{assignment}/``.
``release_feedback`` reads both from beside each page in ``feedback/{student}/{assignment}/``
and publishes the page as ``{md5(secret + notebook)}.html`` in the exchange; the student's
``fetch_feedback`` computes the same name from the secret in their cache, so a student finds
only the pages of their own submission. So beside the pages go the two files of the submission
that was graded, read from where it was graded, unchanged.

Only the notebooks' pages go there (``release_feedback`` publishes every ``*.html`` it finds,
and ``fetch_feedback`` looks only for the submitted notebooks' names, so a summary page would
be published and never fetched). The pages are ``grade``'s own, made from the student view.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.coursedir import Assignment, SetupError
from autograder.delivery import (
    NO_FEEDBACK_PAGE,
    NO_SUBMISSION_SECRET,
    NO_TIMESTAMP,
    NOT_GRADED,
    Delivery,
    NotDelivered,
)
from autograder.grading import StudentResult
from autograder.submissions import Submission

TIMESTAMP_FILE = "timestamp.txt"
SECRET_FILE = "submission_secret.txt"
MAX_KEPT_FILE_BYTES = 4096  # a timestamp or a secret (nbgrader's is 128 characters)
TARGET = "nbgrader course"
HOW_TO = "then, in the course directory: nbgrader release_feedback {assignment}"


def check_course_dir(course_dir: Path, layout: str) -> Path:
    """The course directory to write feedback into, checked before any grading: it exists, and
    the submissions came in nbgrader's layout (only they carry what release_feedback needs)."""
    if not course_dir.is_dir():
        raise SetupError(f"--nbgrader-course {course_dir}: no such folder; give the nbgrader "
                         "course directory (the one holding submitted/ and gradebook.db)")
    if layout != "nbgrader":
        raise SetupError(f"--nbgrader-course needs submissions in nbgrader's layout "
                         f"(submitted/{{student}}/{{assignment}}/ as `nbgrader collect` leaves "
                         f"them); these were read as {layout}")
    return course_dir.resolve()


def write_course_feedback(submissions: list[Submission], results: list[StudentResult],
                          assignment: Assignment, out: Path, course_dir: Path) -> Delivery:
    """Write ``course_dir/feedback/{student}/{assignment}/`` for each graded student of the
    run in ``out`` (its pages in ``out/feedback/{student}/``): the notebooks' pages, and the
    submission's ``timestamp.txt`` and ``submission_secret.txt``. A student's earlier feedback
    folder for this assignment is replaced, so that no page of an older grading is released."""
    by_id = {r.student_id: r for r in results}
    feedback = course_dir / "feedback"
    delivery = Delivery(TARGET, feedback, how_to=HOW_TO.format(assignment=assignment.name))
    for submission in submissions:
        found = _files(submission, by_id[submission.student_id], out)
        if isinstance(found, str):
            delivery.not_delivered.append(NotDelivered(submission.student_id, found))
            continue
        folder = feedback / submission.student_id / assignment.name  # a checked id
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in found.items():
            (folder / name).write_bytes(data)
            (folder / name).chmod(0o644)
        delivery.files[submission.student_id] = [
            f"{submission.student_id}/{assignment.name}/{name}" for name in found]
    if not delivery.files:
        delivery.destination = None
    return delivery


def _files(submission: Submission, result: StudentResult, out: Path) -> dict[str, bytes] | str:
    """One student's files for the feedback folder (name -> content), or why there are none."""
    if not result.graded or not submission.notebooks:
        return NOT_GRADED
    pages = out / "feedback" / submission.student_id
    files = {f"{name}.html": (pages / f"{name}.html").read_bytes()
             for name in sorted(submission.notebooks) if (pages / f"{name}.html").is_file()}
    if not files:
        return NO_FEEDBACK_PAGE
    submitted = next(iter(submission.notebooks.values())).parent
    for name, missing in ((TIMESTAMP_FILE, NO_TIMESTAMP), (SECRET_FILE, NO_SUBMISSION_SECRET)):
        kept = _small_file(submitted / name)
        if kept is None:
            return missing
        files[name] = kept
    return files


def _small_file(path: Path) -> bytes | None:
    """The bytes of a plain file of the submission (not a link, not large), or None."""
    if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_KEPT_FILE_BYTES:
        return None
    return path.read_bytes()
