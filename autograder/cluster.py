"""Grading on a Dask cluster: the units of work of :mod:`autograder.unit`, on workers anywhere.

``grade ... --scheduler tcp://host:8786`` (or ``tls://...``, or ``local:N`` for a cluster of N
worker processes on this machine) sends every student's :class:`~autograder.unit.StudentJob` to
the cluster's workers. Each worker gets the run's course template once, through a
:class:`GradingPlugin` registered under the template's digest; the plugin checks when it
starts that the worker can sandbox student code, and keeps a :class:`~autograder.unit.Grader`
(its judge kernels) for every job of the run. A task returns a
:class:`~autograder.unit.StudentGrade`, data only; this process records it.

What can go wrong, and what happens:

* a worker dies (its machine, SIGKILL, out of memory): the scheduler gives its tasks to other
  workers; a task lands in this process once, however many times it ran;
* a submission that kills every worker it runs on: the scheduler gives up after its
  ``distributed.scheduler.allowed-failures`` (3 by default; :data:`ALLOWED_FAILURES` for a
  ``local:N`` cluster). The scheduler blames every task that was on a dying worker, so a
  student whose task only ran beside the crasher can be given up too: every task given up is
  held back until the others are done, then run once more alone on the cluster; a task that
  is given up when alone too is that student's, who is reported, not graded;
* a worker that cannot sandbox: its tasks refuse to run (:class:`SandboxRefused`), the worker is
  retired from the cluster and the students are given to the others;
* the scheduler goes away (or has no workers for :data:`LOST_SCHEDULER_GRACE` seconds):
  :class:`~autograder.unit.GradersGone`, and the coordinator stops the run
  (:class:`autograder.grading.GradingStopped`); the students recorded so far are kept, and
  ``grade ... --resume`` grades the others.

Dask's traffic is not authenticated unless TLS is configured: give ``--tls-ca-file``,
``--tls-cert`` and ``--tls-key`` (the scheduler and the workers are started with the same CA;
see the README's "Grading on a cluster").
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import CancelledError
from dataclasses import dataclass
from pathlib import Path

import dask
from distributed import Client, KilledWorker, LocalCluster, get_worker, wait
from distributed.diagnostics.plugin import WorkerPlugin
from distributed.security import Security
from distributed.utils import get_mp_context

from autograder.coursedir import SetupError
from autograder.helper_processes import helper_context
from autograder.sandbox import sandbox_problem
from autograder.unit import (
    CourseTemplate,
    Grader,
    GradersGone,
    GradingOptions,
    StudentGrade,
    StudentJob,
)

ALLOWED_FAILURES = 2  # a local:N cluster's scheduler gives a task up after this many dead workers
LOST_SCHEDULER_GRACE = 30.0  # seconds without the scheduler before the run stops
POLL = 2.0  # seconds between looks at the connection while waiting for grades
# A local:N cluster's settings (its workers, started by it, get them too): the scheduler gives a
# task up after ALLOWED_FAILURES dead workers, and the workers do not run Dask's statistical
# profiler, which looks at every thread's stack every 10 ms for the dashboard (none here): CPU
# the grading does not get (with it, the workers and feedback helpers of bench_grading's local:2
# run took 18% more CPU, in one noisy measurement).
LOCAL_CLUSTER_CONFIG = {"distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
                        "distributed.worker.profile.enabled": False,
                        "distributed.worker.multiprocessing-method": "forkserver"}
# A local:N cluster's worker processes are forked from the forkserver that has imported Dask
# and the grading code (nbgrader, nbconvert) once (autograder.helper_processes): each worker
# started fresh ("spawn", Dask's default) imports them itself, 1.45 CPU seconds per worker.


class SandboxRefused(RuntimeError):
    """This worker cannot sandbox student code, so it grades nothing."""

    def __init__(self, address: str, reason: str) -> None:
        super().__init__(address, reason)
        self.address, self.reason = address, reason

    def __str__(self) -> str:
        return f"worker {self.address} cannot sandbox student code: {self.reason}"


@dataclass(frozen=True)
class ClusterSpec:
    """Where to grade: a scheduler's address (``tcp://host:8786``, ``tls://host:8786``) or
    ``local:N`` (a cluster of N worker processes started here), and the TLS files."""

    address: str
    tls_ca_file: str | None = None
    tls_cert: str | None = None
    tls_key: str | None = None

    def __post_init__(self) -> None:
        tls = (self.tls_ca_file, self.tls_cert, self.tls_key)
        if any(tls) and not all(tls):
            raise SetupError("TLS needs all three of --tls-ca-file, --tls-cert and --tls-key")
        for path in filter(None, tls):
            if not Path(path).is_file():
                raise SetupError(f"TLS file {path} does not exist")
        if self.local_workers is None and "://" not in self.address:
            raise SetupError(f"--scheduler {self.address!r}: give a scheduler's address "
                             "(tcp://HOST:8786, or tls://HOST:8786 with the TLS options) or "
                             "local:N for N worker processes on this machine")
        if self.address.startswith("tls://") and not all(tls):
            raise SetupError(f"--scheduler {self.address}: a tls:// scheduler needs "
                             "--tls-ca-file, --tls-cert and --tls-key")

    @property
    def local_workers(self) -> int | None:
        """N for ``local:N``, else None."""
        if not self.address.startswith("local:"):
            return None
        count = self.address.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise SetupError(f"--scheduler {self.address!r}: local:N needs a number of workers "
                             "N of at least 1, e.g. local:2")
        return int(count)

    def security(self) -> Security | None:
        if not self.tls_ca_file:
            return None
        return Security(tls_ca_file=self.tls_ca_file, tls_client_cert=self.tls_cert,
                        tls_client_key=self.tls_key, tls_worker_cert=self.tls_cert,
                        tls_worker_key=self.tls_key, tls_scheduler_cert=self.tls_cert,
                        tls_scheduler_key=self.tls_key, require_encryption=True)

    def describe(self) -> str:
        if self.local_workers is not None:
            return f"a local Dask cluster of {self.local_workers} worker processes"
        return f"the Dask scheduler at {self.address}" + (" (TLS)" if self.tls_ca_file else "")


@contextlib.contextmanager
def connect(spec: ClusterSpec, options: GradingOptions) -> Iterator[Client]:
    """A client of the cluster ``spec`` names (started here for ``local:N``, closed after)."""
    security = spec.security()
    workers = spec.local_workers
    if workers is None:
        try:
            client = Client(spec.address, security=security, timeout=30)
        except (OSError, TimeoutError) as error:
            raise SetupError(f"cannot reach the Dask scheduler at {spec.address}: "
                             f"{type(error).__name__}: {error}") from None
        with client:
            yield client
        return
    threads = max(1, round(options.workers / workers))
    with dask.config.set(LOCAL_CLUSTER_CONFIG):
        _preload_worker_code()
        cluster = LocalCluster(n_workers=workers, threads_per_worker=threads, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR,
                               security=security,
                               protocol="tls://" if security else None)
    with cluster, Client(cluster, security=security) as client:
        yield client


def _preload_worker_code() -> None:
    """What the forkserver imports when it starts, if it has not started yet (the feedback
    helpers start it first). Dask sets its own list the first time it uses the forkserver;
    this, called after, puts the grading code's in its place."""
    get_mp_context()  # Dask's list is set now, once for this process
    helper_context(cluster=True)


class GradingPlugin(WorkerPlugin):
    """What a worker needs to grade one run's students: the course template, unpacked once,
    and a Grader; set up on every worker of the cluster, those that join later included.

    At setup the worker checks that it can sandbox (bubblewrap, user namespaces); if it cannot,
    it keeps the reason and refuses every job (:func:`grade_on_worker`).
    """

    def __init__(self, template: CourseTemplate, options: GradingOptions) -> None:
        self.template, self.options = template, options
        self.name = f"nn-course-grading-{template.digest[:16]}"
        self.grader: Grader | None = None
        self.refusal: str | None = None

    def setup(self, worker) -> None:
        self.refusal = sandbox_problem() if self.options.sandbox else None
        if self.refusal is None:
            self.grader = Grader(self.template, self.options,
                                 parent=Path(worker.local_directory))

    def teardown(self, worker) -> None:
        if self.grader is not None:
            self.grader.close()


def grade_on_worker(job: StudentJob, plugin_name: str) -> StudentGrade:
    """The task: grade ``job`` with this worker's Grader of the run."""
    worker = get_worker()
    plugin = worker.plugins.get(plugin_name)
    if plugin is None:
        raise RuntimeError(f"worker {worker.address} has no {plugin_name} (it joined without "
                           "the run's course template)")
    if plugin.refusal is not None:
        raise SandboxRefused(worker.address, plugin.refusal)
    return plugin.grader.grade(job)


class EarlyConnection:
    """A connection to the cluster, made in a thread from the moment this is created, so that
    a ``local:N`` cluster's workers start (or a remote scheduler answers) while the coordinator
    prepares the run; :meth:`client` waits for it, :meth:`close` ends it (a ``local:N``
    cluster stops)."""

    def __init__(self, spec: ClusterSpec, options: GradingOptions) -> None:
        self._ready: concurrent.futures.Future = concurrent.futures.Future()
        self._done = threading.Event()
        # one thread opens and closes the client (Dask's client must be left in the thread,
        # and context, that entered it)
        self._thread = threading.Thread(target=self._connect, args=(spec, options),
                                        name="nn-course-cluster", daemon=True)
        self._thread.start()

    def _connect(self, spec: ClusterSpec, options: GradingOptions) -> None:
        try:
            with connect(spec, options) as client:
                self._ready.set_result(client)
                self._done.wait()
        except BaseException as error:  # noqa: BLE001 (raised where the client is wanted)
            if not self._ready.done():
                self._ready.set_exception(error)

    def client(self) -> Client:
        return self._ready.result()

    def close(self) -> None:
        self._done.set()
        self._thread.join()


def cluster_grades(spec: ClusterSpec, template: CourseTemplate, options: GradingOptions,
                   jobs: Iterable[StudentJob],
                   connection: EarlyConnection | None = None) -> Iterator[StudentGrade]:
    """Grade ``jobs`` on the cluster; yield each student's grade once, as it arrives. Raises
    :class:`~autograder.unit.GradersGone` when no more grades can arrive. ``connection``: one
    made already (the caller closes it); without it, one is made here and closed after."""
    jobs = list(jobs)
    if not jobs:
        return
    with contextlib.ExitStack() as stack:
        if connection is None:
            client = stack.enter_context(connect(spec, options))
        else:
            client = connection.client()
        plugin = GradingPlugin(template, options)
        client.register_plugin(plugin, name=plugin.name)
        run = uuid.uuid4().hex[:8]

        def submit(job: StudentJob):
            return client.submit(grade_on_worker, job, plugin.name, pure=False,
                                 key=f"grade-{job.student_id}-{run}-{uuid.uuid4().hex[:6]}")

        jobs_of = {}
        for job in jobs:
            jobs_of[submit(job)] = job
        pending = set(jobs_of)
        retired: set[str] = set()
        suspects: list[StudentJob] = []  # given up by the scheduler beside others: run alone
        alone = None  # the task of a suspect, running with no other task on the cluster
        stuck_since: float | None = None  # since when the scheduler, or every worker, is gone
        try:
            while pending or suspects:
                if not pending:
                    job = suspects.pop(0)
                    alone = submit(job)
                    jobs_of[alone] = job
                    pending = {alone}
                try:
                    done, pending = wait(pending, timeout=POLL, return_when="FIRST_COMPLETED")
                except TimeoutError:
                    done = set()
                except CancelledError:  # by the scheduler, or the connection to it was lost
                    raise GradersGone(f"the Dask scheduler at {spec.address} went away (the "
                                      "work sent to it was cancelled)") from None
                if not done:
                    why = _why_stuck(client, spec, retired)
                    if why is None:
                        stuck_since = None
                    elif stuck_since is None:
                        stuck_since = time.monotonic()
                    elif time.monotonic() - stuck_since > LOST_SCHEDULER_GRACE:
                        raise GradersGone(why)
                    continue
                for future in done:
                    job = jobs_of.pop(future)
                    try:
                        grade = _grade_of(future, job, spec, client, retired)
                    except KilledWorker as error:
                        if future is not alone:
                            suspects.append(job)
                            continue
                        grade = _ended_every_worker(job, error)
                    if grade is None:  # refused by a worker that cannot sandbox: once more
                        again = submit(job)
                        jobs_of[again] = job
                        pending.add(again)
                        continue
                    yield grade
        finally:
            if pending:
                client.cancel(list(pending))


def _why_stuck(client: Client, spec: ClusterSpec, retired: set[str]) -> str | None:
    """Why no grade can arrive (the scheduler is gone, or it has no worker), or None."""
    if client.status != "running":
        return f"the Dask scheduler at {spec.address} went away"
    try:
        workers = client.scheduler_info().get("workers", {})
    except Exception:  # noqa: BLE001 (the scheduler is going away)
        return f"the Dask scheduler at {spec.address} went away (it does not answer)"
    if not workers:
        refused = f" ({len(retired)} refused: they cannot sandbox)" if retired else ""
        return f"the Dask cluster at {spec.address} has no workers{refused}"
    return None


def _grade_of(future, job: StudentJob, spec: ClusterSpec, client: Client,
              retired: set[str]) -> StudentGrade | None:
    """The grade a finished task returned, or a not-graded one saying why; None if a worker
    that cannot sandbox refused it (that worker is then retired) and it should run again.
    Raises :class:`~distributed.KilledWorker` if the scheduler gave the task up."""
    try:
        return future.result()
    except KilledWorker:
        raise
    except SandboxRefused as error:
        if error.address not in retired:
            retired.add(error.address)
            logging.getLogger(__name__).error("%s; retiring it", error)
            with contextlib.suppress(Exception):
                client.retire_workers(workers=[error.address], close_workers=True)
        return None
    except (OSError, TimeoutError) as error:
        raise GradersGone(f"the Dask scheduler at {spec.address} went away (the connection "
                          f"was lost: {type(error).__name__})") from None
    except CancelledError:
        raise GradersGone(f"the Dask scheduler at {spec.address} went away (the work sent "
                          "to it was cancelled)") from None
    except Exception as error:  # noqa: BLE001 (a bug of the task: reported for this student)
        return StudentGrade(job.student_id, failures=(
            f"{type(error).__name__}: {str(error)[:200]}",))


def _ended_every_worker(job: StudentJob, error: KilledWorker) -> StudentGrade:
    """The not-graded grade of a student whose task, run alone, still ended every worker."""
    last = error.last_worker.address if error.last_worker else "a worker"
    return StudentGrade(job.student_id, failures=(
        "grading this submission ended the Dask worker it ran on, each time it was tried, "
        f"also when it ran alone on the cluster ({last} last); the scheduler gave up on it",))
