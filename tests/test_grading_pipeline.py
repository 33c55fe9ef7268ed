"""The grading pipeline, end to end, on a tiny two-exercise assignment (5 + 3 points).

Everything here runs the real thing: nbgrader's generate_assignment and autograde, real
kernels, the real SQLite gradebook. One batch of hostile and broken submissions is graded once
(module fixture); the tests then check each student's grade and the problems reported, and that
the same students graded alone, or graded twice, get the same grades.
"""

from __future__ import annotations

import csv
import os
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest
from cli import run_cli

from autograder.feedback_pages import FeedbackRenderer, generate_feedback
from autograder.grading import GradingOptions, grade_submissions
from autograder.samples import answered, released_copy, with_answer, write
from autograder.submissions import collect

FIXTURE = Path(__file__).parent / "fixtures" / "tiny"
ALL = ["ex1_square", "ex2_cube"]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course directory with the tiny assignment released."""
    root = tmp_path_factory.mktemp("course")
    assignment, release_nb, source = released_copy(FIXTURE, root)
    return root, assignment, source, release_nb


def make_batch(folder: Path, source, release_nb) -> None:
    good = answered(release_nb, source, ALL)
    write(good, folder / "good" / "tiny.ipynb")
    write(release_nb, folder / "blank" / "tiny.ipynb")
    write(answered(release_nb, source, ["ex2_cube"]), folder / "only_cube" / "tiny.ipynb")
    # an edited test cell: a wrong square, and its test replaced by "5" (full marks if believed)
    edited = with_answer(good, "ex1_square", "def square(x):\n    return 0")
    for cell in edited.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_ex1_square":
            cell.source = "5"
    write(edited, folder / "edited_test" / "tiny.ipynb")
    # a deleted test cell: a wrong cube, and its test cell removed
    deleted = with_answer(good, "ex2_cube", "def cube(x):\n    return 0")
    deleted.cells = [c for c in deleted.cells
                     if c.metadata.get("nbgrader", {}).get("grade_id") != "test_ex2_cube"]
    write(deleted, folder / "deleted_test" / "tiny.ipynb")
    loop = with_answer(good, "ex1_square", "def square(x):\n    while True:\n        pass")
    write(loop, folder / "infinite_loop" / "tiny.ipynb")
    write(with_answer(good, "ex1_square", "def square(x) return x * x"),
          folder / "syntax_error" / "tiny.ipynb")
    write(with_answer(good, "ex1_square", "import sys\nsys.exit()"),
          folder / "sys_exit" / "tiny.ipynb")
    write(with_answer(good, "ex2_cube", "import os\nos._exit(1)"),
          folder / "kernel_crash" / "tiny.ipynb")
    (folder / "missing").mkdir(parents=True)
    write(good, folder / "wrong_name" / "tiny (1).ipynb")
    (folder / "not_json").mkdir(parents=True)
    (folder / "not_json" / "tiny.ipynb").write_text('{"cells": [ oops')


EXPECTED = {  # student -> (score, a phrase of the reported problem or None)
    "good": (8, None),
    "blank": (0, None),
    "only_cube": (3, None),
    "edited_test": (3, None),
    "deleted_test": (5, None),
    "infinite_loop": (3, "time limit"),
    "syntax_error": (3, "syntax error"),
    "sys_exit": (3, "sys.exit()"),
    "kernel_crash": (5, "kernel died"),
    "missing": (0, "missing notebook tiny.ipynb"),
    "wrong_name": (0, "unexpected notebook tiny (1).ipynb"),
    "not_json": (0, "not a valid notebook"),
}


@pytest.fixture(scope="module")
def batch(course, tmp_path_factory):
    root, assignment, source, release_nb = course
    folder = tmp_path_factory.mktemp("submissions")
    make_batch(folder, source, release_nb)
    results = grade_submissions(assignment, collect(folder, assignment),
                                tmp_path_factory.mktemp("run") / "nbgrader",
                                GradingOptions(workers=4, notebook_timeout=60, cell_timeout=4))
    return folder, {r.student_id: r for r in results}


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_each_student_gets_exactly_the_points_of_honest_work(batch, student):
    _, results = batch
    score, problem = EXPECTED[student]
    result = results[student]
    assert result.score == score, result.problems
    assert result.max_score == 8
    if problem is None:
        assert result.problems == []
    else:
        assert any(problem in p for p in result.problems), result.problems


def test_every_student_found_has_a_result(batch):
    _, results = batch
    assert set(results) == set(EXPECTED)


def test_grades_do_not_depend_on_the_others_or_on_a_second_run(batch, course, tmp_path):
    folder, results = batch
    root, assignment, _, _ = course
    alone = tmp_path / "alone"
    for student in ("good", "only_cube"):
        shutil.copytree(folder / student, alone / student)
    again = grade_submissions(assignment, collect(alone, assignment), tmp_path / "run",
                              GradingOptions(workers=2, notebook_timeout=60, cell_timeout=4))
    assert {r.student_id: r.score for r in again} == {"good": 8, "only_cube": 3}
    assert [results["good"].score, results["only_cube"].score] == [8, 3]


def test_grading_never_changes_the_working_folder(course, tmp_path, monkeypatch):
    """nbgrader's converters change the process's working folder for each conversion and back.
    With graders in threads, one could come back to the folder of another and leave the process
    in a grader's folder once it was removed: every kernel started after that failed, in this
    process or in a thread beside the grading (CI, 2026-12-02). Ours never change it."""
    root, assignment, source, release_nb = course
    changes: list[str] = []
    change = os.chdir
    monkeypatch.setattr(os, "chdir", lambda path: (changes.append(str(path)), change(path)))
    folder = tmp_path / "submissions"
    for student in ("a", "b", "c"):
        write(answered(release_nb, source, ALL), folder / student / "tiny.ipynb")
    run = tmp_path / "run" / "nbgrader"
    results = grade_submissions(assignment, collect(folder, assignment), run,
                                GradingOptions(workers=2, notebook_timeout=60, cell_timeout=4))
    generate_feedback(assignment, run, "a")  # as a lecturer's own call renders one page
    assert [r.score for r in results] == [8, 8, 8]
    assert (run / "feedback" / "a" / assignment.name / "tiny.html").is_file()
    assert changes == []


def test_one_renderer_renders_a_student_s_pages_again(course, tmp_path):
    """A renderer keeps its writer, which makes its folder only when the folder changes; the
    same student again (a page rendered twice in one helper) once failed: nbgrader had removed
    the folder (FileNotFoundError)."""
    root, assignment, source, release_nb = course
    write(answered(release_nb, source, ALL), tmp_path / "submissions" / "a" / "tiny.ipynb")
    run = tmp_path / "run" / "nbgrader"
    grade_submissions(assignment, collect(tmp_path / "submissions", assignment), run,
                      GradingOptions(workers=1, notebook_timeout=60, cell_timeout=4))
    page = run / "feedback" / "a" / assignment.name / "tiny.html"
    first = page.read_text()
    renderer = FeedbackRenderer(assignment, run)
    for _ in range(2):
        page.unlink()
        renderer.render("a")
        assert page.read_text() == first


def test_the_assignments_other_files_are_beside_the_graded_notebook(tmp_path):
    """A data file of the assignment's source is where the student's code reads it, as
    nbgrader's Autograde puts it: copied over the student's own version of it."""
    source_dir = tmp_path / "tiny"
    shutil.copytree(FIXTURE, source_dir)
    (source_dir / "data").mkdir()
    (source_dir / "data" / "offset.txt").write_text("0")
    assignment, release_nb, source = released_copy(source_dir, tmp_path / "course")
    reads_data = with_answer(answered(release_nb, source, ALL), "ex1_square",
                             "def square(x):\n"
                             "    return x * x + int(open('data/offset.txt').read())")
    write(reads_data, tmp_path / "subs" / "reader" / "tiny.ipynb")
    (tmp_path / "subs" / "reader" / "data").mkdir()
    (tmp_path / "subs" / "reader" / "data" / "offset.txt").write_text("7")  # not the source's
    results = grade_submissions(assignment, collect(tmp_path / "subs", assignment),
                                tmp_path / "run", GradingOptions(workers=1, cell_timeout=10))
    assert [(r.student_id, r.score) for r in results] == [("reader", 8)]


def test_the_release_hides_solutions_and_hidden_tests(course):
    _, _, source, release_nb = course
    text = "\n".join(c.source for c in release_nb.cells)
    assert "return x * x" not in text and "BEGIN HIDDEN TESTS" not in text
    assert "raise NotImplementedError()" in text
    locked = [c for c in release_nb.cells if c.metadata["nbgrader"].get("locked")]
    assert locked and all("checksum" in c.metadata["nbgrader"] for c in locked
                          if c.metadata["nbgrader"].get("grade"))


def test_cli_grades_a_zip_and_writes_csv_and_feedback(course, tmp_path):
    root, _, source, release_nb = course
    folder = tmp_path / "export"
    write(answered(release_nb, source, ALL), folder / "alice" / "tiny.ipynb")
    write(release_nb, folder / "bob" / "tiny.ipynb")
    (folder / "carol").mkdir()
    (folder / "carol" / "tiny.ipynb").write_bytes(b"\xff\xfe not utf-8")
    archive = tmp_path / "lms_export.zip"
    with zipfile.ZipFile(archive, "w") as z:  # wrapped in one folder, as LMS exports are
        for path in folder.rglob("*.ipynb"):
            z.write(path, Path("course_export") / path.relative_to(folder))
    out = tmp_path / "out"
    done = run_cli("grade", "tiny", str(archive), "--course-dir", str(root), "--out", str(out),
                   "--workers", "2", "--timeout", "60", "--no-progress")
    assert done.returncode == 0, done.stderr[-2000:]
    rows = {r["student_id"]: r for r in csv.DictReader(open(out / "grades.csv"))}
    assert {k: float(v["score"]) for k, v in rows.items()} == {"alice": 8, "bob": 0, "carol": 0}
    assert all(float(r["max_score"]) == 8 for r in rows.values())
    assert "not a text file" in rows["carol"]["problems"]
    for student in rows:
        assert (out / "feedback" / student / "index.html").exists()
    page = (out / "feedback" / "alice" / "tiny.html").read_text()
    assert "cases passed" in page  # the checks' messages reach the student
    assert "alice" in done.stdout and "8 / 8" in done.stdout


def test_cli_usage_errors_exit_non_zero(course, tmp_path):
    root = course[0]
    unknown = run_cli("grade", "no_such_assignment", str(tmp_path), "--course-dir", str(root))
    assert unknown.returncode == 2 and "unknown assignment" in unknown.stderr
    missing = run_cli("grade", "tiny", str(tmp_path / "nothing_here"), "--course-dir", str(root))
    assert missing.returncode == 2 and "no submissions" in missing.stderr
    no_course = run_cli("release", "--course-dir", str(tmp_path))
    assert no_course.returncode == 2 and "solutions/" in no_course.stderr


def test_release_refuses_a_solution_that_fails_its_tests(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "solutions" / "tiny")
    path = tmp_path / "solutions" / "tiny" / "tiny.ipynb"
    notebook = nbformat.read(path, as_version=4)
    broken = with_answer(notebook, "ex2_cube", "def cube(x):\n    return x")
    nbformat.write(broken, path)
    done = run_cli("release", "tiny", "--course-dir", str(tmp_path))
    assert done.returncode == 2
    assert "test_ex2_cube gives 1 of 3 points" in done.stderr
    assert not (tmp_path / "release" / "tiny").exists()


def test_release_refuses_a_test_that_the_judge_cannot_replay(tmp_path):
    """A test cell that calls the student's function outside grade_cases passes when a student
    runs it, but the grader's judge has no student code to call: release says so."""
    shutil.copytree(FIXTURE, tmp_path / "solutions" / "tiny")
    path = tmp_path / "solutions" / "tiny" / "tiny.ipynb"
    notebook = nbformat.read(path, as_version=4)
    test = next(c for c in notebook.cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == "test_ex2_cube")
    test.source = "3.0 if cube(2) == 8 else 0.0  # not through grade_cases"
    nbformat.write(notebook, path)
    done = run_cli("release", "tiny", "--course-dir", str(tmp_path))
    assert done.returncode == 2, done.stdout + done.stderr
    assert ("test_ex2_cube gives 0 of 3 points on the solution when the grader's judge scores "
            "it (GraderError: the grader could not score this test (StudentCodeCalled: the test "
            "called the student's cube outside grade_cases") in done.stderr
    assert not (tmp_path / "release" / "tiny").exists()


def test_the_readme_quickstart_demo_runs(tmp_path):
    """`python -m autograder demo`, the README's main job, end to end (on a copy of the
    course, so that the repository's release/ and gradebook stay untouched)."""
    from autograder.coursedir import find_assignment

    shutil.copytree(find_assignment("a1_neuron_perceptron").source_dir,
                    tmp_path / "solutions" / "a1_neuron_perceptron")
    done = run_cli("demo", "--course-dir", str(tmp_path), "--out", str(tmp_path / "demo"),
                   "--no-progress")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    scores = {line.split()[0]: line.split()[1] for line in done.stdout.splitlines()
              if line.split() and line.split()[0] in ("ada", "ben", "cleo", "dan", "eve", "fay")}
    assert scores == {"ada": "100", "ben": "50", "cleo": "0", "dan": "85", "eve": "0",
                      "fay": "0"}, done.stdout
    assert (tmp_path / "demo" / "grades" / "grades.csv").exists()
    assert (tmp_path / "demo" / "grades" / "feedback" / "ada" / "index.html").exists()
    # the lecturer's terminal shows no kernel's warnings (the release's kernels talk over Unix
    # sockets, not TCP: ipykernel 7.4 warns of unencrypted TCP)
    assert "WARNING" not in done.stderr, done.stderr[-2000:]
