"""The feedback zip of each LMS, built from real gradings of the exports tests/test_layouts.py
uses (the same five kinds of work in each system's exact naming).

Each zip's names are read back the way that LMS's own import reads them (a reference written
here from its code: Moodle's importziplib.php, Canvas's infer_comment_context_from_filename),
so a name the LMS would not match to the right student fails; the contents are the student's
own pages (for Canvas, a valid notebook with the score); no file holds a hidden-test line; a
student who was not graded gets no file and is named, with the reason, as data.
"""

from __future__ import annotations

import re
import zipfile

import nbformat
import pytest
from received import leaks, secret_lines
from test_layouts import ALL, FIXTURE, exports, make_zip

from autograder.delivery import ANONYMOUS, NOT_GRADED, NotDelivered
from autograder.feedback_zip import moodle_folder, write_feedback_zip, zip_path
from autograder.grading import GradingOptions, grade_submissions
from autograder.layouts import read_submissions
from autograder.report import write_feedback
from autograder.samples import answered, released_copy
from autograder.sandbox import find_bwrap
from autograder.submissions import unpack

pytestmark = pytest.mark.skipif(find_bwrap() is None,
                                reason="bubblewrap (bwrap) is not installed: grading is "
                                       "sandboxed")

# Two batches, so that no two exports in one batch share a student id or a zip name.
BATCHES = {"a": ["moodle", "canvas", "plain"], "b": ["blackboard", "canvas_anonymous"]}
NOT_GRADED_IDS = {"moodle": "1005", "canvas": "56789", "plain": "eve", "blackboard": "eve"}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    assignment, release_nb, source = released_copy(FIXTURE, root)
    notebooks = {"complete": answered(release_nb, source, ALL),
                 "cube_only": answered(release_nb, source, ["ex2_cube"]),
                 "blank": release_nb}
    return assignment, release_nb, source, {k: nbformat.writes(v).encode()
                                            for k, v in notebooks.items()}


@pytest.fixture(scope="module")
def zips(course, tmp_path_factory):
    """export -> (what was read, the results by student, the run folder, the Delivery)."""
    assignment, _, _, notebooks = course
    work = tmp_path_factory.mktemp("feedback_zips")
    done = {}
    for batch, names in BATCHES.items():
        found = {}
        for export in names:
            members, _ = exports(notebooks)[export]
            folder = unpack(make_zip(work / f"{export}.zip", members), work / export)
            found[export] = read_submissions(folder, assignment)
        out = work / f"run_{batch}"
        everyone = [s for f in found.values() for s in f.submissions]
        results = grade_submissions(assignment, everyone, out / "nbgrader",
                                    GradingOptions(workers=3, cell_timeout=20,
                                                   notebook_timeout=60))
        write_feedback(results, assignment, out / "nbgrader", out)
        if batch == "b":  # an earlier run's zip, which must not survive an empty one
            zip_path(out, "canvas").write_bytes(b"an earlier run's zip")
        for export, read in found.items():
            delivery = write_feedback_zip(read.layout, read.submissions, results, assignment,
                                          out)
            done[export] = (read, {r.student_id: r for r in results}, out, delivery)
    return done


def members(delivery) -> dict[str, bytes]:
    with zipfile.ZipFile(delivery.destination) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


# --- the LMS's own reading of a name (references written from their import code) ---------
def moodle_reads(member: str) -> tuple[str, str, str] | None:
    """(participant id, plugin, file) as Moodle's is_valid_filename_for_import reads a zip
    member (PHP's explode('_', part, 5) on each path part until one has a numeric id), or
    None if Moodle passes it over."""
    parts = member.split("/")
    if parts[-1].startswith((".", "~")):
        return None
    while parts:
        info = parts.pop(0).split("_", 4)
        if len(info) < 4 or not info[1].isdigit():
            continue
        rest = info[4] if len(info) == 5 else ""
        return info[1], f"{info[2]}_{info[3]}", "/".join([rest, *parts]).strip("/")
    return None


def canvas_reads(member: str) -> tuple[str, str] | None:
    """(user id, attachment id) as Canvas's infer_comment_context_from_filename reads an
    uploaded file's name: the first two all-digit parts between underscores."""
    name = member.rsplit("/", 1)[-1]
    if name.startswith("._"):
        return None
    digits = [part for part in name.split("_") if re.fullmatch(r"[0-9]+", part)][:2]
    return (digits[0], digits[1]) if len(digits) == 2 else None


# --- Moodle ------------------------------------------------------------------------------
def test_moodle_zip_has_a_folder_per_participant_as_its_import_reads_it(zips):
    read, _, _, delivery = zips["moodle"]
    names = set(members(delivery))
    folders = ["Ada Lovelace_1001", "Ben Bennett_1002", "Participant_1003",
               "Dan O Dan_1004"]  # the download's "Dan O_Dan": Moodle writes _ as a space
    assert names == {f"{folder}_assignsubmission_file_/{page}" for folder in folders
                     for page in ("index.html", "tiny.html")}
    assert {name: moodle_reads(name) for name in names} == {
        name: (name.split("_")[1], "assignsubmission_file", name.rsplit("/", 1)[1])
        for name in names}
    assert delivery.students == ["1001", "1002", "1003", "1004"]
    assert delivery.not_delivered == [NotDelivered("1005", NOT_GRADED)]


def test_moodle_zip_holds_each_students_own_pages(zips):
    read, results, out, delivery = zips["moodle"]
    files = members(delivery)
    for student in delivery.students:
        folder = moodle_folder(next(s for s in read.submissions
                                    if s.student_id == student).feedback.folder)
        for page in ("index.html", "tiny.html"):
            assert files[f"{folder}/{page}"] == (out / "feedback" / student / page).read_bytes()
        summary = files[f"{folder}/index.html"].decode()
        assert f"Score: <b>{results[student].score:g} / 8</b>" in summary


def test_moodle_folder_names():
    assert moodle_folder("Ada Lovelace_1001_assignsubmission_file_") == \
        "Ada Lovelace_1001_assignsubmission_file_"
    assert moodle_folder("Dan O_Dan_1004_assignsubmission_file_") == \
        "Dan O Dan_1004_assignsubmission_file_"
    assert moodle_folder("Participant_1003_assignsubmission_file_") == \
        "Participant_1003_assignsubmission_file_"


# --- Canvas ------------------------------------------------------------------------------
def test_canvas_zip_names_carry_the_user_and_attachment_of_the_graded_file(zips):
    _, _, _, delivery = zips["canvas"]
    names = set(members(delivery))
    assert {name: canvas_reads(name) for name in names} == {
        "lovelaceada_12345_1001_tiny.ipynb": ("12345", "1001"),
        "bennettben_LATE_23456_1002_tiny.ipynb": ("23456", "1002"),
        "çelikcléo_34567_1003_tiny.ipynb": ("34567", "1003"),
        "o_dan2_45678_1010_tiny.ipynb": ("45678", "1010"),  # the newer attempt, graded
    }
    assert delivery.not_delivered == [NotDelivered("56789", NOT_GRADED)]


def test_canvas_files_are_notebooks_with_the_score_first(zips):
    _, results, _, delivery = zips["canvas"]
    for name, data in members(delivery).items():
        student = canvas_reads(name)[0]
        notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
        nbformat.validate(notebook)  # Canvas shows it as tiny.ipynb: it must open as one
        assert notebook.cells[0].cell_type == "markdown"
        assert f"**Score: {results[student].score:g} / 8**" in notebook.cells[0].source
        assert not any("autograder" in cell.metadata or
                       "checksum" in cell.metadata.get("nbgrader", {})
                       for cell in notebook.cells)
    complete = nbformat.reads(members(delivery)["lovelaceada_12345_1001_tiny.ipynb"].decode(),
                              as_version=4)
    assert any("return x * x" in cell.source for cell in complete.cells)  # the answer itself


def test_an_anonymous_canvas_download_gets_no_zip_and_says_why(zips):
    read, _, out, delivery = zips["canvas_anonymous"]
    assert [s.student_id for s in read.submissions] == ["anon_7Yt3q", "anon_k9Xc2"]
    assert delivery.destination is None and delivery.files == {}
    assert delivery.not_delivered == [NotDelivered("anon_7Yt3q", ANONYMOUS),
                                      NotDelivered("anon_k9Xc2", ANONYMOUS)]
    assert not zip_path(out, "canvas").exists()  # the earlier run's zip is gone
    assert delivery.describe()[0] == ("feedback for canvas: nothing written (no student had "
                                      "feedback to send)")


# --- Blackboard and plain folders --------------------------------------------------------
@pytest.mark.parametrize("export, students", [
    ("blackboard", ["alovelace", "b_bennett", "cleo", "dan"]),
    ("plain", ["ada", "ben", "cleo", "dan"]),
])
def test_folder_zips_have_a_folder_per_student_id(zips, export, students):
    _, _, out, delivery = zips[export]
    files = members(delivery)
    assert set(files) == {f"{s}/{page}" for s in students for page in ("index.html",
                                                                       "tiny.html")}
    assert all(data == (out / "feedback" / name).read_bytes() for name, data in files.items())
    assert delivery.not_delivered == [NotDelivered("eve", NOT_GRADED)]


# --- for every LMS -----------------------------------------------------------------------
@pytest.mark.parametrize("export", sorted(NOT_GRADED_IDS))
def test_a_student_not_graded_gets_no_file(zips, export):
    read, results, _, delivery = zips[export]
    student = NOT_GRADED_IDS[export]
    assert not results[student].graded
    assert student not in delivery.files
    assert not any(student in name for name in members(delivery))
    assert (f"  - no feedback for {student}: not graded, so there is no feedback to send"
            in delivery.describe())


def test_no_hidden_test_line_in_any_zip(zips, course, tmp_path):
    _, release_nb, source, _ = course
    secrets = secret_lines(source, release_nb)
    assert any("-2, 0.5, 10" in line for line in secrets)
    _, _, out, _ = zips["moodle"]
    graded = (out / "nbgrader" / "autograded" / "1001" / "tiny" / "tiny.ipynb").read_text()
    assert all(secret in graded for secret in secrets)  # the lecturer's copy has them all
    for export, (_, _, _, delivery) in zips.items():
        if delivery.destination is not None:
            with zipfile.ZipFile(delivery.destination) as archive:
                archive.extractall(tmp_path / export)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blackboard", "canvas", "moodle",
                                                         "plain"]
    assert leaks(tmp_path, secrets) == {}


def test_the_summary_says_how_many_were_written_and_where(zips):
    _, _, out, delivery = zips["moodle"]
    lines = delivery.describe()
    where = out / "moodle_feedback.zip"
    assert lines[0] == f"feedback for moodle: 4 students, 8 files in {where}"
    assert "Upload multiple feedback files in a zip" in lines[1]
