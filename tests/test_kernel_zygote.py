"""Kernels forked from the zygote (autograder.kernel_zygote), sandboxed by themselves
(autograder.forked_sandbox): real kernels, compared with the ones bubblewrap starts, and
attacked from inside. The whole pipeline's attacks (tests/test_redteam.py) run on them too,
since the grader forks its kernels by default."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.kernel_zygote import Zygote, ZygoteError
from autograder.linux_namespaces import supported
from autograder.sandbox import (
    ForkedKernelManager,
    SandboxedKernelManager,
    SandboxPolicy,
    forked_kernel_request,
    sandbox_problem,
)

pytestmark = pytest.mark.skipif(sandbox_problem() is not None or supported() is not None,
                                reason="no sandbox here")

SECRET = "answers-of-another-student-1234"

LOOK_AROUND = r"""
import ctypes, json, os, socket, sys
def attempt(action):
    try:
        return repr(action())
    except Exception as error:
        return type(error).__name__
libc = ctypes.CDLL(None, use_errno=True)
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print(json.dumps({
    "cwd": os.getcwd(), "files": sorted(os.listdir(".")), "path": sys.path,
    "pids": sorted(p for p in os.listdir("/proc") if p.isdigit()),
    "capabilities": status["CapEff"].strip(), "no_new_privs": status["NoNewPrivs"].strip(),
    "hidden": sorted(os.listdir(HIDDEN)), "tmp": sorted(os.listdir("/tmp")),
    "dev": sorted(os.listdir("/dev")),
    "environment": {k: os.environ.get(k) for k in ("IPYTHONDIR", "MPLCONFIGDIR", "JPY_PARENT_PID")},
    "write_outside": attempt(lambda: open(os.path.join(REPOSITORY, "pwned"), "w")),
    "network": attempt(lambda: socket.create_connection(("127.0.0.1", 22), timeout=1)),
    "umount_hidden": libc.umount2(HIDDEN.encode(), 2),
    "numpy": float(__import__("numpy").ones(3) @ __import__("numpy").ones(3)),
}))
"""


def run_cell(manager_class, folder: Path, code: str) -> dict:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    NotebookClient(notebook, kernel_manager_class=manager_class, timeout=60,
                   kernel_name="python3", resources={"metadata": {"path": str(folder)}}
                   ).execute()
    printed = [o for o in notebook.cells[0].outputs if o.get("name") == "stdout"]
    assert len(printed) == 1, notebook.cells[0].outputs
    return json.loads(printed[0].text)


@pytest.fixture(scope="module")
def zygote():
    zygote = Zygote()
    yield zygote
    zygote.close()


@pytest.fixture
def hidden(tmp_path) -> Path:
    """A folder the policy hides (as the grader hides its own), holding a student's folder
    and a secret beside it."""
    folder = tmp_path / "grader"
    (folder / "student").mkdir(parents=True)
    (folder / "student" / "data.csv").write_text("1,2\n")
    (folder / "other_student.txt").write_text(SECRET)
    return folder


def managers(zygote, policy: SandboxPolicy) -> dict[str, type]:
    return {"bubblewrap": type("Bwrap", (SandboxedKernelManager,), {"policy": policy}),
            "forked": type("Forked", (ForkedKernelManager,), {"policy": policy,
                                                             "zygote": zygote})}


def look_around(manager_class, hidden: Path) -> dict:
    code = (f"HIDDEN = {str(hidden)!r}\nREPOSITORY = {str(Path.cwd())!r}\n" + LOOK_AROUND)
    return run_cell(manager_class, hidden / "student", code)


def test_a_forked_kernel_sees_what_a_bubblewrap_kernel_sees(zygote, hidden):
    policy = SandboxPolicy(hidden=(str(hidden),))
    seen = {kind: look_around(manager, hidden)
            for kind, manager in managers(zygote, policy).items()}
    forked, bwrap = seen["forked"], seen["bubblewrap"]
    assert forked["files"] == bwrap["files"] == ["data.csv"]
    assert forked["hidden"] == ["student"]  # the secret beside the student's folder is gone
    for key in ("cwd", "path", "environment", "numpy", "write_outside", "network"):
        assert forked[key] == bwrap[key], key
    assert forked["environment"]["JPY_PARENT_PID"] is None
    assert forked["write_outside"] == "OSError"  # read-only
    assert forked["network"] == "ConnectionRefusedError"  # its own loopback: nobody listens
    assert forked["capabilities"] == "0000000000000000" and forked["no_new_privs"] == "1"
    assert forked["umount_hidden"] == -1
    assert forked["pids"] == ["1", "2"]  # its init and itself
    assert set(forked["dev"]) >= {"null", "zero", "urandom", "shm"}
    # a private /tmp: the kernel's own socket folder and what Python needs, as with bubblewrap
    for seen_tmp in (forked["tmp"], bwrap["tmp"]):
        assert sum(name.startswith("nn-course-kernel-") for name in seen_tmp) == 1
    assert ({n for n in forked["tmp"] if not n.startswith("nn-course-kernel-")}
            == {n for n in bwrap["tmp"] if not n.startswith("nn-course-kernel-")})


ESCAPE = r"""
import ctypes, json, os
libc = ctypes.CDLL(None, use_errno=True)
uid, gid = os.getuid(), os.getgid()
result = {"unshare": libc.unshare(0x10000000 | 0x00020000)}  # a user and mount namespace
if result["unshare"] == 0:
    open("/proc/self/setgroups", "w").write("deny")
    open("/proc/self/uid_map", "w").write(f"0 {uid} 1")
    open("/proc/self/gid_map", "w").write(f"0 {gid} 1")
    result["umount"] = libc.umount2(HIDDEN.encode(), 2)
    result["errno"] = ctypes.get_errno()
result["hidden"] = sorted(os.listdir(HIDDEN))
print(json.dumps(result))
"""


def test_a_namespace_of_its_own_does_not_undo_the_sandbox(zygote, hidden):
    # In a user namespace of its own the kernel has every capability again, but the mounts
    # it inherited are locked: the hidden folder stays empty.
    forked = managers(zygote, SandboxPolicy(hidden=(str(hidden),)))["forked"]
    result = run_cell(forked, hidden / "student", f"HIDDEN = {str(hidden)!r}\n" + ESCAPE)
    assert result.get("umount", -1) == -1, result
    assert result["hidden"] == ["student"], result


def test_two_kernels_at_once_see_nothing_of_each_other(zygote, tmp_path):
    policy = SandboxPolicy(hidden=(str(tmp_path / "grader"),))
    folders = [tmp_path / "grader" / name for name in ("a", "b")]
    for folder in folders:
        folder.mkdir(parents=True)
    kernels = [_start(zygote, policy, folder, tmp_path / f"sockets_{folder.name}")
               for folder in folders]
    try:
        (folders[0] / "mine.txt").write_text(SECRET)
        probe = f"import os, json\nprint(json.dumps(os.listdir({str(folders[0])!r})))"
        outputs = [_execute(connection, probe) for _, connection in kernels]
        assert json.loads(outputs[0]) == ["mine.txt"]
        assert "FileNotFoundError" in outputs[1]  # b's sandbox has no folder a
    finally:
        for process, _ in kernels:
            process.kill()
            process.wait(timeout=10)


def test_forked_kernels_draw_their_own_random_numbers_from_a_preloaded_library(zygote,
                                                                               tmp_path):
    # numpy.random and the course's library are imported once, in the zygote; the global
    # NumPy stream is seeded again in each kernel, as a kernel of its own would seed it
    policy = SandboxPolicy(hidden=(str(tmp_path / "grader"),))
    probe = ("import json, sys, numpy as np\n"
             "print(json.dumps([sorted(m for m in ('course.data', 'autograder.checks', "
             "'course.train') if m in sys.modules), np.random.rand(4).tolist()]))")
    draws = []
    for name in ("a", "b"):
        folder = tmp_path / "grader" / name
        folder.mkdir(parents=True)
        process, connection = _start(zygote, policy, folder, tmp_path / f"sockets_{name}")
        try:
            draws.append(json.loads(_execute(connection, probe)))
        finally:
            process.kill()
            process.wait(timeout=10)
    assert draws[0][0] == draws[1][0] == ["autograder.checks", "course.data"]  # not train
    assert draws[0][1] != draws[1][1]


SCAN_MEMORY = r"""
import json, os, re
found = set()
with open("/proc/self/mem", "rb", buffering=0) as memory:
    for line in open("/proc/self/maps"):
        addresses, permissions = line.split()[:2]
        if not permissions.startswith("rw"):
            continue
        start, end = (int(a, 16) for a in addresses.split("-"))
        try:
            memory.seek(start)
            names = re.findall(rb"student-[0-9a-f]{16}", memory.read(end - start))
            found |= {name.decode() for name in names}
        except (OSError, OverflowError, ValueError):
            continue
print(json.dumps(sorted(found)))
"""


def test_a_kernel_finds_no_trace_of_the_kernel_forked_before_it(zygote, tmp_path):
    # the zygote's memory, which every kernel starts with, never held the other's request
    policy = SandboxPolicy(hidden=(str(tmp_path / "grader"),))
    names = [f"student-{os.urandom(8).hex()}" for _ in range(2)]
    first, _ = _start(zygote, policy, tmp_path / "grader" / names[0], tmp_path / "s0")
    first.kill()
    second, connection = _start(zygote, policy, tmp_path / "grader" / names[1], tmp_path / "s1")
    try:
        found = json.loads(_execute(connection, SCAN_MEMORY))
    finally:
        second.kill()
    assert names[0] not in found
    assert names[1] in found  # the scan works: it finds the kernel's own folder


def test_a_kernel_dies_with_its_zygote_and_a_killed_one_says_so(tmp_path):
    zygote = Zygote()
    policy = SandboxPolicy(hidden=(str(tmp_path / "grader"),))
    first, _ = _start(zygote, policy, tmp_path / "grader" / "a", tmp_path / "s1")
    second, _ = _start(zygote, policy, tmp_path / "grader" / "b", tmp_path / "s2")
    first.kill()
    assert first.wait(timeout=10) == -9
    zygote.close()
    assert second.wait(timeout=10) is not None


def test_a_sandbox_that_cannot_be_built_is_reported_and_the_zygote_goes_on(zygote, tmp_path):
    policy = SandboxPolicy()
    request = _request(policy, tmp_path / "w", tmp_path / "s")
    request["mounts"].append(["overlay", "", "/nowhere"])
    with pytest.raises(ZygoteError, match="unknown kind of mount 'overlay'"):
        zygote.spawn(request)
    process, connection = _start(zygote, policy, tmp_path / "w2", tmp_path / "s2")
    assert _execute(connection, "print(6 * 7)").strip() == "42"
    process.kill()


# ---------------------------------------------------------------------------------------------
def _request(policy: SandboxPolicy, workdir: Path, sockets: Path) -> dict:
    from jupyter_client.connect import write_connection_file

    workdir.mkdir(parents=True, exist_ok=True)
    sockets.mkdir(parents=True, exist_ok=True)
    connection, _ = write_connection_file(str(sockets / "connection.json"), transport="ipc",
                                          ip=str(sockets / "kernel"))
    return forked_kernel_request(policy, str(workdir), str(sockets), dict(os.environ), None,
                                 str(sockets.parent / f"{sockets.name}-exit-status"),
                                 connection)


def _start(zygote: Zygote, policy: SandboxPolicy, workdir: Path, sockets: Path):
    request = _request(policy, workdir, sockets)
    return zygote.spawn(request), request["connection_file"]


def _execute(connection_file: str, code: str) -> str:
    from jupyter_client import BlockingKernelClient

    client = BlockingKernelClient(connection_file=connection_file)
    client.load_connection_file()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        printed: list[str] = []

        def keep(message):
            content = message["content"]
            if message["msg_type"] == "stream":
                printed.append(content["text"])
            elif message["msg_type"] == "error":
                printed.append(content["ename"])

        started = time.monotonic()
        client.execute_interactive(code, timeout=60, output_hook=keep)
        assert time.monotonic() - started < 60
        return "".join(printed)
    finally:
        client.stop_channels()


def test_a_zygote_that_was_killed_is_started_again(tmp_path):
    zygote = Zygote()
    try:
        zygote.process.kill()
        zygote.process.wait()
        process, connection = _start(zygote, SandboxPolicy(), tmp_path / "w", tmp_path / "s")
        assert _execute(connection, "print(6 * 7)").strip() == "42"
        process.kill()
    finally:
        zygote.close()


def test_a_grader_on_a_machine_that_cannot_fork_sandboxes_starts_them_with_bubblewrap(
        tmp_path, monkeypatch, caplog):
    import autograder.unit as unit
    from autograder.grading import GradingOptions, grade_submissions
    from autograder.samples import answered, released_copy, write
    from autograder.submissions import collect

    fixture = Path(__file__).parent / "fixtures" / "tiny"
    assignment, release_nb, source = released_copy(fixture, tmp_path)
    write(answered(release_nb, source, ["ex1_square", "ex2_cube"]),
          tmp_path / "subs" / "good" / "tiny.ipynb")
    monkeypatch.setattr(unit, "forked_sandbox_problem", lambda: "no such system call here")
    started = []
    monkeypatch.setattr(unit.Zygote, "__init__", lambda *a, **k: started.append(a))
    results = grade_submissions(assignment, collect(tmp_path / "subs", assignment),
                                tmp_path / "run" / "nbgrader",
                                GradingOptions(workers=1, feedback=False))
    assert results[0].score == 8 and results[0].sandboxed
    assert started == []
    assert "kernels are started by bubblewrap, not forked: no such system call here" in caplog.text
