"""How long each lecture notebook takes to run top to bottom, and all of them together.

Targets: each notebook under 30 s on a 2-core machine, all of them under 3 minutes. Every
notebook runs in a fresh kernel, exactly as ``lectures/run_notebooks.py --check`` runs it (the
notebooks are not saved), and its outputs are checked for errors, warnings and tracebacks.

Run: ``.venv/bin/python benchmarks/bench_notebooks.py``
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EACH_TARGET, TOTAL_TARGET = 30.0, 180.0


def _runner():
    spec = importlib.util.spec_from_file_location("run_notebooks", ROOT / "lectures" /
                                                  "run_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    runner = _runner()
    notebooks = runner.lecture_notebooks()
    total, ok = 0.0, True
    print(f"{'notebook':45s} {'seconds':>8s}  (target {EACH_TARGET:.0f} s each)")
    for path in notebooks:
        seconds, problems = runner.execute_notebook(path, save=False)
        total += seconds
        flag = "" if seconds < EACH_TARGET else "  OVER TARGET"
        if problems:
            flag += f"  {len(problems)} problem(s) in outputs"
        ok = ok and not flag
        print(f"{path.name:45s} {seconds:8.1f}{flag}")
    verdict = "meets" if total < TOTAL_TARGET else "MISSES"
    print(f"{'all ' + str(len(notebooks)) + ' notebooks':45s} {total:8.1f}  ({verdict} the "
          f"{TOTAL_TARGET:.0f} s target)")
    return 0 if ok and total < TOTAL_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
