"""How long the standing test of fairness (``tests/test_fairness.py``) adds to the test run.

Target: under 3 minutes on a 2-core machine for the five assignments together. For each
assignment the test grades one batch (its answers packed into as few notebooks as the exercise
with the most variants needs) with the real, sandboxed pipeline, and runs the same notebooks as
a student runs them; this script runs that test file with pytest and prints, per assignment, the
notebooks and the seconds of its batch, and the total.

Run: ``.venv/bin/python benchmarks/bench_fairness.py``
"""

from __future__ import annotations

import re
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
                           "--durations=0", "-p", "no:cacheprovider"],
                          cwd=ROOT, capture_output=True, text=True)
    total = time.perf_counter() - start
    batches = {m.group(2): float(m.group(1)) for m in re.finditer(
        r"([\d.]+)s setup\s+\S+\[(\w+)\]", done.stdout)}
    print(f"{'assignment':24s} {'notebooks':>9s} {'seconds':>8s}")
    for name, count in counts.items():
        print(f"{name:24s} {count:9d} {batches.get(name, float('nan')):8.1f}")
    verdict = "ok" if total < TARGET and done.returncode == 0 else "OVER TARGET OR FAILED"
    print(f"{'all (pytest wall time)':24s} {sum(counts.values()):9d} {total:8.1f}   "
          f"target {TARGET:.0f} s: {verdict}")
    if done.returncode != 0:
        print(done.stdout[-3000:])
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
