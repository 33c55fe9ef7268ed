"""Submissions exported by Canvas, Moodle, Blackboard and nbgrader, graded for real.

The same five kinds of work, in each layout's exact naming, zipped as the system exports it:
a complete answer (8 of 8), exercise 2 only (3), the unchanged release (0), a student who
submitted twice (the newer attempt, complete, counts: 8) and a notebook under a different
name (0, reported). Each zip is unpacked and read by its detected layout, and the whole lot is
graded in one batch by the real pipeline (nbgrader, real kernels, the sandbox); each layout's
students must get the plain layout's scores. One Canvas zip also goes through the command
line, with --due, and its grades.csv and summary are checked.

The naming of each layout, detection and ``--due`` are tested without grading in
tests/test_layout_naming.py.
"""

from __future__ import annotations

import csv
import dataclasses
import zipfile
from pathlib import Path

import nbformat
import pytest
from cli import run_cli

from autograder.grading import GradingOptions, grade_submissions
from autograder.layouts import parse_due, read_submissions
from autograder.samples import answered, released_copy
from autograder.sandbox import find_bwrap
from autograder.submissions import OLDER_ATTEMPT, STRAY_FILE, unpack

FIXTURE = Path(__file__).parent / "fixtures" / "tiny"
ALL = ["ex1_square", "ex2_cube"]
SCORES = {"complete": 8, "cube_only": 3, "blank": 0, "resubmitted": 8, "other_name": 0}
DUE = "2026-11-30T23:59:00+01:00"

pytestmark = pytest.mark.skipif(find_bwrap() is None,
                                reason="bubblewrap (bwrap) is not installed: grading is "
                                       "sandboxed")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course directory with the tiny assignment released, and the three notebooks."""
    root = tmp_path_factory.mktemp("course")
    assignment, release_nb, source = released_copy(FIXTURE, root)
    notebooks = {"complete": answered(release_nb, source, ALL),
                 "cube_only": answered(release_nb, source, ["ex2_cube"]),
                 "blank": release_nb}
    return root, assignment, {k: nbformat.writes(v).encode() for k, v in notebooks.items()}


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def exports(nb: dict[str, bytes]) -> dict[str, tuple[dict[str, bytes], dict[str, str]]]:
    """Each layout's zip members, and which of its student ids did which kind of work."""
    bb = "Tiny assignment_{user}_attempt_{stamp}"
    bb_txt = ("Name: {name} ({user})\nAssignment: Tiny assignment\nDate Submitted: Monday, "
              "November 30, 2026 {time} GMT\nCurrent Grade: Needs Grading\n\nSubmission "
              "Field:\nThere is no student submission text data for this assignment.\n")
    return {
        "plain": ({"ada/tiny.ipynb": nb["complete"], "ben/tiny.ipynb": nb["cube_only"],
                   "cleo/tiny.ipynb": nb["blank"], "dan/tiny.ipynb": nb["complete"],
                   "eve/homework.ipynb": nb["complete"]},
                  {"ada": "complete", "ben": "cube_only", "cleo": "blank",
                   "dan": "resubmitted", "eve": "other_name"}),
        "canvas": ({"submissions/lovelaceada_12345_1001_tiny.ipynb": nb["complete"],
                    "submissions/bennettben_LATE_23456_1002_tiny.ipynb": nb["cube_only"],
                    "submissions/çelikcléo_34567_1003_tiny.ipynb": nb["blank"],
                    "submissions/o_dan2_45678_1004_tiny.ipynb": nb["blank"],
                    "submissions/o_dan2_45678_1010_tiny-1.ipynb": nb["complete"],
                    "submissions/adamseve_56789_1005_homework.ipynb": nb["complete"],
                    "submissions/.DS_Store": b"\0\0\0\1Bud1",
                    "__MACOSX/submissions/._lovelaceada_12345_1001_tiny.ipynb": b"\0\5"},
                   {"12345": "complete", "23456": "cube_only", "34567": "blank",
                    "45678": "resubmitted", "56789": "other_name"}),
        "canvas_anonymous": ({"anon_k9Xc2_2001_tiny.ipynb": nb["complete"],
                              "anon_7Yt3q_LATE_2002_tiny (1).ipynb": nb["cube_only"]},
                             {"anon_k9Xc2": "complete", "anon_7Yt3q": "cube_only"}),
        "moodle": ({"Ada Lovelace_1001_assignsubmission_file_/tiny.ipynb": nb["complete"],
                    "Ben Bennett_1002_assignsubmission_file_/tiny (1).ipynb": nb["cube_only"],
                    "Participant_1003_assignsubmission_file_/tiny.ipynb": nb["blank"],
                    "Dan O_Dan_1004_assignsubmission_file_/tiny.ipynb": nb["complete"],
                    "Dan O_Dan_1004_assignsubmission_file_/tiny-1.ipynb": nb["blank"],
                    "Eve Adams_1005_assignsubmission_file_/homework.ipynb": nb["complete"],
                    "Eve Adams_1005_assignsubmission_onlinetext_/onlinetext.html":
                        b"<p>see the notebook</p>"},
                   {"1001": "complete", "1002": "cube_only", "1003": "blank",
                    "1004": "resubmitted", "1005": "other_name"}),
        "blackboard": ({
            bb.format(user="alovelace", stamp="2026-11-30-10-00-00") + "_tiny.ipynb":
                nb["complete"],
            bb.format(user="alovelace", stamp="2026-11-30-10-00-00") + ".txt":
                bb_txt.format(name="Ada Lovelace", user="alovelace", time="10:00:00 AM"
                              ).encode(),
            bb.format(user="b_bennett", stamp="2026-12-01-09-30-00") + "_tiny.ipynb":
                nb["cube_only"],
            bb.format(user="b_bennett", stamp="2026-12-01-09-30-00") + ".txt":
                bb_txt.format(name="Ben Bennett", user="b_bennett", time="9:30:00 AM"
                              ).encode(),
            bb.format(user="cleo", stamp="2026-11-29-08-00-00") + "_tiny.ipynb": nb["blank"],
            bb.format(user="dan", stamp="2026-11-28-08-00-00") + "_tiny.ipynb": nb["blank"],
            bb.format(user="dan", stamp="2026-11-30-22-00-00") + "_tiny.ipynb":
                nb["complete"],
            bb.format(user="eve", stamp="2026-11-30-12-00-00") + "_homework.ipynb":
                nb["complete"]},
            {"alovelace": "complete", "b_bennett": "cube_only", "cleo": "blank",
             "dan": "resubmitted", "eve": "other_name"}),
        "nbgrader": ({"submitted/ada/tiny/tiny.ipynb": nb["complete"],
                      "submitted/ada/tiny/timestamp.txt": b"2026-11-30 14:03:05.123456 UTC",
                      "submitted/ben/tiny/tiny.ipynb": nb["cube_only"],
                      "submitted/ben/tiny/timestamp.txt": b"2026-12-01 08:00:00.000000 UTC",
                      "submitted/cleo/tiny/tiny.ipynb": nb["blank"],
                      "submitted/dan/tiny/tiny.ipynb": nb["complete"],
                      "submitted/eve/tiny/homework.ipynb": nb["complete"]},
                     {"ada": "complete", "ben": "cube_only", "cleo": "blank",
                      "dan": "resubmitted", "eve": "other_name"}),
    }


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    """Every export unpacked, read in its detected layout and graded in one batch (each
    student's id prefixed with the export's name, so that the ids stay apart)."""
    root, assignment, notebooks = course
    work = tmp_path_factory.mktemp("exports")
    due = parse_due(DUE)
    found, batch = {}, []
    for export, (members, _) in exports(notebooks).items():
        folder = unpack(make_zip(work / f"{export}.zip", members), work / export)
        found[export] = read_submissions(folder, assignment, due=due)
        batch += [dataclasses.replace(s, student_id=f"{export}-{s.student_id}")
                  for s in found[export].submissions]
    results = grade_submissions(assignment, batch, work / "run" / "nbgrader",
                                GradingOptions(workers=4, notebook_timeout=60, cell_timeout=10,
                                               feedback=False))
    return found, {r.student_id: r for r in results}


@pytest.mark.parametrize("export", ["plain", "canvas", "canvas_anonymous", "moodle",
                                    "blackboard", "nbgrader"])
def test_each_export_grades_to_the_plain_layouts_scores(course, graded, export):
    found, results = graded
    _, students = exports(course[2])[export]
    scores = {student: results[f"{export}-{student}"].score for student in students}
    assert scores == {student: SCORES[kind] for student, kind in students.items()}
    assert all(results[f"{export}-{s}"].max_score == 8 for s in students)
    layout = "canvas" if export == "canvas_anonymous" else export
    assert found[export].layout == layout and found[export].detected


@pytest.mark.parametrize("export", ["plain", "canvas", "moodle", "blackboard", "nbgrader"])
def test_a_different_notebook_is_reported_not_graded(course, graded, export):
    _, results = graded
    _, students = exports(course[2])[export]
    eve = next(s for s, kind in students.items() if kind == "other_name")
    result = results[f"{export}-{eve}"]
    assert not result.graded
    assert result.problems == [
        "missing notebook tiny.ipynb",
        "unexpected notebook homework.ipynb was not graded (the assignment has tiny.ipynb; "
        "keep the released file name)"]


def test_honest_students_have_no_problems_in_any_layout(graded):
    _, results = graded
    for student_id, result in results.items():
        if result.score == 8:
            assert result.problems == [], student_id


def test_names_lateness_and_times_come_from_the_export(graded):
    found, results = graded
    canvas = {s.student_id: s for s in found["canvas"].submissions}
    assert canvas["12345"].name == "lovelaceada" and canvas["12345"].late is False
    assert canvas["23456"].late is True  # Canvas's _LATE
    assert canvas["34567"].name == "çelikcléo"
    anonymous = {s.student_id: s for s in found["canvas_anonymous"].submissions}
    assert anonymous["anon_7Yt3q"].name is None and anonymous["anon_7Yt3q"].late is True
    moodle = {s.student_id: s for s in found["moodle"].submissions}
    assert moodle["1001"].name == "Ada Lovelace" and moodle["1003"].name is None  # blind
    assert moodle["1001"].late is None  # no times in a Moodle download
    blackboard = {s.student_id: s for s in found["blackboard"].submissions}
    assert blackboard["b_bennett"].name == "Ben Bennett"
    assert blackboard["b_bennett"].submitted_at == parse_due("2026-12-01T09:30:00+00:00")
    assert blackboard["b_bennett"].late is True and blackboard["alovelace"].late is False
    nbgrader = {s.student_id: s for s in found["nbgrader"].submissions}
    assert nbgrader["ben"].late is True and nbgrader["ada"].late is False
    assert nbgrader["cleo"].late is None  # no timestamp.txt
    # and the results carry them on to grades.csv
    assert results["canvas-23456"].late is True
    assert results["blackboard-b_bennett"].name == "Ben Bennett"
    assert results["nbgrader-ada"].submitted_at.isoformat() == "2026-11-30T14:03:05.123456+00:00"


def test_older_attempts_and_strays_are_recorded_as_skipped(graded):
    found, _ = graded
    canvas = found["canvas"].skipped
    assert [(s.path, s.reason, s.student_id, s.kept) for s in canvas
            if s.reason == OLDER_ATTEMPT] == [
        ("o_dan2_45678_1004_tiny.ipynb", OLDER_ATTEMPT, "45678",
         "o_dan2_45678_1010_tiny-1.ipynb")]
    assert [s.path for s in canvas if s.reason == STRAY_FILE] == [".DS_Store"]
    assert found["canvas"].root.name == "submissions"  # the wrapper and __MACOSX looked past
    blackboard = [(s.path, s.reason) for s in found["blackboard"].skipped]
    assert blackboard == [("Tiny assignment_dan_attempt_2026-11-28-08-00-00_tiny.ipynb",
                           OLDER_ATTEMPT)]  # the .txt files are metadata, not strays
    moodle = [(s.path, s.reason, s.student_id) for s in found["moodle"].skipped]
    assert moodle == [
        ("Dan O_Dan_1004_assignsubmission_file_/tiny-1.ipynb", "another copy", "1004"),
        ("Eve Adams_1005_assignsubmission_onlinetext_", "online text", "1005")]


def test_cli_grades_a_canvas_zip_in_the_sandbox(course, tmp_path):
    root, _, notebooks = course
    members, students = exports(notebooks)["canvas"]
    archive = make_zip(tmp_path / "submissions.zip", members)
    out = tmp_path / "out"
    done = run_cli("grade", "tiny", str(archive), "--course-dir", str(root), "--out", str(out),
                   "--workers", "2", "--timeout", "60", "--no-progress", "--due", DUE)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "sandboxed" in done.stdout and "NOT sandboxed" not in done.stdout
    with open(out / "grades.csv", newline="") as file:
        rows = list(csv.DictReader(file))
        file.seek(0)
        header = file.readline().strip()
    assert header == "student_id,score,max_score,status,problems,name,late,submitted_at"
    by_id = {r["student_id"]: r for r in rows}
    assert {k: float(r["score"]) for k, r in by_id.items()} == {
        student: SCORES[kind] for student, kind in students.items()}
    assert by_id["23456"]["late"] == "true" and by_id["12345"]["late"] == "false"
    assert by_id["23456"]["name"] == "bennettben" and by_id["23456"]["status"] == "graded"
    assert by_id["23456"]["submitted_at"] == ""  # a Canvas download holds no times
    lines = done.stdout.splitlines()
    assert "read as: canvas" in lines
    assert any(line.startswith("23456") and "graded, late" in line for line in lines)
    assert ("  - skipped 'o_dan2_45678_1004_tiny.ipynb' of student 45678: an older attempt; "
            "graded the newer 'o_dan2_45678_1010_tiny-1.ipynb'") in lines
    assert "  - skipped '.DS_Store': a stray file that belongs to no student" in lines
    for student in students:
        assert (out / "feedback" / student / "index.html").exists()


def test_cli_refuses_an_ambiguous_folder_until_told_the_layout(course, tmp_path):
    root, _, notebooks = course
    folder = tmp_path / "mixed"
    (folder / "alice").mkdir(parents=True)
    (folder / "alice" / "tiny.ipynb").write_bytes(notebooks["blank"])
    (folder / "lovelaceada_12345_1001_tiny.ipynb").write_bytes(notebooks["blank"])
    refused = run_cli("grade", "tiny", str(folder), "--course-dir", str(root),
                      "--out", str(tmp_path / "out"), "--no-progress")
    assert refused.returncode == 2
    assert "fit more than one layout: canvas (1 entry, e.g. " in refused.stderr
    assert "say which with --layout canvas|plain" in refused.stderr
    told = run_cli("grade", "tiny", str(folder), "--course-dir", str(root), "--layout", "plain",
                   "--out", str(tmp_path / "out"), "--no-progress", "--workers", "1")
    assert told.returncode == 0, told.stderr[-2000:]
    assert "in the plain layout (as given with --layout)" in told.stdout
    assert ("  - skipped 'lovelaceada_12345_1001_tiny.ipynb': a stray file that belongs to no "
            "student") in told.stdout.splitlines()
