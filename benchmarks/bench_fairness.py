"""How long the standing test of fairness (``tests/test_fairness.py``) adds to the test run.

Target: under 3 minutes on a 2-core machine for all the assignments together (seven, 64
notebooks: 97 s here on 2026-12-03, Intel Xeon with AVX-512). For each
assignment the test grades one batch (its answers packed into as few notebooks as the exercise
with the most variants needs) with the real, sandboxed pipeline, and runs the same notebooks as
a student runs them; two assignments are graded at a time. This script runs that test file with
pytest and prints the notebooks per assignment and the wall time of the whole file.

Run: ``.venv/bin/python benchmarks/bench_fairness.py``
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 180.0


def notebooks_per_assignment() -> dict[str, int]:
    sys.path.insert(0, str(ROOT / "tests"))
    import test_fairness

    return {name: len(test_fairness.pack(test_fairness.load_variants(name))) + 1
            for name in test_fairness.ASSIGNMENTS}


def main() -> int:
    counts = notebooks_per_assignment()
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "tests/test_fairness.py", "-q",
                           "-p", "no:cacheprovider"],
                          cwd=ROOT, capture_output=True, text=True)
    total = time.perf_counter() - start
    print(f"{'assignment':24s} {'notebooks':>9s}")
    for name, count in counts.items():
        print(f"{name:24s} {count:9d}")
    verdict = "ok" if total < TARGET and done.returncode == 0 else "OVER TARGET OR FAILED"
    print(f"{'all':24s} {sum(counts.values()):9d}   {total:.1f} s of pytest wall time, "
          f"target {TARGET:.0f} s: {verdict}")
    if done.returncode != 0:
        print(done.stdout[-3000:])
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
