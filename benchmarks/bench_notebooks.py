"""How long each lecture notebook takes to run top to bottom, and all of them together, under
each OpenBLAS kernel this CPU can run.

Targets: each notebook under 20 s on a 2-core machine, all of them under 2 minutes, under every
kernel (a kernel without AVX is slower; the lectures must still be quick there). Every notebook
runs in a fresh kernel, exactly as ``lectures/run_notebooks.py --check`` runs it (the notebooks
are not saved), and its outputs are checked for errors, warnings and tracebacks. The kernels are
those of ``lectures/kernel_matrix.py``: the default, ``Prescott``, ``Haswell`` and ``SkylakeX``
with 2 threads, each where the CPU has what it needs; each runs in a process of its own.

Run: ``.venv/bin/python benchmarks/bench_notebooks.py`` (``--kernels default`` for one).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EACH_TARGET, TOTAL_TARGET = 20.0, 120.0


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "lectures" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def time_notebooks() -> dict[str, tuple[float, int]]:
    """notebook name -> (seconds, problems found in its outputs), in this process's BLAS."""
    runner = _load("run_notebooks")
    timed = {}
    for path in runner.lecture_notebooks():
        seconds, problems = runner.execute_notebook(path, save=False)
        timed[path.name] = (seconds, len(problems))
    return timed


def main(argv: list[str] | None = None) -> int:
    matrix = _load("kernel_matrix")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kernels", nargs="+", choices=[k.name for k in matrix.KERNELS])
    parser.add_argument("--in-this-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.in_this_process:  # one kernel's column, for the parent process
        print(json.dumps(time_notebooks()))
        return 0

    columns, skipped = {}, []
    for kernel, reason in matrix.plan(args.kernels, skip_default=False):
        if reason is not None:
            skipped.append(f"{kernel.name}: {reason}")
            continue
        print(f"== {kernel.name} ({matrix.blas_in_use(kernel)})", flush=True)
        done = subprocess.run([sys.executable, __file__, "--in-this-process"],
                              env=matrix.environment(kernel), capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stderr[-3000:])
            return 1
        columns[kernel.name] = json.loads(done.stdout.strip().splitlines()[-1])

    ok = True
    names = list(next(iter(columns.values())))
    print(f"\n{'notebook':45s}" + "".join(f"{k:>11s}" for k in columns)
          + f"   (target {EACH_TARGET:.0f} s each)")
    for name in names:
        cells = []
        for timed in columns.values():
            seconds, problems = timed[name]
            flag = ("!" if seconds >= EACH_TARGET else "") + ("P" if problems else "")
            ok = ok and not flag
            cells.append(f"{seconds:9.1f}{flag:2s}")
        print(f"{name:45s}" + "".join(cells))
    totals = {k: sum(s for s, _ in timed.values()) for k, timed in columns.items()}
    ok = ok and all(total < TOTAL_TARGET for total in totals.values())
    print(f"{'all ' + str(len(names)) + ' notebooks':45s}"
          + "".join(f"{total:9.1f}  " for total in totals.values())
          + f"   (target {TOTAL_TARGET:.0f} s)")
    print("! over the target, P problems in the outputs; "
          + ("every kernel meets the targets" if ok else "SOME TARGET MISSED"))
    for line in skipped:
        print(f"skipped {line}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
