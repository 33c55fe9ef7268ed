"""Grading kernels start through autograder.kernel_launcher: ipykernel without its debugger,
otherwise as ipykernel's own launcher starts it (real kernels, sandboxed and not)."""

from __future__ import annotations

import json
import sys

import nbformat
import pytest
from jupyter_client import AsyncKernelManager
from nbclient import NotebookClient

from autograder.kernel_launcher import THIS_LAUNCHER, without_debugger
from autograder.sandbox import GradingKernelManager, SandboxedKernelManager, sandbox_problem

PROBE = """import json, sys, importlib.util
import ipykernel.debugger
print(json.dumps({
    "debugger": ipykernel.debugger._is_debugpy_available,
    "debugpy_server": importlib.util.find_spec("debugpy") is None or
                      __import__("debugpy.server").server is not None,
    "path": sys.path,
    "helper": __import__("helper_module").VALUE,
}))
"""


def test_only_ipykernel_s_launcher_is_replaced():
    python = sys.executable
    spec = [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    assert without_debugger(spec) == [python, *THIS_LAUNCHER, "-f", "{connection_file}"]
    for other in ([python, "-m", "other_kernel", "-f", "x"], ["ir", "--slave", "-f", "x"],
                  [python, "ipykernel_launcher"], []):
        assert without_debugger(other) == other


def kernel_reports(manager_class, folder) -> dict:
    (folder / "helper_module.py").write_text("VALUE = 42\n")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)])
    NotebookClient(notebook, kernel_manager_class=manager_class, timeout=60,
                   kernel_name="python3", resources={"metadata": {"path": str(folder)}}
                   ).execute()
    printed = [o for o in notebook.cells[0].outputs if o.get("name") == "stdout"]
    assert len(printed) == 1, notebook.cells[0].outputs  # (debugpy warns on stderr)
    return json.loads(printed[0].text)


def test_a_grading_kernel_has_no_debugger_and_the_same_path(tmp_path):
    grading = kernel_reports(GradingKernelManager, tmp_path)
    plain = kernel_reports(AsyncKernelManager, tmp_path)
    assert grading["debugger"] is False
    assert grading["debugpy_server"] is True  # a student may still import it
    assert grading["path"] == plain["path"]  # the notebook's folder first, as ipykernel's
    assert grading["helper"] == plain["helper"] == 42


@pytest.mark.skipif(sandbox_problem() is not None, reason="no sandbox here")
def test_a_sandboxed_kernel_starts_the_same_way(tmp_path):
    report = kernel_reports(SandboxedKernelManager, tmp_path)
    assert report["debugger"] is False and report["helper"] == 42
