"""The command line as a lecturer runs it: ``python -m autograder ...`` in a process of its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run_cli(*args: str, cwd: Path | str | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess:
    """Run ``python -m autograder ARGS`` with this interpreter; its exit code and output."""
    return subprocess.run([sys.executable, "-m", "autograder", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=timeout)
