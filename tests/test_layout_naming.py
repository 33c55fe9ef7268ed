"""Each layout's naming, detection, ambiguity and --due, without grading (fast).

The folders are built in each system's exact naming (see autograder/layouts/*.py for the forms
and where they come from) with real notebooks: the tiny fixture's own file, which the checks
read as a valid notebook. tests/test_layouts.py grades such exports for real.
"""

from __future__ import annotations

import shutil
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from autograder.coursedir import Assignment, SetupError
from autograder.grades_columns import COLUMNS
from autograder.grading import StudentResult
from autograder.layouts import AmbiguousLayout, detect_layout, parse_due, read_submissions
from autograder.layouts.blackboard import submitted_at
from autograder.layouts.names import assignment_notebook, copy_number
from autograder.layouts.times import nbgrader_time
from autograder.report import write_grades_csv
from autograder.submissions import (
    ANOTHER_COPY,
    HIDDEN_FOLDER,
    NOT_A_NOTEBOOK,
    OLDER_ATTEMPT,
    ONLINE_TEXT,
    STRAY_FILE,
    FeedbackTarget,
    unpack,
)

FIXTURE = Path(__file__).parent / "fixtures" / "tiny"
NOTEBOOK = FIXTURE / "tiny.ipynb"
TINY = Assignment("tiny", FIXTURE)
TWO = ("a1_neuron_perceptron", "a1_extra")


def put(folder: Path, *names: str, content: bytes | None = None) -> Path:
    """Files of these names (paths inside ``folder``), each a copy of the tiny notebook."""
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            shutil.copy(NOTEBOOK, path)
        else:
            path.write_bytes(content)
    return folder


def by_id(found) -> dict:
    return {s.student_id: s for s in found.submissions}


# --- renamed notebooks -------------------------------------------------------------------
@pytest.mark.parametrize("filename, notebook", [
    ("a1_neuron_perceptron.ipynb", "a1_neuron_perceptron"),
    ("a1_neuron_perceptron-1.ipynb", "a1_neuron_perceptron"),
    ("a1_neuron_perceptron-12.ipynb", "a1_neuron_perceptron"),
    ("a1_neuron_perceptron (1).ipynb", "a1_neuron_perceptron"),
    ("a1_neuron_perceptron (2)-1.ipynb", "a1_neuron_perceptron"),
    ("a1_extra.ipynb", "a1_extra"),
    ("a1_neuron_perceptron_final.ipynb", None),
    ("a1_neuron_perceptron1.ipynb", None),
    ("a1_neuron_perceptron-x.ipynb", None),
    ("a1_neuron_perceptron.ipynb.txt", None),
    ("a1_neuron_perceptron(1).ipynb", None),
])
def test_a_notebook_renamed_by_an_lms_is_the_assignments_notebook(filename, notebook):
    assert assignment_notebook(filename, TWO) == notebook


def test_a_renamed_notebook_is_another_notebook_where_students_named_it_themselves():
    assert assignment_notebook("a1_neuron_perceptron (1).ipynb", TWO, lms_renames=False) is None
    assert assignment_notebook("a1_extra.ipynb", TWO, lms_renames=False) == "a1_extra"
    assert [copy_number(n) for n in ("x.ipynb", "x-2.ipynb", "x (3).ipynb")] == [0, 2, 3]


# --- Canvas ------------------------------------------------------------------------------
def test_canvas_names_ids_lateness_and_resubmissions(tmp_path):
    put(tmp_path,
        "lovelaceada_12345_100_tiny.ipynb",
        "lovelaceada_LATE_12345_250_tiny-1.ipynb",  # resubmitted late: the newer counts
        "o_brien_2nd_777_300_tiny.ipynb",  # underscores and digits in the sortable name
        "müllerjürgen_late_888_400_tiny (1).ipynb",  # accents; an old lowercased _late
        "smithjo_999_500_homework.ipynb",  # a truly different notebook
        "smithjo_999_501_report.pdf",
        "smithjo_999_text.html",
        "notes.txt")
    found = read_submissions(tmp_path, TINY)
    assert found.layout == "canvas"
    students = by_id(found)
    assert sorted(students) == ["12345", "777", "888", "999"]
    ada = students["12345"]
    assert ada.notebooks == {"tiny": tmp_path / "lovelaceada_LATE_12345_250_tiny-1.ipynb"}
    assert (ada.name, ada.late, ada.submitted_at, ada.problems) == ("lovelaceada", True, None,
                                                                    [])
    assert ada.feedback == FeedbackTarget(prefix="lovelaceada_LATE_12345_250_")
    assert students["777"].name == "o_brien_2nd" and students["777"].late is False
    assert students["888"].name == "müllerjürgen" and students["888"].late is True
    assert list(students["888"].notebooks) == ["tiny"]
    assert students["999"].problems == [
        "missing notebook tiny.ipynb",
        "unexpected notebook homework.ipynb was not graded (the assignment has tiny.ipynb; "
        "keep the released file name)"]
    assert [(s.path, s.reason, s.student_id, s.kept) for s in found.skipped] == [
        ("lovelaceada_12345_100_tiny.ipynb", OLDER_ATTEMPT, "12345",
         "lovelaceada_LATE_12345_250_tiny-1.ipynb"),
        ("smithjo_999_501_report.pdf", NOT_A_NOTEBOOK, "999", None),
        ("smithjo_999_text.html", ONLINE_TEXT, "999", None),
        ("notes.txt", STRAY_FILE, None, None)]


def test_canvas_anonymous_ids(tmp_path):
    put(tmp_path, "anon_k9Xc2_1001_tiny.ipynb", "anon_12345_LATE_1002_tiny-1.ipynb",
        "anon_12345_1000_tiny.ipynb", "anon_Zq3_text.html")
    found = read_submissions(tmp_path, TINY)
    students = by_id(found)
    assert sorted(students) == ["anon_12345", "anon_Zq3", "anon_k9Xc2"]
    assert students["anon_12345"].name is None and students["anon_12345"].late is True
    assert students["anon_12345"].notebooks["tiny"].name == "anon_12345_LATE_1002_tiny-1.ipynb"
    assert [s.reason for s in found.skipped] == [OLDER_ATTEMPT, ONLINE_TEXT]


def test_a_student_named_anon_does_not_make_a_named_download_anonymous(tmp_path):
    """``anon_12345_678_x`` could be an anonymous id 12345, or the sortable name "anon" with
    user id 12345; anonymity is per assignment, so the other names decide."""
    put(tmp_path, "anon_12345_678_tiny.ipynb", "lovelaceada_222_679_tiny.ipynb")
    assert sorted(by_id(read_submissions(tmp_path, TINY))) == ["12345", "222"]


def test_a_canvas_zip_with_utf8_names_not_marked_as_utf8(tmp_path):
    """Zip tools often write UTF-8 names without the flag that says so; zipfile then reads
    them as code page 437 ("mÃ¼ller"). unpack reads them as UTF-8 again."""

    class UnflaggedInfo(zipfile.ZipInfo):  # as such a tool writes a member's name
        def _encodeFilenameFlags(self):
            return self.filename.encode("utf-8"), self.flag_bits

    archive = tmp_path / "submissions.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(UnflaggedInfo("müllerjürgen_888_400_tiny.ipynb"), NOTEBOOK.read_bytes())
    with zipfile.ZipFile(archive) as z:
        assert z.namelist() == ["m├╝llerj├╝rgen_888_400_tiny.ipynb"]  # as zipfile reads it
    folder = unpack(archive, tmp_path / "unpacked")
    assert by_id(read_submissions(folder, TINY))["888"].name == "müllerjürgen"


# --- Moodle ------------------------------------------------------------------------------
def test_moodle_folders_blind_marking_and_online_text(tmp_path):
    put(tmp_path,
        "Ada Lovelace_1234567_assignsubmission_file_/tiny.ipynb",
        "Ada Lovelace_1234567_assignsubmission_file_/tiny (1).ipynb",
        "Ana_María Núñez 2_88_assignsubmission_file_/sub/tiny-1.ipynb",
        "Participant_4711_assignsubmission_file_/tiny.ipynb",
        "Participant_4711_assignsubmission_file_/data.csv",
        "Participant_4711_assignsubmission_onlinetext_/onlinetext.html",
        "Jo Bloggs_99_assignsubmission_onlinetext_/onlinetext.html")
    found = read_submissions(tmp_path, TINY)
    assert found.layout == "moodle"
    students = by_id(found)
    assert list(students) == ["88", "99", "4711", "1234567"]  # participant ids, in order
    ada = students["1234567"]
    assert ada.name == "Ada Lovelace" and ada.late is None and ada.submitted_at is None
    assert ada.notebooks["tiny"].name == "tiny.ipynb"  # the exact name over a copy
    assert ada.feedback.path_for("tiny.html") == (
        "Ada Lovelace_1234567_assignsubmission_file_/tiny.html")
    assert students["88"].name == "Ana_María Núñez 2" and "tiny" in students["88"].notebooks
    assert students["4711"].name is None and "tiny" in students["4711"].notebooks
    assert students["99"].problems == ["missing notebook tiny.ipynb"]
    assert students["99"].feedback.folder == "Jo Bloggs_99_assignsubmission_file_"
    assert [(s.reason, s.student_id) for s in found.skipped] == [
        (ONLINE_TEXT, "99"), (NOT_A_NOTEBOOK, "4711"), (ONLINE_TEXT, "4711"),
        (ANOTHER_COPY, "1234567")]


def test_moodle_4_1_folders_without_the_last_underscore(tmp_path):
    """Moodle's newer downloader ends the folder name at the plugin's name; the feedback folder
    follows the download's form."""
    put(tmp_path, "Ada Lovelace_1234567_assignsubmission_file/tiny.ipynb",
        "Participant_4711_assignsubmission_file/tiny-1.ipynb",
        "Jo Bloggs_99_assignsubmission_onlinetext/onlinetext.html")
    found = read_submissions(tmp_path, TINY)
    assert found.layout == "moodle"
    students = by_id(found)
    assert students["1234567"].name == "Ada Lovelace" and "tiny" in students["1234567"].notebooks
    assert students["4711"].name is None and "tiny" in students["4711"].notebooks
    assert students["1234567"].feedback.path_for("tiny.html") == (
        "Ada Lovelace_1234567_assignsubmission_file/tiny.html")
    assert students["99"].feedback.folder == "Jo Bloggs_99_assignsubmission_file"


def test_moodle_flat_files(tmp_path):
    put(tmp_path, "Ada Lovelace_12_assignsubmission_file_tiny.ipynb",
        "Ben Bennett_13_assignsubmission_file_tiny-1.ipynb")
    found = read_submissions(tmp_path, TINY)
    assert found.layout == "moodle"
    assert {k: list(s.notebooks) for k, s in by_id(found).items()} == {"12": ["tiny"],
                                                                       "13": ["tiny"]}


def test_a_moodle_folder_that_is_a_link_or_a_notebook_that_is_no_json(tmp_path):
    put(tmp_path / "subs", "Ada Lovelace_12_assignsubmission_file_/tiny.ipynb",
        content=b'{"cells": [ oops')
    (tmp_path / "elsewhere").mkdir()
    put(tmp_path / "elsewhere", "tiny.ipynb")
    (tmp_path / "subs" / "Mallory_13_assignsubmission_file_").symlink_to(tmp_path / "elsewhere")
    students = by_id(read_submissions(tmp_path / "subs", TINY))
    assert students["12"].notebooks == {}
    assert "tiny.ipynb is not a valid notebook (not JSON" in students["12"].problems[0]
    assert students["13"].problems == [
        "the student folder is a symbolic link to a path outside the submissions folder, not "
        "a folder; it was not followed or graded", "missing notebook tiny.ipynb"]


# --- Blackboard --------------------------------------------------------------------------
BB_TXT = ("Name: {name} ({user})\nAssignment: Homework 1\nDate Submitted: {date}\n"
          "Current Grade: Needs Grading\n\nFiles:\n\tOriginal filename: tiny.ipynb\n")


def test_blackboard_latest_attempt_name_and_time(tmp_path):
    put(tmp_path,
        "Homework 1_alovelace_attempt_2026-11-29-09-00-00_tiny.ipynb",
        "Homework 1_alovelace_attempt_2026-11-30-14-03-05_tiny (1).ipynb",
        "Homework 1_j_doe_2_attempt_2026-11-30-10-00-00_tiny.ipynb",
        "Homework 1_kim_attempt_2026-11-30-11-00-00_tiny.ipynb")
    (tmp_path / "Homework 1_alovelace_attempt_2026-11-30-14-03-05.txt").write_text(
        BB_TXT.format(name="Ada Lovelace", user="alovelace",
                      date="Monday, November 30, 2026 2:03:05 PM EST"))
    (tmp_path / "Homework 1_j_doe_2_attempt_2026-11-30-10-00-00.txt").write_text(
        BB_TXT.format(name="Jo Doe", user="j_doe_2", date="30 November 2026 10:00:00 CET"))
    found = read_submissions(tmp_path, TINY)
    assert found.layout == "blackboard"
    students = by_id(found)
    assert sorted(students) == ["alovelace", "j_doe_2", "kim"]  # a username with underscores
    ada = students["alovelace"]
    assert ada.name == "Ada Lovelace" and ada.notebooks["tiny"].name.endswith("(1).ipynb")
    assert ada.submitted_at == datetime(2026, 11, 30, 19, 3, 5, tzinfo=timezone.utc)
    assert ada.feedback.prefix == "Homework 1_alovelace_attempt_2026-11-30-14-03-05_"
    assert students["j_doe_2"].submitted_at.utcoffset() == timedelta(hours=1)
    assert students["kim"].name is None  # no .txt
    assert students["kim"].submitted_at == datetime(2026, 11, 30, 11).astimezone()
    assert [(s.path, s.reason) for s in found.skipped] == [
        ("Homework 1_alovelace_attempt_2026-11-29-09-00-00_tiny.ipynb", OLDER_ATTEMPT)]


@pytest.mark.parametrize("date, offset", [
    ("Monday, November 30, 2026 2:03:05 PM EST", -5), ("30. November 2026 14:03 MEZ", None),
    ("Monday, 30 November 2026 14:03:05 o'clock GMT", 0), ("2026-11-30 14:03:05 +0530", 5.5),
    (None, None)])
def test_blackboard_time_zones(date, offset):
    moment = submitted_at("2026-11-30-14-03-05", date)
    expected = (datetime(2026, 11, 30, 14, 3, 5).astimezone() if offset is None else
                datetime(2026, 11, 30, 14, 3, 5, tzinfo=timezone(timedelta(hours=offset))))
    assert moment == expected and moment.tzinfo is not None


# --- nbgrader ----------------------------------------------------------------------------
def test_nbgrader_submitted_folder_and_timestamps(tmp_path):
    course = tmp_path / "course"
    put(course, "submitted/alice/tiny/tiny.ipynb", "submitted/bob/tiny/tiny.ipynb",
        "submitted/bob/tiny/tiny (1).ipynb", "submitted/carol/a2_backprop/a2_backprop.ipynb",
        "source/tiny/tiny.ipynb", "release/tiny/tiny.ipynb")
    (course / "gradebook.db").write_bytes(b"SQLite format 3\0")
    (course / "submitted/alice/tiny/timestamp.txt").write_text(
        "2026-11-30 14:03:05.123456 UTC\n")
    (course / "submitted/bob/tiny/timestamp.txt").write_text("yesterday")
    found = read_submissions(course, TINY)  # a whole course directory: submitted/ is read
    assert (found.layout, found.root) == ("nbgrader", course)
    students = by_id(found)
    assert sorted(students) == ["alice", "bob", "carol"]
    assert students["alice"].submitted_at == datetime(2026, 11, 30, 14, 3, 5, 123456,
                                                      tzinfo=timezone.utc)
    assert students["alice"].feedback.folder == "alice/tiny"
    assert students["bob"].problems == [
        "timestamp.txt holds no time nbgrader wrote ('yesterday'); the submission time is "
        "unknown",
        "unexpected notebook tiny (1).ipynb was not graded (the assignment has tiny.ipynb; "
        "keep the released file name)"]  # students name their own files here: no renames
    assert students["carol"].problems == ["nothing was submitted for tiny (no tiny/ folder)"]


def test_nbgrader_without_the_submitted_level(tmp_path):
    put(tmp_path, "alice/tiny/tiny.ipynb")  # a single student: not a wrapper to look past
    found = read_submissions(tmp_path, TINY)
    assert found.layout == "nbgrader" and list(by_id(found)) == ["alice"]


@pytest.mark.parametrize("text, expected", [
    ("2026-11-30 14:03:05.123456 UTC", datetime(2026, 11, 30, 14, 3, 5, 123456, timezone.utc)),
    ("2026-11-30 14:03:05 UTC", datetime(2026, 11, 30, 14, 3, 5, tzinfo=timezone.utc)),
    ("2026-11-30 14:03:05.5", datetime(2026, 11, 30, 14, 3, 5, 500000, timezone.utc)),
    ("2026-11-30 14:03:05.000000 CET",
     datetime(2026, 11, 30, 14, 3, 5, tzinfo=timezone(timedelta(hours=1)))),
    ("2026-11-30 14:03:05.000000 XYZ", None), ("2026-13-30 14:03:05 UTC", None), ("", None)])
def test_nbgrader_timestamps(text, expected):
    assert nbgrader_time(text) == expected


def test_nbgrader_timestamp_with_a_zone_name():
    moment = nbgrader_time("2026-07-01 12:00:00.000000 Europe/Berlin")
    assert moment.utcoffset() == timedelta(hours=2)  # summer time


# --- plain, wrappers, detection and ambiguity ----------------------------------------------
def test_plain_layout_in_a_wrapper_with_strays(tmp_path):
    put(tmp_path, "export/alice/tiny.ipynb", "export/bob/tiny (1).ipynb",
        "export/.hidden/tiny.ipynb")
    (tmp_path / "export" / ".DS_Store").write_bytes(b"\0")
    found = read_submissions(tmp_path, TINY)
    assert (found.layout, found.root.name) == ("plain", "export")
    assert "unexpected notebook tiny (1).ipynb" in by_id(found)["bob"].problems[1]
    assert [(s.path, s.reason) for s in found.skipped] == [(".DS_Store", STRAY_FILE),
                                                           (".hidden", HIDDEN_FOLDER)]


@pytest.mark.parametrize("names, layout", [
    (["alice/tiny.ipynb"], "plain"),
    (["submitted/alice/tiny/tiny.ipynb"], "nbgrader"),
    (["alice/tiny/tiny.ipynb", "bob/tiny/tiny.ipynb"], "nbgrader"),
    (["lovelaceada_1_2_tiny.ipynb"], "canvas"),
    (["wrap/lovelaceada_1_2_tiny.ipynb"], "canvas"),
    (["anon_x1_2_tiny.ipynb"], "canvas"),
    (["Ada_1_assignsubmission_file_/tiny.ipynb"], "moodle"),
    (["a/b/Ada_1_assignsubmission_file_/tiny.ipynb"], "moodle"),
    (["Homework_ada_attempt_2026-11-30-14-03-05_tiny.ipynb"], "blackboard"),
    (["README.txt"], "plain"),
])
def test_the_layout_is_detected_from_the_names(tmp_path, names, layout):
    put(tmp_path, *names)
    assert read_submissions(tmp_path, TINY).layout == layout


def test_names_of_two_layouts_are_an_error_that_asks_for_layout(tmp_path):
    put(tmp_path, "alice/tiny.ipynb", "bob/tiny.ipynb", "lovelaceada_12345_1001_tiny.ipynb",
        "Ada_1_assignsubmission_file_/tiny.ipynb")
    with pytest.raises(AmbiguousLayout) as error:
        detect_layout(tmp_path, TINY)
    assert error.value.evidence == {"canvas": ["lovelaceada_12345_1001_tiny.ipynb"],
                                    "moodle": ["Ada_1_assignsubmission_file_"],
                                    "plain": ["alice", "bob"]}
    assert str(error.value).endswith("say which with --layout canvas|moodle|plain")
    assert isinstance(error.value, SetupError)  # the command exits 2 with the message
    forced = read_submissions(tmp_path, TINY, layout="canvas")
    assert (forced.layout, forced.detected) == ("canvas", False)
    assert [s.path for s in forced.skipped] == ["Ada_1_assignsubmission_file_/", "alice/",
                                                "bob/"]
    with pytest.raises(SetupError, match="unknown layout 'webct'"):
        read_submissions(tmp_path, TINY, layout="webct")


# --- --due -------------------------------------------------------------------------------
def test_due_dates():
    assert parse_due("2026-11-30T23:59:00+01:00") == datetime(
        2026, 11, 30, 22, 59, tzinfo=timezone.utc)
    assert parse_due("2026-11-30T22:59Z") == datetime(2026, 11, 30, 22, 59, tzinfo=timezone.utc)
    local = parse_due("2026-11-30T23:59:00")
    assert local.tzinfo is not None and local == datetime(2026, 11, 30, 23, 59).astimezone()
    with pytest.raises(SetupError, match="has no time of day: give one, e.g. 2026-11-30T23:59"):
        parse_due("2026-11-30")
    with pytest.raises(SetupError, match="is not a date and time in ISO 8601"):
        parse_due("next friday")


def test_due_marks_late_only_where_a_time_is_known(tmp_path):
    put(tmp_path, "Hw_early_attempt_2026-11-30-22-00-00_tiny.ipynb",
        "Hw_late_attempt_2026-12-01-00-30-00_tiny.ipynb")
    for user, date in [("early", "... 10:00:00 PM UTC"), ("late", "... 12:30:00 AM UTC")]:
        stamp = "2026-11-30-22-00-00" if user == "early" else "2026-12-01-00-30-00"
        (tmp_path / f"Hw_{user}_attempt_{stamp}.txt").write_text(
            BB_TXT.format(name=user, user=user, date=date))
    without = by_id(read_submissions(tmp_path, TINY))
    assert [without[u].late for u in ("early", "late")] == [None, None]
    due = parse_due("2026-11-30T23:59:00+00:00")
    students = by_id(read_submissions(tmp_path, TINY, due=due))
    assert [students[u].late for u in ("early", "late")] == [False, True]
    canvas = tmp_path / "canvas"
    put(canvas, "ada_1_2_tiny.ipynb")  # Canvas's own marker stands: no time to compare
    assert by_id(read_submissions(canvas, TINY, due=due))["1"].late is False


# --- grades.csv ----------------------------------------------------------------------------
def test_grades_csv_keeps_its_first_columns_and_adds_name_late_time(tmp_path):
    results = [StudentResult("12345", 8, 8, graded=True, name="=lovelaceada", late=True,
                             submitted_at=datetime(2026, 11, 30, 14, 3, 5, tzinfo=timezone.utc)),
               StudentResult("bob", 0, 8)]
    write_grades_csv(results, tmp_path / "grades.csv")
    assert COLUMNS[:5] == ("student_id", "score", "max_score", "status", "problems")
    assert (tmp_path / "grades.csv").read_text().splitlines() == [
        "student_id,score,max_score,status,problems,name,late,submitted_at",
        "12345,8,8,graded,,'=lovelaceada,true,2026-11-30T14:03:05+00:00",
        "bob,0,8,not graded,,,,"]


# --- the protections of submissions.py, in every layout ----------------------------------
HONEST_AND_LINKED = {
    "canvas": ("lovelaceada_12_100_tiny.ipynb", "mallory_13_101_tiny.ipynb"),
    "moodle": ("Ada Lovelace_12_assignsubmission_file_/tiny.ipynb",
               "Mallory_13_assignsubmission_file_/tiny.ipynb"),
    "blackboard": ("Hw_12_attempt_2026-11-30-14-03-05_tiny.ipynb",
                   "Hw_13_attempt_2026-11-30-14-03-05_tiny.ipynb"),
    "nbgrader": ("submitted/12/tiny/tiny.ipynb", "submitted/13/tiny/tiny.ipynb"),
    "plain": ("12/tiny.ipynb", "13/tiny.ipynb"),
}


@pytest.mark.parametrize("layout", sorted(HONEST_AND_LINKED))
def test_links_hidden_folders_and_macosx_in_every_layout(tmp_path, layout):
    honest, linked = HONEST_AND_LINKED[layout]
    hidden = "submitted/.git" if layout == "nbgrader" else ".git"  # nbgrader reads submitted/
    put(tmp_path, honest, "__MACOSX/._x.ipynb", f"{hidden}/tiny.ipynb")
    (tmp_path / linked).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / linked).symlink_to("/etc/passwd")
    found = read_submissions(tmp_path, TINY)
    assert found.layout == layout
    students = by_id(found)
    assert list(students["12"].notebooks) == ["tiny"] and students["12"].problems == []
    assert students["13"].notebooks == {}
    assert students["13"].problems == [
        "tiny.ipynb is a symbolic link to a path outside the submissions folder, not a file; "
        "it was not graded"]
    assert [(s.path, s.reason) for s in found.skipped] == [(hidden, HIDDEN_FOLDER)]


def test_unsafe_and_oversized_members_of_a_canvas_zip_are_not_extracted(tmp_path):
    archive = tmp_path / "submissions.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("lovelaceada_12_100_tiny.ipynb", NOTEBOOK.read_bytes())
        z.writestr("../../escaper_13_101_tiny.ipynb", NOTEBOOK.read_bytes())
        z.writestr("bomb_14_102_tiny.ipynb", b"0" * 2_000_000)
    notes: list[str] = []
    folder = unpack(archive, tmp_path / "unpacked", notes, max_member_bytes=1_000_000)
    found = read_submissions(folder, TINY)
    assert (found.layout, sorted(by_id(found))) == ("canvas", ["12"])
    assert [note.split(":")[0] for note in notes] == [
        "skipped zip member '../../escaper_13_101_tiny.ipynb'",
        "skipped zip member 'bomb_14_102_tiny.ipynb'"]
    assert not list(tmp_path.parent.rglob("escaper_13_101_tiny.ipynb"))
