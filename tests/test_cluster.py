"""Grading on a Dask cluster, with real processes: a ``dask scheduler`` and ``dask worker``
processes on the loopback interface (tests/dask_cluster.py), the tiny assignment, and a batch of
honest and broken submissions. Every cluster run must give exactly the grades of grading in
this process, whatever happens to the workers."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dask
import pytest
from cli import run_cli
from dask_cluster import KillOnStart, TlsFiles, loopback_cluster

import autograder.cluster as cluster_module
from autograder.cluster import ALLOWED_FAILURES, ClusterSpec, connect
from autograder.grading import JOURNAL, GradingOptions, GradingStopped, grade_submissions
from autograder.samples import answered, released_copy, with_answer, write
from autograder.sandbox import find_bwrap
from autograder.submissions import collect

pytestmark = pytest.mark.skipif(find_bwrap() is None, reason="bubblewrap is not installed")

FIXTURE = Path(__file__).parent / "fixtures" / "tiny"
OPTIONS = GradingOptions(workers=2, cell_timeout=5, notebook_timeout=60, feedback=False)


def make_batch(folder: Path, source, release_nb) -> None:
    good = answered(release_nb, source, ["ex1_square", "ex2_cube"])
    write(good, folder / "good" / "tiny.ipynb")
    write(release_nb, folder / "blank" / "tiny.ipynb")
    write(answered(release_nb, source, ["ex2_cube"]), folder / "only_cube" / "tiny.ipynb")
    write(with_answer(good, "ex1_square", "def square(x):\n    while True:\n        pass"),
          folder / "infinite_loop" / "tiny.ipynb")
    write(with_answer(good, "ex1_square", "def square(x) return x * x"),
          folder / "syntax_error" / "tiny.ipynb")
    write(with_answer(good, "ex2_cube", "import os\nos._exit(1)"),
          folder / "kernel_crash" / "tiny.ipynb")
    (folder / "missing").mkdir(parents=True)
    (folder / "not_json").mkdir(parents=True)
    (folder / "not_json" / "tiny.ipynb").write_text('{"cells": [ oops')


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("cluster_course")
    assignment, release_nb, source = released_copy(FIXTURE, root)
    folder = root / "submissions"
    make_batch(folder, source, release_nb)
    return root, assignment, folder


def grades(results) -> dict[str, tuple]:
    """What must not change with where the grading ran: score, status, problems."""
    return {r.student_id: (r.score, r.max_score, r.status, tuple(r.problems)) for r in results}


@pytest.fixture(scope="module")
def local(course, tmp_path_factory):
    """The batch graded in this process: the reference every cluster run must equal."""
    _, assignment, folder = course
    out = tmp_path_factory.mktemp("local") / "nbgrader"
    results = grade_submissions(assignment, collect(folder, assignment), out, OPTIONS)
    assert grades(results)["good"][0] == 8 and grades(results)["only_cube"][0] == 3
    return grades(results)


def journal_students(course_root: Path) -> list[str]:
    lines = (course_root / JOURNAL).read_text().splitlines()[1:]
    return [json.loads(line)["student_id"] for line in lines]


def journal_hosts(course_root: Path) -> set[str]:
    lines = (course_root / JOURNAL).read_text().splitlines()[1:]
    return {json.loads(line)["host"] for line in lines}


def test_a_loopback_cluster_grades_exactly_as_this_process(course, local, tmp_path):
    _, assignment, folder = course
    with loopback_cluster(tmp_path / "cluster") as cluster:
        pids = set(cluster.worker_pids().values())
        out = tmp_path / "run" / "nbgrader"
        results = grade_submissions(assignment, collect(folder, assignment), out, OPTIONS,
                                    cluster=ClusterSpec(cluster.address))
    assert grades(results) == local
    graded_by = {int(host.rsplit(":", 1)[1]) for host in journal_hosts(out)}
    assert graded_by <= pids and os.getpid() not in graded_by  # no student code ran here
    assert sorted(journal_students(out)) == sorted(s for s in local if s != "missing"
                                                   and s != "not_json")


def test_a_worker_killed_in_the_middle_changes_nothing(course, local, tmp_path):
    _, assignment, folder = course
    killed = []
    with loopback_cluster(tmp_path / "cluster") as cluster:
        pids = cluster.worker_pids()

        def kill_a_worker(_student: str) -> None:
            graded = len(journal_students(out)) if (out / JOURNAL).exists() else 0
            if not killed and graded >= 1:  # the others are being graded on both workers
                os.kill(pids["w1"], signal.SIGKILL)
                killed.append(pids["w1"])

        out = tmp_path / "run" / "nbgrader"
        results = grade_submissions(assignment, collect(folder, assignment), out, OPTIONS,
                                    cluster=ClusterSpec(cluster.address),
                                    on_done=kill_a_worker)
        assert killed and cluster.workers[0].wait(timeout=30) == -signal.SIGKILL
    assert grades(results) == local
    students = journal_students(out)
    assert len(students) == len(set(students)) == len(local) - 2  # each once (2 not gradable)


def grade_beside_a_crasher(course, tmp_path, crasher: str, allowed_failures: int,
                           workers: int = 2):
    """The batch and one more student, ``crasher``, whose task kills the worker it starts on,
    graded on a loopback cluster whose scheduler gives a task up after it was on
    ``allowed_failures`` + 1 workers that died; (grades, the run's folder)."""
    _, assignment, folder = course
    submissions = tmp_path / "submissions"
    shutil.copytree(folder, submissions)
    shutil.copytree(submissions / "good", submissions / crasher)
    env = {"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": str(allowed_failures)}
    with loopback_cluster(tmp_path / "cluster", workers=workers, nanny=True,
                          scheduler_env=env) as cluster:
        with cluster.client() as client:
            client.register_plugin(KillOnStart(f"grade-{crasher}-"))
        out = tmp_path / "run" / "nbgrader"
        results = grade_submissions(assignment, collect(submissions, assignment), out, OPTIONS,
                                    cluster=ClusterSpec(cluster.address))
    return grades(results), out


def test_a_submission_that_kills_every_worker_is_reported_and_the_others_graded(
        course, local, tmp_path):
    # which other students were on the workers that died is the scheduler's choice: they must
    # be graded all the same
    found, _ = grade_beside_a_crasher(course, tmp_path, "crasher", allowed_failures=1)
    score, _, status, problems = found.pop("crasher")
    assert (score, status) == (0, "not graded")
    assert any("ended the Dask worker" in p for p in problems), problems
    assert found == local


def test_students_given_up_beside_a_crasher_are_graded_when_run_alone(course, local, tmp_path):
    # One worker, and a scheduler that gives up every task on a worker that dies
    # (allowed-failures 0): the crasher, run first, takes with it every student then on the
    # worker. Each of them runs again alone and is graded; the crasher alone ends the worker
    # again and is the one reported.
    found, out = grade_beside_a_crasher(course, tmp_path, "a_crasher", allowed_failures=0,
                                        workers=1)
    score, _, status, problems = found.pop("a_crasher")
    assert (score, status) == (0, "not graded")
    assert any("also when it ran alone" in p for p in problems), problems
    assert found == local
    students = journal_students(out)
    assert len(students) == len(set(students)) and "a_crasher" in students


def test_a_scheduler_that_goes_away_stops_the_run_and_resume_grades_the_rest(
        course, local, tmp_path, monkeypatch):
    _, assignment, folder = course
    monkeypatch.setattr(cluster_module, "LOST_SCHEDULER_GRACE", 3.0)
    submissions = collect(folder, assignment)
    out = tmp_path / "run" / "nbgrader"
    with loopback_cluster(tmp_path / "cluster") as cluster:

        def kill_the_scheduler(_student: str) -> None:
            if (out / JOURNAL).exists() and journal_students(out):
                cluster.scheduler.kill()

        with pytest.raises(GradingStopped) as stopped:
            grade_submissions(assignment, submissions, out, OPTIONS,
                              cluster=ClusterSpec(cluster.address), on_done=kill_the_scheduler)
    assert f"scheduler at {cluster.address} went away" in stopped.value.why
    first = journal_students(out)
    assert 1 <= len(first) < len(local) - 2 and stopped.value.graded == len(first)
    with loopback_cluster(tmp_path / "cluster2") as cluster:
        results = grade_submissions(assignment, submissions, out, OPTIONS, resume=True,
                                    cluster=ClusterSpec(cluster.address))
    assert grades(results) == local
    students = journal_students(out)
    assert students[:len(first)] == first and len(students) == len(set(students))


def test_a_worker_that_cannot_sandbox_grades_nothing(course, local, tmp_path):
    _, assignment, folder = course
    with loopback_cluster(tmp_path / "cluster", workers=1) as cluster:
        # a worker whose PATH has no bubblewrap: it must refuse every student
        python_only = str(Path(sys.executable).parent)
        cluster.start_worker("unsafe", env={"PATH": python_only})
        cluster.wait_for_workers(2)
        pids = cluster.worker_pids()
        out = tmp_path / "run" / "nbgrader"
        results = grade_submissions(assignment, collect(folder, assignment), out, OPTIONS,
                                    cluster=ClusterSpec(cluster.address))
        assert cluster.workers[1].wait(timeout=60) is not None  # retired: its process ended
    assert grades(results) == local
    assert {int(h.rsplit(":", 1)[1]) for h in journal_hosts(out)} == {pids["w1"]}


def cli_grade(course, out: Path, *extra: str) -> list[str]:
    root, _, folder = course
    return ["grade", "tiny", str(folder), "--course-dir", str(root), "--out", str(out),
            "--workers", "2", "--timeout", "5", "--no-progress", *extra]


def read_csv(path: Path) -> list[dict]:
    return list(csv.DictReader(path.open()))


@pytest.fixture(scope="module")
def clean_csv(course, tmp_path_factory):
    out = tmp_path_factory.mktemp("clean")
    done = run_cli(*cli_grade(course, out))
    assert done.returncode == 0, done.stderr[-2000:]
    return read_csv(out / "grades.csv")


def test_resume_after_ctrl_c_grades_only_the_rest_and_gives_the_same_csv(
        course, clean_csv, tmp_path):
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "autograder", *cli_grade(course, out)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    journal = out / "nbgrader" / JOURNAL
    deadline = time.monotonic() + 300
    while not (journal.exists() and len(journal.read_text().splitlines()) >= 3):
        assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)  # Ctrl-C, after two students were recorded
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 3, stderr[-2000:]
    assert "--resume" in stderr
    first = journal_students(out / "nbgrader")
    assert 2 <= len(first) < len(clean_csv) - 2

    done = run_cli(*cli_grade(course, out, "--resume"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "resuming" in done.stdout
    students = journal_students(out / "nbgrader")
    assert students[:len(first)] == first  # kept, not graded again
    assert len(students) == len(set(students)) == len(clean_csv) - 2
    assert read_csv(out / "grades.csv") == clean_csv


def test_resume_without_an_interrupted_run_says_so(course, tmp_path):
    done = run_cli(*cli_grade(course, tmp_path / "never", "--resume"))
    assert done.returncode == 2 and "nothing to resume" in done.stderr


def test_a_local_cluster_of_worker_processes_gives_the_same_csv(course, clean_csv, tmp_path):
    done = run_cli(*cli_grade(course, tmp_path / "out", "--scheduler", "local:2"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "local Dask cluster of 2 worker processes" in done.stdout
    assert read_csv(tmp_path / "out" / "grades.csv") == clean_csv


def test_a_local_cluster_is_set_up_as_documented():
    """local:N's scheduler gives a task up after ALLOWED_FAILURES dead workers, and its workers
    run without Dask's statistical profiler (for a dashboard nobody sees, at a cost in CPU)."""
    with connect(ClusterSpec("local:2"), OPTIONS) as client:
        profiling = client.run(lambda: dask.config.get("distributed.worker.profile.enabled"))
        failures = client.run_on_scheduler(
            lambda dask_scheduler: dask_scheduler.allowed_failures)
    assert list(profiling.values()) == [False, False]
    assert failures == ALLOWED_FAILURES


def test_tls_a_worker_without_the_certificate_cannot_join(course, local, tmp_path):
    _, assignment, folder = course
    tls = TlsFiles.make(tmp_path / "tls")
    other = TlsFiles.make(tmp_path / "other")  # certificates of another CA
    with loopback_cluster(tmp_path / "cluster", workers=1, tls=tls) as cluster:
        no_cert = cluster.start_worker("no_cert", tls=None, extra=("--death-timeout", "15"))
        foreign = cluster.start_worker("foreign", tls=other, extra=("--death-timeout", "15"))
        assert no_cert.wait(timeout=90) != 0 and foreign.wait(timeout=90) != 0
        assert [w["name"] for w in cluster.wait_for_workers(1).values()] == ["w1"]
        out = tmp_path / "run" / "nbgrader"
        spec = ClusterSpec(cluster.address, tls.ca, tls.cert, tls.key)
        results = grade_submissions(assignment, collect(folder, assignment), out, OPTIONS,
                                    cluster=spec)
    assert grades(results) == local
    assert cluster.address.startswith("tls://")


def test_the_cluster_options_are_checked(course, tmp_path):
    done = run_cli(*cli_grade(course, tmp_path / "a", "--scheduler", "localhost:8786"))
    assert done.returncode == 2 and "tcp://HOST:8786" in done.stderr
    done = run_cli(*cli_grade(course, tmp_path / "b", "--scheduler", "tls://127.0.0.1:1"))
    assert done.returncode == 2 and "--tls-ca-file" in done.stderr
    done = run_cli(*cli_grade(course, tmp_path / "c", "--scheduler", "tcp://127.0.0.1:1"))
    assert done.returncode == 2 and "cannot reach the Dask scheduler" in done.stderr
