"""CPU seconds of a process tree, by kind of process: where the time of a grading run goes.

A thread polls ``/proc`` (Linux) every ``interval`` seconds for this process's descendants and
keeps, for each process it has seen, its latest CPU time (user + system). A process that lives
between two polls is missed, and one that ends loses at most ``interval`` of CPU: the figures
are a slight underestimate. This process's own CPU comes from ``resource``, less the polling
thread's.

Kinds: ``student kernel`` (the zygote and the kernels forked from it included) and ``judge
kernel`` (a judge kernel has ``AUTOGRADER_MODE=judge`` in its environment), ``spawned helper``
(multiprocessing's spawned processes: the feedback helpers, and under ``--scheduler local:N``
the Dask workers too, which LocalCluster spawns the same way), ``dask worker`` (a ``dask
worker`` command), ``nbgrader`` (a ``python -m nbgrader`` command), ``other``.
"""

from __future__ import annotations

import os
import resource
import threading
import time
from collections import Counter
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, float, str]]:
    """pid -> (parent pid, CPU seconds, command line) of every process."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace")
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        found[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS,
                                  command)
    return found


def _kind(pid: int, command: str) -> str:
    if "autograder.kernel_zygote" in command:  # the zygote, and the kernels forked from it
        return "student kernel"
    kernel = "ipykernel" in command or "autograder.kernel_launcher" in command
    if kernel and "bwrap" not in command and not command.startswith("sh "):
        try:
            environment = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            environment = b""
        return "judge kernel" if b"AUTOGRADER_MODE=judge" in environment else "student kernel"
    if "multiprocessing" in command:
        return "spawned helper"
    if "distributed" in command or "dask" in command:
        return "dask worker"
    if "-m nbgrader" in command:
        return "nbgrader"
    return "other"


class ProcessTreeCPU:
    """``with ProcessTreeCPU() as cpu: ...``; then ``cpu.seconds`` is kind -> CPU seconds of
    this process's descendants during the block, and ``cpu.own`` this process's."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.seconds: Counter = Counter()
        self.own = 0.0
        self._seen: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()

    def _poll(self) -> None:
        processes = _processes()
        children: dict[int, list[int]] = {}
        for pid, (parent, _, _) in processes.items():
            children.setdefault(parent, []).append(pid)
        stack = list(children.get(os.getpid(), []))
        while stack:
            pid = stack.pop()
            _, cpu, command = processes[pid]
            kind = self._seen[pid][0] if pid in self._seen else _kind(pid, command)
            self._seen[pid] = (kind, cpu)
            stack += children.get(pid, [])

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._poll()
        self._polling = time.thread_time()  # the polls' own CPU, not the measured process's

    def __enter__(self) -> ProcessTreeCPU:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        self._own_start = usage.ru_utime + usage.ru_stime
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        self.own = usage.ru_utime + usage.ru_stime - self._own_start - self._polling
        for kind, cpu in self._seen.values():
            self.seconds[kind] += cpu

    def total(self) -> float:
        return self.own + sum(self.seconds.values())
