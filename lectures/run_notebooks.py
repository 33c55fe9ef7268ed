"""Re-execute lecture notebooks, save them with their outputs, and check those outputs.

Usage (from the repository root)::

    .venv/bin/python lectures/run_notebooks.py                 # every lecture notebook
    .venv/bin/python lectures/run_notebooks.py lectures/06_*.ipynb
    .venv/bin/python lectures/run_notebooks.py --check         # run, but do not save

Each notebook runs top to bottom in a fresh kernel of this Python environment (the one running
this script). The script prints the seconds per notebook, and fails (exit code 1) if a notebook
raises, or if any output holds an error, a traceback or a warning (a lecture must run clean).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

LECTURES = Path(__file__).resolve().parent


def lecture_notebooks() -> list[Path]:
    """The lecture notebooks, in lecture order (01_..., 02_..., ...)."""
    return sorted(LECTURES.glob("[0-9][0-9]_*.ipynb"))


def _use_this_python_for_kernels() -> None:
    # The "python3" kernel runs the first `python` on PATH: make it this environment's.
    bin_dir = str(Path(sys.executable).parent)
    os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    # Small matrices: one BLAS thread is faster, and the same setting as the nbval tests use
    # (see the repository's conftest.py).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")


def problems_in(notebook) -> list[str]:
    """Errors, tracebacks and warnings found in a notebook's outputs."""
    found = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            text = output.get("text", "") if kind == "stream" else ""
            if kind == "error":
                found.append(f"cell {index}: {output.get('ename')}: {output.get('evalue')}")
            elif output.get("name") == "stderr" and ("Warning" in text or "Traceback" in text):
                found.append(f"cell {index}: stderr: {text.strip()[:200]}")
            elif "Traceback (most recent call last)" in text:
                found.append(f"cell {index}: a traceback in the output")
    return found


def execute_notebook(path: Path, save: bool = True, timeout: int = 300) -> tuple[float, list[str]]:
    """Run one notebook in a fresh kernel; return (seconds, problems). Saves it if ``save``."""
    _use_this_python_for_kernels()
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata.pop("widgets", None)
    # No widget state is saved: an explorer's output carries a PNG of its first figure (see
    # course/widgets/base.py), which GitHub, nbviewer and HTML exports show. With the state
    # saved, the exports would draw a dead copy of the widget instead, from scripts on a CDN.
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", store_widget_state=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - started
    if save:
        nbformat.write(notebook, path)
    return seconds, problems_in(notebook)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every lecture")
    parser.add_argument("--check", action="store_true", help="run without saving")
    args = parser.parse_args(argv)
    paths = args.notebooks or lecture_notebooks()
    total, failed = 0.0, False
    for path in paths:
        try:
            seconds, problems = execute_notebook(path, save=not args.check)
        except Exception as error:  # a cell raised: report it and go on with the others
            print(f"{path.name:45s}  FAILED: {type(error).__name__}: {str(error)[:300]}")
            failed = True
            continue
        total += seconds
        print(f"{path.name:45s} {seconds:6.1f} s" + ("" if not problems else "  PROBLEMS:"))
        for problem in problems:
            print(f"    {problem}")
        failed = failed or bool(problems)
    print(f"{'all notebooks':45s} {total:6.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
