"""Where the grader's helper processes come from: one forkserver that has the grading code
imported.

The feedback pages are rendered in helper processes, and a ``local:N`` cluster's workers are
processes too. Each one started fresh ("spawn") imports nbgrader, nbconvert and the grading
code again, 1.4 CPU seconds here (and Dask, 0.5 more, for a worker): a tenth of grading 40
students on two cores. Forked from a process that has them imported, a helper costs almost
nothing to start. That process is multiprocessing's *forkserver*: started fresh itself, once
per process, single-threaded, so that a fork never copies a thread of the caller's in the
middle of an import (the reason the helpers were not simply forked from the grader).

A forkserver child does not start where its caller is: it has the folder and environment that
the forkserver had when it started. A helper is therefore given the caller's folder and
environment when it starts (:func:`as_the_caller`).
"""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.context import BaseContext

GRADING_CODE = ["autograder.feedback_pages", "autograder.unit"]
CLUSTER_CODE = ["distributed", "autograder.cluster"]


def helper_context(cluster: bool = False) -> BaseContext:
    """The multiprocessing context of the helpers: the forkserver, which imports the grading
    code (and Dask's, for a ``cluster``) when it starts. It starts once per process, with the
    modules asked for by the first caller; a later caller's helpers import what is missing."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(GRADING_CODE + (CLUSTER_CODE if cluster else []))
    return context


def caller_state() -> tuple[str, dict[str, str]]:
    """What a helper needs of its caller: the working folder and the environment."""
    return os.getcwd(), dict(os.environ)


def as_the_caller(state: tuple[str, dict[str, str]]) -> None:
    """In a helper: take the caller's folder and environment (:func:`caller_state`)."""
    folder, environment = state
    os.chdir(folder)
    os.environ.clear()
    os.environ.update(environment)
