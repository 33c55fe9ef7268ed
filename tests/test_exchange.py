"""A real nbgrader exchange round trip, with real Unix students, graded by our ``grade``.

The lecturer (root) releases the tiny assignment to a fresh exchange (world-writable, sticky);
two students made for the test with ``useradd`` fetch it as themselves, answer it (alice
completely, bob only exercise 2) and submit, bob a little later; the lecturer collects.
``python -m autograder grade`` (the real command, sandboxed) grades ``submitted/`` with a due
date between the two submissions and ``--nbgrader-course``, which writes the feedback where
``nbgrader release_feedback`` takes it; the lecturer releases it, and each student's
``fetch_feedback`` brings back their own page and no one else's, without a hidden-test line.
The users and every folder are removed afterwards, also when the test fails.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from received import leaks, secret_lines, visible_text
from unix_students import StudentAccounts, why_no_users

from autograder.layouts.times import nbgrader_time
from autograder.samples import answered, released_copy
from autograder.sandbox import find_bwrap

FIXTURE = Path(__file__).parent / "fixtures" / "tiny"
COURSE_ID = "nn-exchange-test"
CONFIG = """c = get_config()
c.CourseDirectory.course_id = {course!r}
c.Exchange.root = {exchange!r}
"""

pytestmark = [
    pytest.mark.skipif(why_no_users() is not None,
                       reason=f"real nbgrader students need Unix users: {why_no_users()}"),
    pytest.mark.skipif(find_bwrap() is None,
                       reason="bubblewrap (bwrap) is not installed: grading is sandboxed"),
]


def lecturer(course: Path, *args: str) -> subprocess.CompletedProcess:
    """An nbgrader command of the lecturer's, in the course directory (its own config only)."""
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(course / ".jupyter-config"),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"nbgrader {args[0]}: {done.stdout[-3000:]}{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The exchange, the course and two students; everything is removed at the end."""
    base = Path(tempfile.mkdtemp(prefix="nbgrader-exchange-test-"))
    base.chmod(0o755)  # students must reach their homes and the exchange through it
    accounts = StudentAccounts(base)
    try:
        exchange = base / "exchange"
        exchange.mkdir()
        exchange.chmod(0o1777)  # as nbgrader wants Exchange.root: world-writable, sticky
        course = base / "course"
        assignment, release_nb, source = released_copy(FIXTURE, course)
        config = CONFIG.format(course=COURSE_ID, exchange=str(exchange))
        (course / "nbgrader_config.py").write_text(
            config + 'c.CourseDirectory.source_directory = "solutions"\n')
        students = {}
        for first_name in ("alice", "bob"):
            student = accounts.add(first_name)
            (student.home / "nbgrader_config.py").write_text(config)
            students[first_name] = student
        yield base, exchange, course, assignment, release_nb, source, students
    finally:
        left = accounts.remove_all()
        shutil.rmtree(base, ignore_errors=True)
        assert not left, f"users left behind: {left}"


@pytest.fixture(scope="module")
def round_trip(world):
    """Release, fetch, answer, submit, collect, grade, release and fetch the feedback."""
    base, exchange, course, assignment, release_nb, source, students = world
    lecturer(course, "release_assignment", assignment.name)
    answers = {"alice": ["ex1_square", "ex2_cube"], "bob": ["ex2_cube"]}
    for first_name, student in students.items():
        student.nbgrader("fetch_assignment", assignment.name)
        fetched = student.home / assignment.name / "tiny.ipynb"
        staged = base / f"{student.name}-answer.ipynb"
        nbformat.write(answered(nbformat.read(fetched, as_version=4), source,
                                answers[first_name]), staged)
        staged.chmod(0o644)
        student.run("cp", str(staged), str(fetched))  # the student's own file, as they saved it
        student.nbgrader("submit", assignment.name)
        time.sleep(1.2)  # bob submits later than alice, with a due date in between
    lecturer(course, "collect", assignment.name)
    times = {first_name: nbgrader_time((course / "submitted" / s.name / assignment.name /
                                        "timestamp.txt").read_text())
             for first_name, s in students.items()}
    due = times["alice"] + (times["bob"] - times["alice"]) / 2
    out = base / "out"
    graded = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", assignment.name,
         str(course / "submitted"), "--course-dir", str(course), "--out", str(out),
         "--workers", "2", "--timeout", "30", "--no-progress", "--due", due.isoformat(),
         "--nbgrader-course", str(course)],
        capture_output=True, text=True, timeout=600)
    assert graded.returncode == 0, graded.stdout[-3000:] + graded.stderr[-3000:]
    lecturer(course, "release_feedback", assignment.name)
    for student in students.values():
        student.nbgrader("fetch_feedback", assignment.name)
    return out, graded.stdout, times


def fetched_pages(student, assignment: str) -> list[Path]:
    return sorted(p for p in (student.home / assignment / "feedback").rglob("*") if p.is_file())


def test_the_collected_submissions_are_graded_with_lateness_from_their_timestamps(world,
                                                                                 round_trip):
    *_, students = world
    out, stdout, times = round_trip
    with open(out / "grades.csv", newline="") as file:
        rows = {row["student_id"]: row for row in csv.DictReader(file)}
    alice, bob = students["alice"].name, students["bob"].name
    assert {s: float(r["score"]) for s, r in rows.items()} == {alice: 8.0, bob: 3.0}
    assert (rows[alice]["late"], rows[bob]["late"]) == ("false", "true")
    assert rows[alice]["submitted_at"] == times["alice"].isoformat()
    assert "read as: nbgrader" in stdout.splitlines()
    assert "sandboxed" in stdout and "NOT sandboxed" not in stdout


def test_grade_writes_what_release_feedback_needs_into_the_course(world, round_trip):
    _, _, course, assignment, *_, students = world
    out, stdout, _ = round_trip
    for student in students.values():
        folder = course / "feedback" / student.name / assignment.name
        submitted = course / "submitted" / student.name / assignment.name
        assert sorted(p.name for p in folder.iterdir()) == [
            "submission_secret.txt", "timestamp.txt", "tiny.html"]
        for kept in ("submission_secret.txt", "timestamp.txt"):
            assert (folder / kept).read_bytes() == (submitted / kept).read_bytes()
        assert (folder / "tiny.html").read_bytes() == \
            (out / "feedback" / student.name / "tiny.html").read_bytes()
    assert (f"feedback for nbgrader course: 2 students, 6 files in {course / 'feedback'}"
            in stdout.splitlines())
    assert "  then, in the course directory: nbgrader release_feedback tiny" in stdout


def test_each_student_fetches_their_own_feedback_only(world, round_trip):
    _, exchange, course, assignment, *_, students = world
    out, _, _ = round_trip
    released = sorted((exchange / COURSE_ID / "feedback").glob("*.html"))
    assert len(released) == 2  # one page per student, under nbgrader's hashed names
    pages = {s.name: (out / "feedback" / s.name / "tiny.html").read_bytes()
             for s in students.values()}
    assert len(set(pages.values())) == 2
    scores = {"alice": "8.0", "bob": "3.0"}
    for first_name, student in students.items():
        fetched = fetched_pages(student, assignment.name)
        stamp = (course / "submitted" / student.name / assignment.name /
                 "timestamp.txt").read_text()
        assert [p.relative_to(student.home) for p in fetched] == [
            Path(assignment.name) / "feedback" / stamp / "tiny.html"]
        assert fetched[0].read_bytes() == pages[student.name]
        assert fetched[0].stat().st_uid != 0  # fetched by the student, as the student
        assert f"tiny (Score: {scores[first_name]} / 8.0)" in visible_text(fetched[0])


def test_the_fetched_feedback_holds_no_hidden_test_line(world, round_trip):
    *_, release_nb, source, students = world
    secrets = secret_lines(source, release_nb)
    assert secrets
    for student in students.values():
        assert fetched_pages(student, "tiny")
        assert leaks(student.home / "tiny" / "feedback", secrets) == {}


def test_the_nbgrader_zip_has_a_folder_per_student_and_assignment(world, round_trip):
    *_, students = world
    out, _, _ = round_trip
    with zipfile.ZipFile(out / "nbgrader_feedback.zip") as archive:
        names = sorted(archive.namelist())
    assert names == sorted(f"{s.name}/tiny/{page}" for s in students.values()
                           for page in ("index.html", "tiny.html"))
