"""Hostile submissions graded by the real pipeline, in the sandbox.

Each hostile student answers exercise 2 honestly (3 points) and puts an attack in exercise 1's
answer cell next to a wrong ``square``: reading the solutions, writing to the gradebook or
outside, a socket, a memory bomb, 100 MB printed, a 200 MB file, a fork bomb, an infinite loop,
``sys.exit()``, ``raise SystemExit``, ``os._exit(1)`` and a segfault (ctypes). An attack that
worked would show as extra points, a file written outside the grading area, a connection
received, a broken gradebook, or a huge feedback page. An attack that kills the kernel
(``os._exit``, a segfault) loses only its own exercise: a new kernel runs the cells after it.

Other students tamper with the file instead: edited nbgrader metadata, duplicated or deleted
cells, an empty file, a 200 MB notebook, Latin-1 bytes (not UTF-8), an escaped lone surrogate,
damaged cell metadata, a notebook or a student folder that is a symbolic link (to /etc/passwd,
the solution, another student), a folder name that is not a student id (a formula, a newline)
or a hidden one (``...``), and a zip with members such as ``../../x.ipynb``, also through the
command line.

The batch must finish, every student gets only the points of honest work (0 for a file that
cannot be graded), the honest students' grades are unchanged, nothing is written outside, and
the summary names what happened.

Not covered yet (see the notes of the issue on hostile submissions): answers that monkeypatch the
checking code (numpy.allclose, autograder.checks) inside the kernel.
"""

from __future__ import annotations

import copy
import csv
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import zipfile
from pathlib import Path
from typing import NamedTuple

import nbformat
import pytest

from autograder.coursedir import REPOSITORY
from autograder.grading import GradingOptions, StudentResult, grade_submissions
from autograder.report import summary_table, write_grades_csv
from autograder.samples import answered, released_copy, with_answer, write
from autograder.sandbox import SandboxPolicy, find_bwrap, pids_cgroup_root
from autograder.submissions import collect, unpack

FIXTURE = Path(__file__).parent / "fixtures" / "tiny"
WRONG_SQUARE = "\ndef square(x):\n    return 0\n"
SECRET = "lecturer-private-key-4711"

pytestmark = pytest.mark.skipif(
    find_bwrap() is None and not os.environ.get("CI"),
    reason="bubblewrap (bwrap) is not installed; .ci/run installs it",
)


@pytest.fixture(scope="module")
def listener():
    """A TCP server on localhost that records any connection a kernel manages to make."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    received = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connection, _ = server.accept()
                received.append(connection.recv(100))
                connection.close()
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    stop.set()
    thread.join()
    server.close()


@pytest.fixture(scope="module")
def graded(tmp_path_factory, listener):
    port, _ = listener
    assignment, release_nb, source = released_copy(FIXTURE, tmp_path_factory.mktemp("course"))
    honest = answered(release_nb, source, ["ex1_square", "ex2_cube"])
    solution_file = assignment.source_dir / "tiny.ipynb"
    # outside the grading area and outside /tmp (the kernel's /tmp is private anyway)
    outside = REPOSITORY / ".redteam_written_outside.txt"
    secret = Path.home() / ".nn_course_redteam_secret"  # the lecturer's home: never visible
    secret.write_text(SECRET)
    run = tmp_path_factory.mktemp("run")
    attacks = {
        "reads_home": (
            "import glob, os\n"
            "found = [open(path).read() for pattern in ('~/.nn_course*', '/root/.nn_course*',\n"
            "                                           '/home/*/.nn_course*')\n"
            "         for path in glob.glob(os.path.expanduser(pattern))]\n"
            "print('found:', found, os.listdir(os.path.expanduser('~')))\n" + WRONG_SQUARE),
        "reads_solutions": (
            f"text = open({str(solution_file)!r}).read()\n"
            "def square(x):\n    return x * x  # copied from the solution it read\n"),
        "writes_gradebook": (
            "import glob\n"
            f"for path in glob.glob({str(run)!r} + '/**/gradebook.db', recursive=True):\n"
            "    open(path, 'wb').write(b'garbage')\n" + WRONG_SQUARE),
        "writes_outside": f"open({str(outside)!r}, 'w').write('pwned')\n" + WRONG_SQUARE,
        "socket": (
            "import socket\n"
            f"socket.create_connection(('127.0.0.1', {port}), timeout=2).send(b'stolen')\n"
            + WRONG_SQUARE),
        "memory_bomb": "hog = bytearray(50 * 1024**3)\n" + WRONG_SQUARE,
        "prints_100_mb": "print('x' * 100_000_000)\n" + WRONG_SQUARE,
        # 1 GB in 1 MB lines: the grader stops collecting at 128 MB per cell
        "prints_1_gb_in_a_loop": ("line = 'y' * 1_000_000\nfor _ in range(1000):\n"
                                  "    print(line, flush=True)\n" + WRONG_SQUARE),
        "huge_file": "open('big.bin', 'wb').write(b'0' * 200 * 1024**2)\n" + WRONG_SQUARE,
        # bounded, so that it would be harmless even if the sandbox failed: 300 children that
        # sleep 5 s; the kernel's process limit (64) stops it long before
        "fork_bomb": (
            "import os, time\n"
            "for _ in range(300):\n"
            "    if os.fork() == 0:\n"
            "        time.sleep(5)\n"
            "        os._exit(0)\n" + WRONG_SQUARE),
        "infinite_loop": "while True:\n    pass\n" + WRONG_SQUARE,
        "sys_exit": "import sys\nsys.exit()\n" + WRONG_SQUARE,
        "raises_system_exit": "raise SystemExit(0)\n" + WRONG_SQUARE,
        "os_exit": "import os\nos._exit(1)\n" + WRONG_SQUARE,
        "segfault": "import ctypes\nctypes.string_at(0)\n" + WRONG_SQUARE,
    }
    folder = tmp_path_factory.mktemp("submissions")
    write(honest, folder / "honest_1" / "tiny.ipynb")
    write(honest, folder / "honest_2" / "tiny.ipynb")
    for student, code in attacks.items():
        write(with_answer(honest, "ex1_square", code), folder / student / "tiny.ipynb")
    # tampering with the notebook itself: honest answers to exercise 2 only (3 points)
    only_cube = answered(release_nb, source, ["ex2_cube"])
    inflated = copy.deepcopy(only_cube)
    for cell in inflated.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == "test_ex1_square":
            meta["points"] = 100  # more points for the test
        if meta.get("grade_id") == "ex1_square":
            meta.update(grade=True, solution=False, locked=True, points=50)  # answer as a test
    write(inflated, folder / "edits_metadata" / "tiny.ipynb")
    duplicated = copy.deepcopy(only_cube)
    cube_test = next(c for c in duplicated.cells
                     if c.metadata.get("nbgrader", {}).get("grade_id") == "test_ex2_cube")
    for number in range(5):  # as JupyterLab duplicates a cell: same content, a new cell id
        twin = copy.deepcopy(cube_test)
        twin["id"] = f"duplicate-{number}"
        duplicated.cells.append(twin)
    write(duplicated, folder / "duplicates_cells" / "tiny.ipynb")
    emptied = copy.deepcopy(only_cube)
    emptied.cells = []
    write(emptied, folder / "deletes_all_cells" / "tiny.ipynb")
    (folder / "empty_file").mkdir()
    (folder / "empty_file" / "tiny.ipynb").write_bytes(b"")
    (folder / "not_json").mkdir()
    (folder / "not_json" / "tiny.ipynb").write_text('{"cells": [ {"cell_type": "code", oops')
    padded = copy.deepcopy(only_cube)  # a 200 MB notebook: a huge saved output
    padded.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                      text="y" * 200 * 1024**2)]
    write(padded, folder / "huge_notebook" / "tiny.ipynb")
    write_broken_files(honest, folder)
    write_links_and_odd_names(honest, folder, solution_file)
    notes: list[str] = []
    try:
        results = grade_submissions(assignment, collect(folder, assignment, notes),
                                    run / "nbgrader",
                                    GradingOptions(workers=4, notebook_timeout=60, cell_timeout=20))
        yield Graded({r.student_id: r for r in results}, run, outside.exists(), notes)
    finally:
        outside.unlink(missing_ok=True)
        secret.unlink(missing_ok=True)


class Graded(NamedTuple):
    """The hostile batch, graded: results by student, the run's folder, whether the file
    outside was written, and the notes on what belongs to no student."""

    results: dict[str, StudentResult]
    run: Path
    written_outside: bool
    notes: list[str]


def write_broken_files(honest, folder: Path) -> None:
    """Files that are not notebooks the grader can write back: Latin-1 bytes, an escaped
    lone surrogate, a cell whose nbgrader metadata is text instead of a mapping."""
    text = nbformat.writes(with_answer(honest, "ex1_square", "# caf\u00e9" + WRONG_SQUARE))
    (folder / "latin1").mkdir()
    (folder / "latin1" / "tiny.ipynb").write_bytes(text.encode("latin-1"))
    escaped = nbformat.writes(with_answer(honest, "ex1_square", "# SURROGATE" + WRONG_SQUARE))
    (folder / "lone_surrogate").mkdir()
    (folder / "lone_surrogate" / "tiny.ipynb").write_text(
        escaped.replace("SURROGATE", "\\ud800"))
    damaged = copy.deepcopy(honest)
    damaged.cells[2].metadata["nbgrader"] = "points: 100"
    write(damaged, folder / "damaged_metadata" / "tiny.ipynb")


def write_links_and_odd_names(honest, folder: Path, solution_file: Path) -> None:
    """Symbolic links (a notebook to /etc/passwd, to the solution, to another student's work;
    a student folder to the solutions) and folder names that are no student ids."""
    for student, target in [("links_to_passwd", Path("/etc/passwd")),
                            ("links_to_solution", solution_file),
                            ("links_to_honest", Path("..") / "honest_1" / "tiny.ipynb")]:
        (folder / student).mkdir()
        (folder / student / "tiny.ipynb").symlink_to(target)
    (folder / "linked_folder").symlink_to(solution_file.parent, target_is_directory=True)
    write(honest, folder / '=HYPERLINK("evil.example","8")' / "tiny.ipynb")
    write(honest, folder / "new\nline" / "tiny.ipynb")
    write(honest, folder / "..." / "tiny.ipynb")


def test_honest_students_are_unaffected(graded):
    results = graded.results
    assert results["honest_1"].score == results["honest_2"].score == 8
    assert results["honest_1"].problems == results["honest_2"].problems == []


@pytest.mark.parametrize("student", ["reads_solutions", "writes_gradebook", "writes_outside",
                                     "socket", "memory_bomb", "prints_100_mb", "huge_file",
                                     "fork_bomb", "infinite_loop", "sys_exit", "reads_home",
                                     "prints_1_gb_in_a_loop",
                                     "raises_system_exit"])
def test_each_attack_earns_only_the_honest_points(graded, student):
    result = graded.results[student]
    assert result.graded
    assert result.score == 3, result.problems


@pytest.mark.parametrize("student", ["os_exit", "segfault"])
def test_an_attack_that_kills_the_kernel_earns_only_the_honest_points(graded, student):
    """The kernel dies in exercise 1's answer; a new kernel runs the cells before it again and
    then the cells after it (autograder/execute.py), so the honest exercise 2 still counts."""
    result = graded.results[student]
    assert result.graded
    assert result.score == 3, result.problems
    assert any("the kernel died in cell 2 (ex1_square)" in p for p in result.problems)
    notebook = graded.run / "nbgrader" / "autograded" / student / "tiny" / "tiny.ipynb"
    cube_test = nbformat.read(notebook, as_version=4).cells[6]
    assert "cube: 3 of 3 cases passed" in "".join(o.get("text", "") for o in cube_test.outputs)


@pytest.mark.parametrize("student, score", [("edits_metadata", 3), ("duplicates_cells", 3),
                                            ("deletes_all_cells", 0), ("huge_notebook", 3),
                                            ("empty_file", 0), ("not_json", 0)])
def test_tampering_with_the_notebook_earns_nothing(graded, student, score):
    results = graded.results
    assert results[student].score == score, results[student].problems
    assert results[student].max_score == 8


@pytest.mark.parametrize("student", ["empty_file", "not_json"])
def test_a_file_that_is_no_notebook_is_reported(graded, student):
    assert any("is not a valid notebook (not JSON" in p
               for p in graded.results[student].problems), graded.results[student].problems


@pytest.mark.parametrize("student, problem", [
    ("latin1", "tiny.ipynb is not valid UTF-8, so not a text file Jupyter can read "
               "(byte 0xe9 at position"),
    ("lone_surrogate", "tiny.ipynb is not a valid notebook (its text cannot be written as "
                       "valid UTF-8"),
    ("damaged_metadata", "tiny.ipynb is not a valid notebook (the metadata of cell 2 is "
                         "damaged)"),
    ("links_to_passwd", "tiny.ipynb is a symbolic link to a path outside the submissions "
                        "folder, not a file; it was not graded"),
    ("links_to_solution", "tiny.ipynb is a symbolic link to a path outside the submissions "
                          "folder, not a file; it was not graded"),
    ("links_to_honest", "tiny.ipynb is a symbolic link to 'honest_1/tiny.ipynb' in the "
                        "submissions folder, not a file"),
    ("linked_folder", "the student folder is a symbolic link to a path outside the "
                      "submissions folder, not a folder; it was not followed or graded"),
    ('=HYPERLINK("evil.example","8")', "the folder name is not a usable student id"),
    ("new\nline", "the folder name is not a usable student id"),
])
def test_a_file_that_cannot_be_graded_gets_0_and_is_reported(graded, student, problem):
    result = graded.results[student]
    assert not result.graded
    assert (result.score, result.max_score) == (0, 8)
    assert any(problem in p for p in result.problems), result.problems


def test_a_hidden_folder_is_not_a_student_and_is_noted(graded):
    assert "..." not in graded.results
    assert graded.notes == ["skipped folder '...': a hidden name (it starts with '.'), not a "
                            "student id; its notebooks were not graded"]


def test_the_lecturers_home_is_not_visible(graded):
    """A file in the grader's home folder: the kernel sees an empty home, and the secret
    appears nowhere in what the student gets back."""
    assert graded.results["reads_home"].score == 3
    notebook = graded.run / "nbgrader" / "autograded" / "reads_home" / "tiny" / "tiny.ipynb"
    page = graded.run / "nbgrader" / "feedback" / "reads_home" / "tiny" / "tiny.html"
    listing = next(line for line in notebook.read_text().splitlines() if "found:" in line)
    assert "found: []" in listing  # only Python's own folders are mounted back (.pyenv)
    assert ".nn_course_redteam_secret" not in listing and ".bashrc" not in listing
    assert SECRET not in notebook.read_text() and SECRET not in page.read_text()


def test_the_attacks_had_no_effect_outside(graded, listener):
    _, received = listener
    assert not graded.written_outside
    assert received == []
    gradebook = graded.run / "nbgrader" / "gradebook.db"
    assert gradebook.read_bytes()[:15] == b"SQLite format 3"
    assert not list(graded.run.rglob("core*"))  # the segfault left no core dump


@pytest.mark.parametrize("student, problem", [
    ("memory_bomb", "out of memory in cell 2 (ex1_square)"),
    ("huge_file", "cell 2 (ex1_square) wrote a file larger than the grader's limit"),
    ("infinite_loop", "time limit: cell 2 (ex1_square) was stopped"),
    ("sys_exit", "sys.exit() was called in cell 2 (ex1_square)"),
    ("raises_system_exit", "sys.exit() was called in cell 2 (ex1_square)"),
    ("os_exit", "the kernel died in cell 2 (ex1_square)"),
    ("segfault", "the kernel died in cell 2 (ex1_square)"),
    ("prints_100_mb", "output limit: the output of cell 2 (ex1_square) was cut"),
    ("prints_1_gb_in_a_loop", "output limit: the output of cell 2 (ex1_square) was cut"),
])
def test_the_summary_names_what_happened(graded, student, problem):
    assert any(problem in p for p in graded.results[student].problems), \
        graded.results[student].problems


def test_the_grades_csv_and_summary_keep_hostile_names_inert(graded, tmp_path):
    """A folder named like a spreadsheet formula is text in grades.csv; a newline in a name
    cannot start a line of its own in the printed summary."""
    results = list(graded.results.values())
    write_grades_csv(results, tmp_path / "grades.csv")
    rows = {r["student_id"]: r for r in csv.DictReader(open(tmp_path / "grades.csv"))}
    assert """'=HYPERLINK("evil.example","8")""" in rows
    assert not any(student.startswith("=") for student in rows)
    assert "new\\nline" in rows  # one row, the newline shown as an escape
    assert rows["honest_1"]["score"] == "8" and rows["segfault"]["score"] == "3"
    summary = summary_table(results, graded.notes)
    assert "new\\nline" in summary and "new\nline" not in summary
    assert summary.splitlines()[-1] == ("  - skipped folder '...': a hidden name (it starts "
                                        "with '.'), not a student id; its notebooks were not "
                                        "graded")


@pytest.mark.skipif(pids_cgroup_root() is None,
                    reason="no pids control group can be created here: no process limit")
def test_the_fork_bomb_hit_the_process_limit(graded):
    assert any("limit on processes" in p for p in graded.results["fork_bomb"].problems)


def test_huge_output_is_cut_in_the_graded_notebook_and_feedback(graded):
    run = graded.run
    notebook = run / "nbgrader" / "autograded" / "prints_100_mb" / "tiny" / "tiny.ipynb"
    assert notebook.stat().st_size < 1024**2
    page = run / "nbgrader" / "feedback" / "prints_100_mb" / "tiny" / "tiny.html"
    assert page.stat().st_size < 2 * 1024**2
    assert "more characters cut by the grader" in notebook.read_text()


def test_zip_members_with_path_tricks_are_not_extracted_and_are_named(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("alice/tiny.ipynb", "{}")
        z.writestr("../../escaped.ipynb", "{}")
        z.writestr("/abs/escaped.ipynb", "{}")
        z.writestr("bob", "a file where bob's folder goes")
        z.writestr("bob/tiny.ipynb", "{}")
    notes: list[str] = []
    folder = unpack(archive, tmp_path / "unpacked", notes)
    assert (folder / "alice" / "tiny.ipynb").exists()
    assert not (tmp_path.parent / "escaped.ipynb").exists()
    assert not list(tmp_path.rglob("escaped.ipynb"))
    assert notes[:2] == [
        "skipped zip member '../../escaped.ipynb': a path with '..', outside the submissions "
        "folder; it was not extracted",
        "skipped zip member '/abs/escaped.ipynb': an absolute path, outside the submissions "
        "folder; it was not extracted"]
    assert notes[2].startswith("skipped zip member 'bob/tiny.ipynb': it could not be "
                               "extracted (NotADirectoryError")
    assert len(notes) == 3


def test_a_zip_bomb_is_not_unpacked(tmp_path):
    """Members larger than a submitted file may be, and everything past the zip's total
    budget, are not extracted, and the notes say so (limits made small here; the defaults are
    512 MB per file and 8 GB in all)."""
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("alice/tiny.ipynb", "{}")
        z.writestr("bomb/tiny.ipynb", b"0" * 5_000_000)  # 5 MB of zeros, 5 kB compressed
        for number in range(10):
            z.writestr(f"filler{number}/tiny.ipynb", b"1" * 400_000)
    notes: list[str] = []
    folder = unpack(archive, tmp_path / "unpacked", notes, max_member_bytes=1_000_000,
                    max_total_bytes=2_000_000)
    assert (folder / "alice" / "tiny.ipynb").exists()
    assert not (folder / "bomb" / "tiny.ipynb").exists()
    assert notes[0] == ("skipped zip member 'bomb/tiny.ipynb': 4.8 MB unpacked, more than the "
                        "1.0 MB a submitted file may have; it was not extracted")
    assert notes[1].startswith("the zip unpacks to more than 1.9 MB (a zip bomb?): extraction "
                               "stopped at member 'filler4/tiny.ipynb', and its last 6 members")
    extracted = sum(f.stat().st_size for f in (tmp_path / "unpacked").rglob("*") if f.is_file())
    assert extracted <= 2_000_000


def test_many_skipped_zip_members_are_counted_not_listed(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for number in range(200):
            z.writestr(f"../escape{number}.ipynb", "{}")
    notes: list[str] = []
    unpack(archive, tmp_path / "unpacked", notes)
    assert len(notes) == 51 and notes[-1] == "... and 150 more zip members skipped"


def test_cli_names_the_zip_members_it_skipped(tmp_path):
    """The real command on a zip with ../ members: it grades the rest, exits 0, writes
    nothing outside its output folder, and its summary names each skipped member."""
    course = tmp_path / "course"
    shutil.copytree(FIXTURE, course / "solutions" / "tiny")
    honest = FIXTURE / "tiny.ipynb"  # the solution: an honest 8 of 8
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    archive = work / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:  # writestr keeps the names as they are
        z.writestr("export/alice/tiny.ipynb", honest.read_bytes())
        z.writestr("../../x.ipynb", honest.read_bytes())
        z.writestr("export/mallory/../../../../x.ipynb", honest.read_bytes())
    before = sorted(tmp_path.rglob("*"))
    out = work / "out"
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", "tiny", str(archive), "--course-dir",
         str(course), "--out", str(out), "--workers", "1", "--timeout", "60", "--no-progress"],
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-1500:]
    assert [p for p in sorted(tmp_path.rglob("*")) if not p.is_relative_to(out)] == before
    assert not list(tmp_path.rglob("x.ipynb"))
    rows = list(csv.DictReader(open(out / "grades.csv")))
    assert [(r["student_id"], r["score"]) for r in rows] == [("alice", "8")]
    assert ("  - skipped zip member '../../x.ipynb': a path with '..', outside the submissions "
            "folder; it was not extracted") in done.stdout.splitlines()
    assert "skipped zip member 'export/mallory/../../../../x.ipynb'" in done.stdout
    assert "not graded, belonging to no student (2):" in done.stdout


def test_without_bwrap_grade_refuses_unless_told(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "solutions" / "tiny")
    (tmp_path / "subs" / "alice").mkdir(parents=True)
    shutil.copy(FIXTURE / "tiny.ipynb", tmp_path / "subs" / "alice" / "tiny.ipynb")
    no_bwrap = dict(os.environ, PATH=str(Path(sys.executable).parent))
    command = [sys.executable, "-m", "autograder", "grade", "tiny", str(tmp_path / "subs"),
               "--course-dir", str(tmp_path), "--out", str(tmp_path / "out"), "--no-progress"]
    refused = subprocess.run(command, capture_output=True, text=True, env=no_bwrap, timeout=300)
    assert refused.returncode == 2 and "bubblewrap" in refused.stderr
    allowed = subprocess.run([*command, "--no-sandbox"], capture_output=True, text=True,
                             env=no_bwrap, timeout=300)
    assert allowed.returncode == 0, allowed.stderr[-1500:]
    assert "graded (unsandboxed)" in (tmp_path / "out" / "grades.csv").read_text()


def test_the_cpu_time_limit_stops_a_busy_kernel(tmp_path):
    """With 3 CPU seconds per kernel and a 40 s cell limit, a busy loop is stopped by the CPU
    limit, said so in the summary; a new kernel grades the honest exercise after it."""
    assignment, release_nb, source = released_copy(FIXTURE, tmp_path)
    honest = answered(release_nb, source, ["ex1_square", "ex2_cube"])
    folder = tmp_path / "submissions"
    write(honest, folder / "honest" / "tiny.ipynb")
    busy = "x = 0\nwhile True:\n    x += 1\n" + WRONG_SQUARE
    write(with_answer(honest, "ex1_square", busy), folder / "cpu_hog" / "tiny.ipynb")
    results = {r.student_id: r for r in grade_submissions(
        assignment, collect(folder, assignment), tmp_path / "run" / "nbgrader",
        GradingOptions(workers=2, notebook_timeout=120, cell_timeout=40,
                       policy=SandboxPolicy(cpu_seconds=3)))}
    assert results["honest"].score == 8, results["honest"].problems
    assert results["cpu_hog"].score == 3, results["cpu_hog"].problems
    assert any("CPU time limit: the kernel used up its CPU time in cell 2 (ex1_square)" in p
               for p in results["cpu_hog"].problems), results["cpu_hog"].problems


def test_a_cell_never_uses_up_the_notebooks_time_limit(tmp_path):
    """A cell that would run past the notebook's whole budget (60 s of sleep, a budget of 15 s,
    a per-cell limit of 100 s) is stopped while the cells after it still have their shares:
    they all run, and the exercises they answer keep their points."""
    assignment, release_nb, source = released_copy(FIXTURE, tmp_path)
    honest = answered(release_nb, source, ["ex1_square", "ex2_cube"])
    slow = with_answer(honest, "ex1_square", "import time\ntime.sleep(60)\ndef square(x):\n"
                                             "    return x * x\n")
    write(slow, tmp_path / "submissions" / "slow" / "tiny.ipynb")
    result, = grade_submissions(assignment, collect(tmp_path / "submissions", assignment),
                                tmp_path / "run" / "nbgrader",
                                GradingOptions(workers=1, notebook_timeout=15, cell_timeout=100))
    assert result.score == 3, result.problems  # cube, answered after the slow cell
    stopped = [p for p in result.problems if p.startswith("time limit")]
    assert len(stopped) == 1 and re.fullmatch(
        r"time limit: cell 2 \(ex1_square\) was stopped after \d+ s \(what was left of the "
        r"notebook's limit, --notebook-timeout, after the time kept for the cells after it\); "
        r"an infinite loop\?", stopped[0]), result.problems
    assert not [p for p in result.problems if "not run" in p], result.problems


def test_a_kernel_cannot_see_the_submissions_folder_it_was_read_from(tmp_path):
    """The lecturer's folder of submissions (here outside the run folder, as
    /srv/course/submitted would be) is hidden from every kernel: a student who looks for a
    classmate's notebook, or for the folder itself, finds nothing there."""
    assignment, release_nb, source = released_copy(FIXTURE, tmp_path / "course")
    honest = answered(release_nb, source, ["ex1_square", "ex2_cube"])
    folder = tmp_path / "srv" / "submitted"
    classmate = write(honest, folder / "classmate" / "tiny.ipynb")
    looks = (f"import os\nSEES = [p for p in ({str(classmate)!r}, {str(folder)!r}) "
             "if os.path.exists(p) and (os.path.isfile(p) or os.listdir(p))]\n"
             "def square(x):\n    return -1 if SEES else x * x\n")
    write(with_answer(honest, "ex1_square", looks), folder / "peeker" / "tiny.ipynb")
    results = {r.student_id: r for r in grade_submissions(
        assignment, collect(folder, assignment), tmp_path / "run" / "nbgrader",
        GradingOptions(workers=2, notebook_timeout=60, cell_timeout=20))}
    assert results["peeker"].score == 8, results["peeker"].problems  # it saw nothing
    assert results["classmate"].score == 8
