"""The zygote: a process that has loaded ipykernel and NumPy once, and forks grading kernels.

Every student is graded in a new kernel, and a new Python process spends most of a kernel's
start importing ipykernel (with IPython, zmq, tornado) and NumPy: about 0.3 CPU seconds here,
against 0.07 for a kernel forked from a process that has them loaded (measured:
``benchmarks/bench_grading.py`` prints the kernels' CPU per student). The zygote is started
once per grader, runs no student code, and for each kernel asked of it forks a keeper that
sandboxes itself and the kernel (:mod:`autograder.forked_sandbox`) exactly as bubblewrap would
(:func:`autograder.sandbox.sandbox_mounts`).

The grader (:class:`Zygote`) talks to it over a Unix socket pair: a request is one JSON
message; the answer is the keeper's process ID, as JSON, with a *pidfd* of it (a file
descriptor that names the process: the grader polls and kills the kernel through it, without
being its parent), or ``E`` and what failed. The zygote ends when the grader's end of the
socket closes, and its kernels with it.

Run as ``python -m autograder.kernel_zygote FD`` (the zygote's end of the socket pair).
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

PRELOADED = ("numpy",)  # imported by the zygote besides ipykernel: what notebooks import
# Also imported once, if they import here: the course's library and the checks that the
# assignments import (about 0.05 CPU seconds a kernel). Not course.train (tqdm.auto picks its
# progress bar at import, by whether it runs in a kernel), nor the drawing modules.
PRELOADED_IF_THEY_IMPORT = (
    "numpy.random", "autograder.answers", "autograder.checks", "course.activations",
    "course.autograd", "course.clip", "course.data", "course.gradcheck", "course.init",
    "course.layers", "course.losses", "course.network", "course.neuron", "course.optim",
    "course.parameter", "course.regularization", "course.rng", "course.surfaces")
MESSAGE = 1 << 20  # the largest request or answer, in bytes


# ---------------------------------------------------------------------------------------------
# The zygote process
# ---------------------------------------------------------------------------------------------
def serve(channel: socket.socket) -> None:
    """Answer requests for kernels until the grader closes its end.

    Every kernel starts as a copy of this process's memory, so this process keeps no trace of
    one student for the next to find: a request (its folders name the student) is read into
    one buffer and parsed only in the keeper; so is what a keeper reports; both buffers are
    zeroed once answered."""
    from autograder.forked_sandbox import run_keeper

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # keepers are reaped by the system
    request, report = bytearray(MESSAGE), bytearray(4096)
    while True:
        size = channel.recv_into(request)
        if not size:
            return
        read_end, write_end = os.pipe()
        keeper = os.fork()
        if keeper == 0:
            channel.close()
            os.close(read_end)
            run_keeper(json.loads(bytes(request[:size])), write_end, _start_kernel)
        request[:size] = bytes(size)
        os.close(write_end)
        try:
            pidfd = os.pidfd_open(keeper)
        except OSError:  # the keeper ended at once (and was reaped)
            pidfd = None
        length = _read_into(read_end, report)
        os.close(read_end)
        if report[:length] == b"ok" and pidfd is not None:
            socket.send_fds(channel, [json.dumps({"pid": keeper}).encode()], [pidfd])
        elif length:
            channel.sendmsg([b"E", memoryview(report)[:length]])
        else:
            channel.send(b"Ethe kernel's keeper ended before the kernel was sandboxed")
        report[:length] = bytes(length)
        if pidfd is not None:
            os.close(pidfd)


def _read_into(fd: int, buffer: bytearray) -> int:
    """Read ``fd`` to its end into ``buffer`` (what does not fit is dropped); the length."""
    length = 0
    view = memoryview(buffer)
    while True:
        count = os.readv(fd, [view[length:]]) if length < len(buffer) else \
            len(os.read(fd, 4096))
        if count == 0:
            return length
        length = min(len(buffer), length + count)


def _start_kernel(request: dict) -> None:
    """In the sandboxed kernel: start ipykernel as its launcher would (or, for a ``probe``,
    nothing: the sandbox could be built)."""
    if request.get("probe"):
        return
    if "numpy.random" in sys.modules:  # not shared with every other kernel of the zygote
        sys.modules["numpy.random"].seed()
    from ipykernel import kernelapp

    sys.argv = [sys.executable, "-m", "autograder.kernel_launcher", "-f",
                request["connection_file"]]
    kernelapp.IPKernelApp.launch_instance(sys.argv[3:])


def preload() -> None:
    """Import what every kernel needs, once: ipykernel without its debugger (as
    :mod:`autograder.kernel_launcher` starts it), :data:`PRELOADED` and, where they import,
    :data:`PRELOADED_IF_THEY_IMPORT`."""
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]  # as a kernel's launcher: the notebook's folder comes with IPython
    sys.modules["debugpy.server"] = None  # type: ignore[assignment]
    try:
        import ipykernel.debugger  # noqa: F401
    finally:
        del sys.modules["debugpy.server"]
    from ipykernel import kernelapp  # noqa: F401

    for name in PRELOADED:
        __import__(name)
    for name in PRELOADED_IF_THEY_IMPORT:
        try:
            __import__(name)
        except Exception:  # noqa: BLE001 - the kernel that imports it meets the same error
            pass


def main() -> None:
    channel = socket.socket(fileno=int(sys.argv[1]))
    preload()  # what fails here reaches the grader, on this process's standard error
    null = os.open(os.devnull, os.O_WRONLY)  # from now on, nobody reads it (nor the kernels')
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)
    channel.send(b"ready")
    serve(channel)


# ---------------------------------------------------------------------------------------------
# The grader's side
# ---------------------------------------------------------------------------------------------
class ZygoteError(RuntimeError):
    """The zygote could not start a sandboxed kernel (what failed is in the message)."""


class ForkedProcess:
    """A kernel started by the zygote, as jupyter_client uses a ``subprocess.Popen``: polled,
    waited for, signalled and killed through its pidfd. Its keeper, not a child of this
    process, writes the kernel's exit status to ``status_file`` (128 + N if signal N ended
    it); ``returncode`` is that, or -9 if the keeper was killed before it could write it."""

    def __init__(self, pid: int, pidfd: int, status_file: str) -> None:
        self.pid, self._pidfd, self._status_file = pid, pidfd, status_file
        self.returncode: int | None = None
        self.stdin = self.stdout = self.stderr = None

    def poll(self) -> int | None:
        if self.returncode is None and self._pidfd is not None:
            ready, _, _ = select.select([self._pidfd], [], [], 0)
            if ready:
                self._ended()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None and self._pidfd is not None:
            ready, _, _ = select.select([self._pidfd], [], [], timeout)
            if not ready:
                raise subprocess.TimeoutExpired("forked kernel", timeout or 0)
            self._ended()
        return self.returncode if self.returncode is not None else 1

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            try:
                signal.pidfd_send_signal(self._pidfd, signum)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def _ended(self) -> None:
        try:
            self.returncode = int(Path(self._status_file).read_text())
        except (OSError, ValueError):  # the keeper was killed
            self.returncode = -signal.SIGKILL
        os.close(self._pidfd)
        self._pidfd = None

    def __del__(self) -> None:
        if getattr(self, "_pidfd", None) is not None:
            os.close(self._pidfd)


class Zygote:
    """The grader's handle on one zygote process: :meth:`spawn` asks it for a sandboxed
    kernel, from any thread. Started at once, and again if it ended; :meth:`close` ends it
    and its kernels."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self._env, self._lock = env, threading.Lock()
        self._start()

    def _start(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._channel = ours
        self.process = subprocess.Popen(
            [sys.executable, "-m", "autograder.kernel_zygote", str(theirs.fileno())],
            pass_fds=[theirs.fileno()], env=self._env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd="/")
        theirs.close()
        if ours.recv(16) != b"ready":
            problem = self.process.stderr.read().decode(errors="replace")[-2000:]
            self.close()
            raise ZygoteError(f"the kernel zygote did not start: {problem or 'no reason'}")
        self.process.stderr.close()

    def spawn(self, request: dict) -> ForkedProcess:
        """A sandboxed kernel as ``request`` says (:func:`autograder.forked_sandbox.run_keeper`
        lists its fields; and ``connection_file``, the kernel's)."""
        with self._lock:
            if self.process.poll() is not None:  # it was killed (out of memory?): a new one
                self._channel.close()
                self._start()
            try:
                self._channel.send(json.dumps(request).encode())
                message, fds, _, _ = socket.recv_fds(self._channel, MESSAGE, 1)
            except OSError as error:
                raise ZygoteError(f"the kernel zygote ended ({error})") from None
        if not message:
            raise ZygoteError("the kernel zygote ended")
        if message.startswith(b"E"):
            for fd in fds:
                os.close(fd)
            raise ZygoteError(f"no sandboxed kernel: {message[1:].decode(errors='replace')}")
        return ForkedProcess(json.loads(message)["pid"], fds[0], request["status_file"])

    def check(self, request: dict) -> str | None:
        """Build a sandbox as ``request`` says, without a kernel in it: what failed, or None
        if this machine can fork sandboxed kernels."""
        try:
            process = self.spawn({**request, "probe": True})
        except ZygoteError as error:
            return str(error)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            return "the sandbox's probe did not end"
        return None

    def close(self) -> None:
        self._channel.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


if __name__ == "__main__":
    main()
