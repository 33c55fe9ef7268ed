"""Running a student's kernel in a sandbox: bubblewrap and resource limits.

Grading executes code that students wrote, on the lecturer's machine. Each kernel is started
inside bubblewrap (``bwrap``, Debian's ``bubblewrap``) instead of directly:

* a private mount namespace: the whole file system is read-only; the student's own notebook
  folder and a private ``/tmp`` are the only writable places; the assignments' solutions, the
  gradebooks, the other students' folders and the home folders (``~``, ``/root``, ``/home``)
  are replaced by empty folders (Python and this repository's code are mounted back);
* no network: the kernel gets its own network namespace (it talks to the grader over Unix
  sockets in a folder of its own, not over TCP);
* its own process namespace, and it dies with the grader;
* resource limits set with ``prlimit``: address space (memory), size of any file written, CPU
  seconds; and the number of processes (threads included) through a ``pids`` control group of
  its own, where the machine lets the grader create one (a fork bomb then stops at the limit;
  ``RLIMIT_NPROC`` would not, since it does not bind root).

Only the kernel is wrapped: nbgrader itself, and so the gradebook, stay with the trusted
process. Where ``bwrap`` is missing, :func:`require_bwrap` says so; the ``grade`` command then
refuses to run unless told ``--no-sandbox``, and marks such results as unsandboxed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from jupyter_client.manager import AsyncKernelManager

from autograder.coursedir import REPOSITORY, SetupError
from autograder.kernel_launcher import without_debugger


@dataclass(frozen=True)
class SandboxPolicy:
    """What a sandboxed kernel may use."""

    memory_bytes: int = 2 * 1024**3  # address space
    file_size_bytes: int = 50 * 1024**2  # largest file it may write
    cpu_seconds: int = 600
    max_processes: int = 64  # processes and threads, the kernel's own included
    hidden: tuple[str, ...] = ()  # folders replaced by empty ones (solutions, gradebooks)
    hidden_files: tuple[str, ...] = field(default=())  # files replaced by an empty one


def pids_cgroup_root() -> Path | None:
    """Where this process may create ``pids`` control groups (cgroup v1 or v2), or None."""
    candidates = [Path("/sys/fs/cgroup/pids")]
    unified = Path("/sys/fs/cgroup")
    try:
        if "pids" in (unified / "cgroup.subtree_control").read_text().split():
            candidates.append(unified)
    except OSError:
        pass
    for root in candidates:
        if (root / "cgroup.procs").exists() and os.access(root, os.W_OK):
            return root
    return None


def _remove_cgroup(folder: Path) -> None:
    """Kill what is left in a control group and remove it."""
    for _attempt in range(50):
        try:
            pids = [int(p) for p in (folder / "cgroup.procs").read_text().split()]
        except OSError:
            return
        for pid in pids:
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        try:
            folder.rmdir()
            return
        except OSError:
            time.sleep(0.05)


def find_bwrap() -> str | None:
    return shutil.which("bwrap")


def require_bwrap() -> str:
    """The path of ``bwrap``, or a SetupError that says how to get it or go without."""
    path = find_bwrap()
    if path is None:
        raise SetupError(
            "bubblewrap (bwrap) is not installed, so students' code cannot be sandboxed. "
            "Install it (Debian/Ubuntu: apt-get install bubblewrap), or grade without the "
            "sandbox with --no-sandbox (the results are then marked unsandboxed)."
        )
    return path


def sandbox_problem() -> str | None:
    """Why kernels cannot be sandboxed on this machine (None: they can): bubblewrap missing, or
    the kernel refusing it the namespaces it needs (user namespaces disabled, a container
    without the rights). Checked by running a trivial command the way kernels are run."""
    path = find_bwrap()
    if path is None:
        return "bubblewrap (bwrap) is not installed"
    command = [path, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
               "--tmpfs", "/tmp", "--unshare-net", "--unshare-pid", "--unshare-ipc",
               "--unshare-uts", "--die-with-parent", "true"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bubblewrap could not run: {type(error).__name__}: {error}"
    if done.returncode != 0:
        return f"bubblewrap cannot make a sandbox here: {done.stderr.strip()[:300]}"
    return None


def require_working_sandbox() -> None:
    """A SetupError if kernels cannot be sandboxed here (see :func:`sandbox_problem`)."""
    problem = sandbox_problem()
    if problem is not None:
        raise SetupError(f"{problem}, so students' code cannot be sandboxed on this machine. "
                         "Install bubblewrap and allow user namespaces (Debian/Ubuntu: apt-get "
                         "install bubblewrap; sysctl kernel.unprivileged_userns_clone=1), or "
                         "grade without the sandbox with --no-sandbox (the results are then "
                         "marked unsandboxed).")


def private_homes() -> list[str]:
    """The home folders a kernel must not see: the grader's own, ``/root`` and ``/home``
    (outermost only)."""
    homes = {os.path.realpath(os.path.expanduser("~")), "/root", "/home"}
    homes = sorted(h for h in homes if h != "/" and os.path.isdir(h))
    return [h for h in homes if not any(h.startswith(other + "/") for other in homes)]


def _python_folders_under(top: str, extra: list[str] | None = None) -> list[str]:
    """The folders Python needs (its prefixes, the entries of sys.path, and ``extra``) that
    lie under ``top``, outermost first and without duplicates."""
    folders = {os.path.realpath(p)
               for p in (sys.prefix, sys.base_prefix, *sys.path, *(extra or [])) if p}
    folders |= {os.path.realpath(os.path.dirname(sys.executable))}
    inside = sorted(f for f in folders if f.startswith(top.rstrip("/") + "/") and
                    os.path.isdir(f))
    outermost = []
    for folder in inside:  # sorted, so a parent comes before its children
        if not any(folder.startswith(kept + "/") for kept in outermost):
            outermost.append(folder)
    return outermost


# what a sandboxed kernel finds in its environment in place of the grader's folders
SANDBOX_ENVIRONMENT = {"IPYTHONDIR": "/tmp/ipython", "MPLCONFIGDIR": "/tmp/matplotlib"}


class Mount(NamedTuple):
    """One step of the sandbox's file system, in order: ``kind`` is ``ro-bind`` (``source``
    seen read-only at ``target``), ``bind`` (writable), ``tmpfs`` (an empty private folder at
    ``target``), ``dev`` (a minimal /dev) or ``proc`` (the sandbox's own /proc)."""

    kind: str
    source: str
    target: str


def sandbox_mounts(policy: SandboxPolicy, workdir: str, socket_dir: str) -> list[Mount]:
    """What a kernel's sandbox sees, as the steps that build it: the whole system read-only,
    a private /dev, /proc and /tmp, empty home folders and hidden folders (with Python and
    this repository mounted back where they live there), and only two writable folders, the
    student's notebook folder and the kernel's sockets. Both sandboxes follow these steps:
    bubblewrap's (:func:`sandbox_command`) and the forked kernels'
    (:mod:`autograder.forked_sandbox`)."""
    mounts = [Mount("ro-bind", "/", "/"), Mount("dev", "", "/dev"), Mount("proc", "", "/proc"),
              Mount("tmpfs", "", "/tmp")]
    # The private /tmp must not hide Python itself: a checkout or environment that lives
    # under /tmp (as CI's clone does) is mounted back, read-only.
    mounts += [Mount("ro-bind", folder, folder) for folder in _python_folders_under("/tmp")]
    # Home folders (the lecturer's keys, history, mail; other users') are empty and private;
    # Python, and this repository's code, are mounted back if they live there.
    for home in private_homes():
        mounts.append(Mount("tmpfs", "", home))
        mounts += [Mount("ro-bind", folder, folder)
                   for folder in _python_folders_under(home, extra=[str(REPOSITORY)])]
    mounts += [Mount("tmpfs", "", folder) for folder in policy.hidden if os.path.isdir(folder)]
    mounts += [Mount("ro-bind", "/dev/null", file) for file in policy.hidden_files
               if os.path.isfile(file)]
    mounts += [Mount("bind", workdir, workdir),  # the student's notebook folder: writable
               Mount("bind", socket_dir, socket_dir)]  # the kernel's sockets, connection file
    return mounts


def sandbox_command(command: list[str], policy: SandboxPolicy, workdir: str,
                    socket_dir: str) -> list[str]:
    """``command`` wrapped in bwrap and prlimit according to ``policy``."""
    wrapped = [require_bwrap()]
    for kind, source, target in sandbox_mounts(policy, workdir, socket_dir):
        wrapped += [f"--{kind}", source, target] if source else [f"--{kind}", target]
    wrapped += [
        "--chdir", workdir,
        "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
        "--die-with-parent",
        # ipykernel would take the sandbox's init (pid 1) for its parent and stop
        "--unsetenv", "JPY_PARENT_PID",
        *[arg for name, value in SANDBOX_ENVIRONMENT.items()
          for arg in ("--setenv", name, value)],
        "prlimit",
        f"--as={policy.memory_bytes}",
        f"--fsize={policy.file_size_bytes}",
        f"--cpu={policy.cpu_seconds}:{policy.cpu_seconds + 5}",  # SIGXCPU, then SIGKILL
        "--core=0",
        "--",
    ]
    return wrapped + command


class GradingKernelManager(AsyncKernelManager):
    """A kernel manager for grading: ipykernel started by :mod:`autograder.kernel_launcher`
    (without its debugger, which costs a sixth of a kernel's start and serves nobody here)."""

    def format_kernel_cmd(self, extra_arguments=None) -> list[str]:
        return without_debugger(super().format_kernel_cmd(extra_arguments))


class SandboxedKernelManager(GradingKernelManager):
    """A kernel manager that starts its kernel inside the sandbox.

    ``policy`` is set on each manager by the step that starts it
    (:class:`autograder.execute.SandboxedExecute`). The kernel talks to the grader over Unix
    sockets in a private folder, because it has no network.
    """

    policy: SandboxPolicy = SandboxPolicy()  # the default; each manager gets its own

    async def _async_pre_start_kernel(self, **kw):
        self._sandbox_workdir = str(Path(kw.get("cwd") or os.getcwd()).resolve())
        self._socket_dir = tempfile.mkdtemp(prefix="nn-course-kernel-")
        self.transport = "ipc"
        self.ip = os.path.join(self._socket_dir, "kernel")
        self.connection_file = os.path.join(self._socket_dir, "connection.json")
        # A signal sent from outside does not reach a process inside bwrap's own process
        # namespace: ask the kernel to interrupt itself with a message on its control channel.
        self.kernel_spec.interrupt_mode = "message"
        # what the kernel process itself prints (its start-up banner) is not the student's
        # output, which travels over the sockets: keep the grader's terminal clean
        kw.setdefault("stdout", subprocess.DEVNULL)
        kw.setdefault("stderr", subprocess.DEVNULL)
        self._cgroup = self._make_cgroup()
        return await super()._async_pre_start_kernel(**kw)

    def _make_cgroup(self) -> Path | None:
        root = pids_cgroup_root()
        if root is None or self.policy.max_processes <= 0:
            return None
        folder = root / f"nn-course-kernel-{uuid.uuid4().hex[:12]}"
        folder.mkdir()
        (folder / "pids.max").write_text(str(self.policy.max_processes))
        return folder

    def format_kernel_cmd(self, extra_arguments=None) -> list[str]:
        command = super().format_kernel_cmd(extra_arguments)
        command = sandbox_command(command, self.policy, self._sandbox_workdir, self._socket_dir)
        if self._cgroup is not None:  # enter the control group, then become bwrap
            command = ["sh", "-c", 'echo $$ > "$0" && exec "$@"',
                       str(self._cgroup / "cgroup.procs"), *command]
        return command

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart and getattr(self, "_socket_dir", None):
            shutil.rmtree(self._socket_dir, ignore_errors=True)
        if not restart and getattr(self, "_cgroup", None) is not None:
            _remove_cgroup(self._cgroup)
            self._cgroup = None


class ForkedKernelManager(SandboxedKernelManager):
    """A sandboxed kernel forked from the grader's zygote (:mod:`autograder.kernel_zygote`)
    instead of started by bubblewrap: the same sandbox (:func:`sandbox_mounts`, the policy's
    limits, the control group), a quarter of the CPU time to start. ``zygote`` is set on
    each manager by the step that starts it, as ``policy`` is."""

    zygote = None  # an autograder.kernel_zygote.Zygote; each manager gets its grader's

    def format_kernel_cmd(self, extra_arguments=None) -> list[str]:
        # the command only carries the kernel's environment here: no bubblewrap to wrap it in
        return GradingKernelManager.format_kernel_cmd(self, extra_arguments)

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        env = {name: value for name, value in (kw.get("env") or os.environ).items()
               if name != "JPY_PARENT_PID"}
        cgroup = str(self._cgroup / "cgroup.procs") if self._cgroup else None
        # the kernel's exit status, from its keeper: in a folder the kernel cannot reach
        self._status_dir = tempfile.mkdtemp(prefix="nn-course-status-")
        process = self.zygote.spawn(forked_kernel_request(
            self.policy, self._sandbox_workdir, self._socket_dir, env, cgroup,
            os.path.join(self._status_dir, "exit-status"), self.connection_file))
        provisioner = self.provisioner
        provisioner.process, provisioner.pid, provisioner.pgid = process, process.pid, None
        provisioner.cwd = self._sandbox_workdir
        self._reconcile_connection_info(provisioner.connection_info)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if getattr(self, "_status_dir", None):
            shutil.rmtree(self._status_dir, ignore_errors=True)
            self._status_dir = None


def forked_kernel_request(policy: SandboxPolicy, workdir: str, socket_dir: str,
                          env: dict[str, str], cgroup_procs: str | None, status_file: str,
                          connection_file: str = "") -> dict:
    """What the zygote needs to fork a kernel sandboxed by ``policy``
    (:func:`autograder.forked_sandbox.run_keeper`)."""
    return {
        "connection_file": connection_file,
        "workdir": workdir,
        "socket_dir": socket_dir,
        "mounts": [list(mount) for mount in sandbox_mounts(policy, workdir, socket_dir)],
        "limits": {"memory_bytes": policy.memory_bytes,
                   "file_size_bytes": policy.file_size_bytes,
                   "cpu_seconds": policy.cpu_seconds},
        "cgroup_procs": cgroup_procs,
        "env": {**env, **SANDBOX_ENVIRONMENT},
        "status_file": status_file,
    }
