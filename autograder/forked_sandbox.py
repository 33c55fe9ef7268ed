"""A forked kernel's own sandbox: the steps bubblewrap takes, taken by the process itself.

A kernel forked from the zygote (:mod:`autograder.kernel_zygote`) has ipykernel and NumPy
imported already, so it cannot be started by bubblewrap; it builds the same sandbox around
itself, before it runs any student code, in two processes:

1. the *keeper* (the zygote's child) joins the kernel's control group, opens the file in
   which it will tell the grader the kernel's exit status, then unshares a new user, mount,
   PID, network, IPC and UTS namespace, maps its own user and group into the new user
   namespace, and forks; it waits, and ends with the kernel (the grader kills the keeper to
   stop the kernel: the kernel dies with it, as a process whose parent died). It shares the
   kernel's mount namespace, so it moves into the sandbox's root with it;
2. the *init* (PID 1 of the new PID namespace) builds a new root from the sandbox's mounts
   (:func:`autograder.sandbox.sandbox_mounts`: the system read-only, without devices or
   set-user-ID programs; a private /dev, /proc and /tmp; hidden folders empty; its notebook
   folder and its sockets writable), moves into it (``pivot_root``) and lets the old root go,
   sets the resource limits of the policy, closes every file descriptor it inherited, gives
   up every capability, and forks the *kernel*, which starts ipykernel. (The kernel is not
   PID 1: the system does not deliver to PID 1 the signals it does not handle, SIGXCPU of the
   CPU limit among them.) The init reaps the namespace's processes until the kernel ends.

Each kernel has namespaces of its own: it sees no other student's kernel, files, sockets or
processes, has no network (its own loopback interface only), and cannot undo its mounts.
"""

from __future__ import annotations

import os
import resource
import signal
from collections.abc import Callable
from pathlib import Path

from autograder import linux_namespaces as ns

NAMESPACES = (ns.CLONE_NEWUSER | ns.CLONE_NEWNS | ns.CLONE_NEWPID | ns.CLONE_NEWNET
              | ns.CLONE_NEWIPC | ns.CLONE_NEWUTS)
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")
NEW_ROOT = ".root"  # made in the kernel's socket folder: the mount point of its new root


def run_keeper(request: dict, report: int, start_kernel: Callable[[dict], None]) -> None:
    """The keeper's life (it never returns): sandbox the namespaces, fork the kernel, wait.

    ``request``: ``mounts`` (a list of ``[kind, source, target]``), ``workdir``,
    ``socket_dir``, ``limits`` (``memory_bytes``, ``file_size_bytes``, ``cpu_seconds``),
    ``cgroup_procs`` (a control group's ``cgroup.procs`` file, or None), ``env`` and
    ``status_file`` (where the keeper writes the kernel's exit status, 128 + N if signal N
    ended it, before it ends with that status).
    ``report``: a pipe on which the kernel writes ``ok`` once sandboxed, or what failed.
    ``start_kernel(request)`` runs in the sandboxed kernel."""
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        ns.prctl(ns.PR_SET_PDEATHSIG, signal.SIGKILL)  # the zygote ends: the keeper too
        if request.get("cgroup_procs"):
            Path(request["cgroup_procs"]).write_text(str(os.getpid()))
        # opened now: once the kernel moved into its new root, so did the keeper (they share
        # the mount namespace), and the grader's folders are out of its sight
        status_file = os.open(request["status_file"],
                              os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        uid, gid = os.geteuid(), os.getegid()
        ns.unshare(NAMESPACES)
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
        kernel = os.fork()
        if kernel == 0:
            _run_kernel(request, report, start_kernel)
        os.close(report)
        _, status = os.waitpid(kernel, 0)
        code = os.waitstatus_to_exitcode(status)  # the kernel's, from the namespace's init
        code = 128 - code if code < 0 else code  # (-N: the init was killed by signal N)
        os.write(status_file, str(code).encode())  # for the grader, which is not the parent
        os._exit(code & 0xFF)
    except BaseException as error:  # noqa: BLE001 (reported to the zygote, then gone)
        _fail(report, "the sandbox's namespaces", error)


def _run_kernel(request: dict, report: int, start_kernel: Callable[[dict], None]) -> None:
    """PID 1 of the new namespace: build the sandbox, then fork the kernel and wait for it.
    The kernel is not PID 1 itself because the system does not deliver to a namespace's
    first process the signals it does not handle, the CPU limit's SIGXCPU among them."""
    try:
        ns.prctl(ns.PR_SET_PDEATHSIG, signal.SIGKILL)  # the keeper is killed: the kernel too
        root = os.path.join(request["socket_dir"], NEW_ROOT)
        build_root(root, [tuple(mount) for mount in request["mounts"]])
        enter_root(root)
        ns.bring_loopback_up()
        os.chdir(request["workdir"])
        limits = request["limits"]
        resource.setrlimit(resource.RLIMIT_AS, (limits["memory_bytes"],) * 2)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_size_bytes"],) * 2)
        resource.setrlimit(resource.RLIMIT_CPU, (limits["cpu_seconds"],
                                                 limits["cpu_seconds"] + 5))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        null = os.open("/dev/null", os.O_RDWR)
        for standard in (0, 1, 2):
            os.dup2(null, standard)
        os.closerange(3, report)
        os.closerange(report + 1, _highest_descriptor())
        ns.drop_all_capabilities()
        ns.prctl(ns.PR_SET_DUMPABLE, 0)
        os.environ.clear()
        os.environ.update(request["env"])
        kernel = os.fork()
    except BaseException as error:  # noqa: BLE001
        _fail(report, "the sandbox's file system", error)
    if kernel == 0:
        try:
            ns.prctl(ns.PR_SET_PDEATHSIG, signal.SIGKILL)
            ns.prctl(ns.PR_SET_DUMPABLE, 1)  # as any process (its own /proc is its own)
            os.write(report, b"ok")
            os.close(report)
        except BaseException as error:  # noqa: BLE001
            _fail(report, "the kernel's start", error)
        try:
            start_kernel(request)
        finally:
            os._exit(0)
    os.close(report)
    os._exit(_wait_as_init(kernel))


def _wait_as_init(kernel: int) -> int:
    """Reap every process of the namespace until ``kernel`` ends; its exit status, 128 + N if
    signal N ended it."""
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return 1
        except InterruptedError:
            continue
        if pid == kernel:
            code = os.waitstatus_to_exitcode(status)
            return 128 - code if code < 0 else code


def build_root(root: str, mounts: list[tuple[str, str, str]]) -> None:
    """Mount the sandbox's file system at ``root`` (an empty folder, made here), step by
    step as ``mounts`` says (:class:`autograder.sandbox.Mount`), from this mount namespace's
    view of the machine. Needs a mount namespace of its own (changes here are private)."""
    ns.mount(None, "/", None, ns.MS_REC | ns.MS_PRIVATE)
    os.mkdir(root, 0o700)
    for kind, source, target in mounts:
        inside = root + target if target != "/" else root
        if kind == "ro-bind":
            _make_target(inside, source)
            ns.mount(source, inside, None, ns.MS_BIND | ns.MS_REC)
            system = target == "/"  # the whole machine: no devices, no set-user-ID programs
            ns.set_mount_attributes(inside, ns.MOUNT_ATTR_RDONLY | ns.MOUNT_ATTR_NOSUID
                                    | (ns.MOUNT_ATTR_NODEV if system else 0))
        elif kind == "bind":  # one folder, without what is mounted inside it (the new root
            _make_target(inside, source)  # is, in the socket folder)
            ns.mount(source, inside, None, ns.MS_BIND)
            ns.set_mount_attributes(inside, ns.MOUNT_ATTR_NOSUID | ns.MOUNT_ATTR_NODEV,
                                    ns.MOUNT_ATTR_RDONLY, recursive=False)
        elif kind == "tmpfs":
            _make_target(inside, None)
            ns.mount("tmpfs", inside, "tmpfs", ns.MS_NOSUID | ns.MS_NODEV, "mode=0755")
        elif kind == "dev":
            _private_dev(inside)
        elif kind == "proc":
            ns.mount("proc", inside, "proc", ns.MS_NOSUID | ns.MS_NODEV | ns.MS_NOEXEC)
        else:
            raise ValueError(f"unknown kind of mount {kind!r} for {target}")


def _make_target(inside: str, source: str | None) -> None:
    """The mount point: a folder, or an empty file for a file; made if missing (inside a
    private tmpfs: the read-only system already has every folder of the machine)."""
    if os.path.lexists(inside):
        return
    if source is not None and not os.path.isdir(source):
        os.makedirs(os.path.dirname(inside), exist_ok=True)
        open(inside, "a").close()
    else:
        os.makedirs(inside, exist_ok=True)


def _private_dev(dev: str) -> None:
    """A /dev with only the harmless devices (as bubblewrap's ``--dev``), /dev/shm for
    shared memory, and the links to this process's standard streams."""
    ns.mount("tmpfs", dev, "tmpfs", ns.MS_NOSUID, "mode=0755")
    for name in DEVICES:
        open(os.path.join(dev, name), "a").close()
        ns.mount(f"/dev/{name}", os.path.join(dev, name), None, ns.MS_BIND)
    os.mkdir(os.path.join(dev, "shm"))
    ns.mount("tmpfs", os.path.join(dev, "shm"), "tmpfs", ns.MS_NOSUID | ns.MS_NODEV, "mode=1777")
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, os.path.join(dev, name))
    ns.mount(None, dev, None, ns.MS_REMOUNT | ns.MS_BIND | ns.MS_RDONLY | ns.MS_NOSUID)


def enter_root(root: str) -> None:
    """Make ``root`` this process's ``/`` and let the machine's root go."""
    os.chdir(root)
    ns.pivot_root(".", ".")  # the old root is now stacked on the new one, at "/"
    ns.umount(".", ns.MNT_DETACH)
    os.chdir("/")


def _highest_descriptor() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft if soft != resource.RLIM_INFINITY else 65536


def _fail(report: int, stage: str, error: BaseException) -> None:
    try:
        os.write(report, f"{stage}: {type(error).__name__}: {error}"[:2000].encode())
    finally:
        os._exit(127)
