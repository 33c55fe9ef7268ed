"""The feedback as a zip that the LMS the submissions came from takes back, one per grading run:
``OUT/{layout}_feedback.zip``, beside grades.csv.

Each LMS matches an uploaded file to its student by the name the file has, so the names follow
what each one's import reads (the rules below are taken from their code):

- **Moodle** ("Upload multiple feedback files in a zip", mod/assign/feedback/file/
  importziplib.php): a file belongs to the participant whose id is the second ``_``-separated
  part of a folder (or file) name shaped ``{name}_{participant id}_{plugin type}_{plugin}``;
  the download's own folder name, ``{Full Name}_{participant id}_assignsubmission_file_/``,
  is reused (Moodle writes a ``_`` in a name as a space, so that the id stays the second
  part; a folder name with one, which its import would not match, gets the space). Files
  whose names start with ``.`` or ``~`` are passed over, and so is a file identical (same
  name, same content) to one the student submitted; a feedback file of the same name is
  replaced. The zip holds each student's feedback pages (``index.html`` and one page per
  notebook).
- **Canvas** ("Upload Submissions" on the assignment, app/models/assignment.rb
  ``infer_comment_context_from_filename``): of a file name cut at ``_``, the first two parts
  that are all digits are the user id and the attachment id, and the attachment must be one
  the student submitted; the file is attached to a comment on that submission under the
  submitted file's name. So each graded notebook gets one file named with its own download
  prefix, ``{sortable name}[_LATE]_{user id}_{attachment id}_{notebook}.ipynb``, and that file
  is a notebook (:mod:`autograder.feedback_notebook`), as its name will say. Anonymous names
  (``anon_{id}_...``) carry no user id: those students are left out, and named.
- **Blackboard**, the **plain** layout: ``{student id}/`` with the feedback pages (Blackboard
  has no upload that matches feedback files to students by name).
- **nbgrader**: ``{student}/{assignment}/`` with the pages; ``grade --nbgrader-course DIR``
  writes what ``nbgrader release_feedback`` needs (:mod:`autograder.nbgrader_feedback`).

Only graded students get files, all made from the student view of their graded notebooks (the
pages in ``OUT/feedback/``, and for Canvas the notebooks); the others are recorded, with the
reason, in the :class:`~autograder.delivery.Delivery`.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

import nbformat

from autograder.coursedir import Assignment
from autograder.delivery import (
    ANONYMOUS,
    NO_FEEDBACK_PAGE,
    NOT_GRADED,
    Delivery,
    NotDelivered,
)
from autograder.feedback_notebook import feedback_notebook
from autograder.grading import StudentResult
from autograder.layouts import canvas, moodle
from autograder.submissions import Submission

SUMMARY_PAGE = "index.html"
HOW_TO = {
    "moodle": "Moodle: the assignment's \"View all submissions\", Grading action \"Upload "
              "multiple feedback files in a zip\" (needs the \"Feedback files\" feedback type)",
    "canvas": "Canvas: the assignment's page, \"Upload Submissions\"; each file becomes a "
              "comment on the student's submission",
    "blackboard": "Blackboard takes no feedback zip: one folder per username, to hand out",
    "plain": "one folder per student id, to hand out",
    "nbgrader": "nbgrader: grade with --nbgrader-course DIR for release_feedback",
}


def zip_path(out: Path, layout: str) -> Path:
    """Where a run's feedback zip for ``layout`` goes."""
    return out / f"{layout}_feedback.zip"


def write_feedback_zip(layout: str, submissions: list[Submission],
                       results: list[StudentResult], assignment: Assignment,
                       out: Path) -> Delivery:
    """Write ``out/{layout}_feedback.zip`` for the students of a grading run in ``out`` (its
    pages in ``out/feedback/``, its graded notebooks in ``out/nbgrader/autograded/``), in the
    naming the LMS of ``layout`` takes back; say what was written, and who got nothing and
    why. With nothing to write, no zip is left there (an earlier run's is removed)."""
    by_id = {r.student_id: r for r in results}
    delivery = Delivery(layout, zip_path(out, layout), how_to=HOW_TO.get(layout, ""))
    members: dict[str, bytes] = {}
    for submission in submissions:
        result = by_id[submission.student_id]
        found = _members(layout, submission, result, assignment, out)
        if isinstance(found, str):
            delivery.not_delivered.append(NotDelivered(submission.student_id, found))
        else:
            members.update(found)
            delivery.files[submission.student_id] = list(found)
    if members:
        _write_zip(delivery.destination, members)
    else:
        delivery.destination.unlink(missing_ok=True)
        delivery.destination = None
    return delivery


def _members(layout: str, submission: Submission, result: StudentResult,
             assignment: Assignment, out: Path) -> dict[str, bytes] | str:
    """One student's files (path in the zip -> content), or why there are none."""
    if not result.graded:
        return NOT_GRADED
    if layout == canvas.NAME:
        return _canvas_members(submission, result, assignment, out)
    pages = out / "feedback" / submission.student_id
    names = [f"{name}.html" for name in sorted(submission.notebooks)
             if (pages / f"{name}.html").is_file()]
    if not names:
        return NO_FEEDBACK_PAGE
    if layout == moodle.NAME:
        folder = moodle_folder(submission.feedback.folder)
    elif layout in ("blackboard", "plain"):
        folder = submission.student_id
    else:
        folder = submission.feedback.folder
    return {f"{folder}/{name}": (pages / name).read_bytes()
            for name in [SUMMARY_PAGE, *names] if (pages / name).is_file()}


def moodle_folder(download_folder: str) -> str:
    """The folder of a participant's feedback files: the download's folder name, with a ``_``
    in the name written as a space, as Moodle's download writes it (its import takes the
    second ``_``-separated part for the participant id)."""
    match = moodle.FOLDER.fullmatch(download_folder)
    if match is None:
        return download_folder
    name = match["name"].replace("_", " ")
    return f"{name}_{match['id']}_assignsubmission_{moodle.FILE_PLUGIN}_"


def _canvas_members(submission: Submission, result: StudentResult, assignment: Assignment,
                    out: Path) -> dict[str, bytes] | str:
    """A Canvas student's files: for each graded notebook, its feedback notebook, named with
    the prefix of the file it was graded from (that file's attachment id)."""
    if submission.student_id.startswith("anon_"):
        return ANONYMOUS
    graded = out / "nbgrader" / "autograded" / submission.student_id / assignment.name
    members = {}
    for name, path in sorted(submission.notebooks.items()):
        source = canvas.parse(path, anonymous=False)
        notebook_file = graded / f"{name}.ipynb"
        if source is None or source.attachment is None or not notebook_file.is_file():
            continue
        notebook = feedback_notebook(nbformat.read(notebook_file, as_version=4), result,
                                     assignment.name, name)
        members[f"{source.prefix}{name}.ipynb"] = nbformat.writes(notebook).encode("utf-8")
    return members or NO_FEEDBACK_PAGE


def _write_zip(path: Path, members: dict[str, bytes]) -> None:
    """The zip, written whole under another name and then moved into place, so that an
    interrupted run never leaves half a zip to upload."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(members):
                archive.writestr(name, members[name])
        os.chmod(partial, 0o644)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
