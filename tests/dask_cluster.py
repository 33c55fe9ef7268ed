"""Real Dask clusters on the loopback interface, for the tests: a ``dask scheduler`` process and
``dask worker`` processes, as a course's IT would start them on N hosts."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from distributed import Client
from distributed.diagnostics.plugin import WorkerPlugin
from distributed.security import Security

REPOSITORY = Path(__file__).resolve().parents[1]
DASK = str(Path(sys.executable).parent / "dask")


@dataclass
class TlsFiles:
    """A CA certificate, and a certificate and key it signed (PEM files)."""

    ca: str
    cert: str
    key: str

    @classmethod
    def make(cls, folder: Path) -> TlsFiles:
        """Fresh ones (Dask's own temporary, self-signed certificate: it is its own CA)."""
        folder.mkdir(parents=True, exist_ok=True)
        temporary = Security.temporary()
        paths = {}
        for name, pem in (("ca", temporary.tls_ca_file), ("cert", temporary.tls_scheduler_cert),
                          ("key", temporary.tls_scheduler_key)):
            paths[name] = folder / f"{name}.pem"
            paths[name].write_text(pem)
        os.chmod(paths["key"], 0o600)
        return cls(str(paths["ca"]), str(paths["cert"]), str(paths["key"]))

    def options(self) -> list[str]:
        return ["--tls-ca-file", self.ca, "--tls-cert", self.cert, "--tls-key", self.key]

    def security(self) -> Security:
        return Security(tls_ca_file=self.ca, tls_client_cert=self.cert,
                        tls_client_key=self.key, require_encryption=True)


@dataclass
class LoopbackCluster:
    address: str
    folder: Path
    scheduler: subprocess.Popen
    tls: TlsFiles | None = None
    workers: list[subprocess.Popen] = field(default_factory=list)

    def start_worker(self, name: str, nthreads: int = 2, nanny: bool = False,
                     tls: TlsFiles | None | str = "the cluster's", extra: tuple[str, ...] = (),
                     env: dict[str, str] | None = None) -> subprocess.Popen:
        """A ``dask worker`` process (its log in the cluster's folder), with the cluster's TLS
        files unless given others (None: none)."""
        tls = self.tls if tls == "the cluster's" else tls
        command = [DASK, "worker", self.address, "--name", name, "--nthreads", str(nthreads),
                   "--no-dashboard", "--local-directory", str(self.folder / name),
                   "--nanny" if nanny else "--no-nanny", *(tls.options() if tls else []),
                   *extra]
        log = open(self.folder / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                   env=_environment(**(env or {})), cwd=self.folder)
        self.workers.append(process)
        return process

    def client(self) -> Client:
        return Client(self.address, security=self.tls.security() if self.tls else None,
                      timeout=30)

    def wait_for_workers(self, count: int, timeout: float = 60) -> dict:
        """The scheduler's view of its workers, once it has ``count`` of them."""
        with self.client() as client:
            client.wait_for_workers(count, timeout=timeout)
            return client.scheduler_info()["workers"]

    def worker_pids(self) -> dict[str, int]:
        """Worker name -> the pid of the process that grades (the worker itself)."""
        with self.client() as client:
            pids = client.run(os.getpid)  # address -> pid, asked of each worker
            names = {address: info["name"]
                     for address, info in client.scheduler_info()["workers"].items()}
            return {names[address]: pid for address, pid in pids.items()}

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")


class KillOnStart(WorkerPlugin):
    """Fault injection: the worker process kills itself (SIGKILL) when it starts a task whose
    key contains ``marker``, as a crash of the worker would, whatever the task does."""

    name = "kill-on-start"

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def transition(self, key, start, finish, **kwargs) -> None:
        if finish == "executing" and self.marker in str(key):
            os.kill(os.getpid(), signal.SIGKILL)


def _environment(**extra: str) -> dict[str, str]:
    # the workers import the course's code, and this folder's KillOnStart
    path = os.pathsep.join([str(REPOSITORY), str(REPOSITORY / "tests")])
    env = dict(os.environ, PYTHONPATH=path, **extra)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    return env


@contextlib.contextmanager
def loopback_cluster(folder: Path, workers: int = 2, nthreads: int = 2, nanny: bool = False,
                     tls: TlsFiles | None = None, scheduler_env: dict[str, str] | None = None
                     ) -> Iterator[LoopbackCluster]:
    """A scheduler and ``workers`` workers on 127.0.0.1, stopped (SIGKILL if need be) after."""
    folder.mkdir(parents=True, exist_ok=True)
    scheduler_file = folder / "scheduler.json"
    protocol = ["--protocol", "tls"] if tls else []
    log = open(folder / "scheduler.log", "w")  # noqa: SIM115 (closed with the process)
    scheduler = subprocess.Popen(
        [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", str(scheduler_file), *protocol, *(tls.options() if tls else [])],
        stdout=log, stderr=subprocess.STDOUT, env=_environment(**(scheduler_env or {})),
        cwd=folder)
    cluster = None
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() or not scheduler_file.read_text().strip():
            if scheduler.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the scheduler did not start:\n"
                                   + (folder / "scheduler.log").read_text())
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        cluster = LoopbackCluster(address, folder, scheduler, tls)
        for number in range(workers):
            cluster.start_worker(f"w{number + 1}", nthreads=nthreads, nanny=nanny)
        if workers:
            cluster.wait_for_workers(workers)
        yield cluster
    finally:
        processes = [*(cluster.workers if cluster else []), scheduler]
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
