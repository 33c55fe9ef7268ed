"""The start of a grading kernel: ipykernel's own launcher, without loading the debugger.

A student's notebook is graded in a new kernel, so a kernel's start is paid once per student:
about 0.40 CPU seconds here, of which ipykernel's debugger support (``debugpy`` and its
``pydevd``, imported at start whenever they are installed, for JupyterLab's visual debugger)
takes 0.06 to 0.12. Nobody debugs a grading kernel, so this launcher starts ipykernel as
``python -m ipykernel_launcher`` does, with ``debugpy.server`` hidden while ipykernel decides
whether it can debug (it then says it cannot), and visible again before any cell runs: a
student's ``import debugpy`` still works.

Run as ``python -m autograder.kernel_launcher -f CONNECTION_FILE`` (the arguments of
ipykernel's launcher). It imports nothing of the grader.
"""

from __future__ import annotations

import sys
from pathlib import Path

IPYKERNEL_LAUNCHER = ["-m", "ipykernel_launcher"]
THIS_LAUNCHER = ["-m", "autograder.kernel_launcher"]


def without_debugger(command: list[str]) -> list[str]:
    """A kernel spec's command with this launcher in place of ipykernel's; any other command
    (another kernel, another launcher) unchanged."""
    for start in range(len(command) - 1):
        if command[start:start + 2] == IPYKERNEL_LAUNCHER:
            return command[:start] + THIS_LAUNCHER + command[start + 2:]
    return list(command)


def launch() -> None:
    # as ipykernel_launcher: the working folder leaves sys.path while ipykernel loads (IPython
    # puts it back for the notebook's code)
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    sys.modules["debugpy.server"] = None  # type: ignore[assignment]  # ImportError in ipykernel
    try:
        import ipykernel.debugger  # noqa: F401  # decides here: no debugpy
    finally:
        del sys.modules["debugpy.server"]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    launch()
