"""What --nbgrader-course writes for each student, and whom it leaves out and why (fast: the
run's pages and the submissions are files written here; tests/test_exchange.py does the whole
round trip through nbgrader's exchange)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.coursedir import Assignment, SetupError
from autograder.delivery import (
    NO_FEEDBACK_PAGE,
    NO_SUBMISSION_SECRET,
    NO_TIMESTAMP,
    NOT_GRADED,
    NotDelivered,
)
from autograder.grading import StudentResult
from autograder.nbgrader_feedback import check_course_dir, write_course_feedback
from autograder.submissions import Submission

TINY = Assignment("tiny", Path(__file__).parent / "fixtures" / "tiny")
SECRET = "5e" * 64


def submitted(root: Path, student: str, files: dict[str, str]) -> Submission:
    """A student's collected submission, ``submitted/{student}/tiny/``, with ``files``."""
    folder = root / "submitted" / student / "tiny"
    folder.mkdir(parents=True)
    for name, text in {"tiny.ipynb": "{}", **files}.items():
        (folder / name).write_text(text)
    return Submission(student, folder.parent, notebooks={"tiny": folder / "tiny.ipynb"})


def page(out: Path, student: str, text: str) -> None:
    (out / "feedback" / student).mkdir(parents=True)
    (out / "feedback" / student / "tiny.html").write_text(text)
    (out / "feedback" / student / "index.html").write_text("summary")


@pytest.fixture
def run(tmp_path):
    """Five students: one complete, one without a secret, one without a timestamp, one not
    graded, one graded without a page; and a course holding an older grading's feedback."""
    stamp = {"timestamp.txt": "2026-11-30 14:03:05.123456 UTC"}
    both = {**stamp, "submission_secret.txt": SECRET}
    out = tmp_path / "out"
    submissions = [submitted(tmp_path, "ada", both), submitted(tmp_path, "ben", stamp),
                   submitted(tmp_path, "cleo", {"submission_secret.txt": SECRET}),
                   submitted(tmp_path, "dan", both), submitted(tmp_path, "eve", both)]
    for student in ("ada", "ben", "cleo", "dan"):
        page(out, student, f"the page of {student}")
    results = [StudentResult(s.student_id, 5, 8, graded=s.student_id != "dan")
               for s in submissions]
    course = tmp_path / "course"
    old = course / "feedback" / "ada" / "tiny"
    old.mkdir(parents=True)
    (old / "removed_notebook.html").write_text("a page of an older grading")
    return submissions, results, out, course


def test_each_graded_student_gets_the_page_and_the_submissions_two_files(run):
    submissions, results, out, course = run
    delivery = write_course_feedback(submissions, results, TINY, out, course)
    folder = course / "feedback" / "ada" / "tiny"
    assert sorted(p.name for p in folder.iterdir()) == [
        "submission_secret.txt", "timestamp.txt", "tiny.html"]  # the older page is gone
    assert (folder / "submission_secret.txt").read_text() == SECRET
    assert (folder / "timestamp.txt").read_text() == "2026-11-30 14:03:05.123456 UTC"
    assert (folder / "tiny.html").read_text() == "the page of ada"
    assert delivery.files == {"ada": ["ada/tiny/tiny.html", "ada/tiny/timestamp.txt",
                                      "ada/tiny/submission_secret.txt"]}
    assert delivery.destination == course / "feedback"


def test_whom_it_leaves_out_and_why(run):
    submissions, results, out, course = run
    delivery = write_course_feedback(submissions, results, TINY, out, course)
    assert delivery.not_delivered == [NotDelivered("ben", NO_SUBMISSION_SECRET),
                                      NotDelivered("cleo", NO_TIMESTAMP),
                                      NotDelivered("dan", NOT_GRADED),
                                      NotDelivered("eve", NO_FEEDBACK_PAGE)]
    assert sorted(p.name for p in (course / "feedback").iterdir()) == ["ada"]
    lines = delivery.describe()
    assert lines[0] == f"feedback for nbgrader course: 1 student, 3 files in {course / 'feedback'}"
    assert lines[2] == ("  - no feedback for ben: no submission_secret.txt beside the submission "
                        "(nbgrader's `submit` writes one, and `release_feedback` needs it)")


def test_a_linked_secret_is_not_read(run, tmp_path):
    submissions, results, out, course = run
    secret = submissions[0].notebooks["tiny"].parent / "submission_secret.txt"
    secret.unlink()
    secret.symlink_to("/etc/hostname")
    delivery = write_course_feedback(submissions[:1], results[:1], TINY, out, course)
    assert delivery.not_delivered == [NotDelivered("ada", NO_SUBMISSION_SECRET)]
    assert delivery.destination is None


def test_the_course_directory_is_checked_before_grading(tmp_path):
    with pytest.raises(SetupError, match="no such folder"):
        check_course_dir(tmp_path / "missing", "nbgrader")
    with pytest.raises(SetupError, match="these were read as moodle"):
        check_course_dir(tmp_path, "moodle")
    assert check_course_dir(tmp_path, "nbgrader") == tmp_path.resolve()


def test_grade_refuses_the_option_for_another_layout_before_grading(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(TINY.source_dir, course / "solutions" / "tiny")
    canvas = tmp_path / "canvas"
    canvas.mkdir()
    shutil.copy(TINY.source_dir / "tiny.ipynb", canvas / "lovelaceada_12345_1001_tiny.ipynb")
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", "tiny", str(canvas),
                           "--course-dir", str(course), "--out", str(tmp_path / "out"),
                           "--nbgrader-course", str(course)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "--nbgrader-course needs submissions in nbgrader's layout" in done.stderr
    assert "these were read as canvas" in done.stderr
    assert "grading tiny" not in done.stdout and not (tmp_path / "out" / "nbgrader").exists()
