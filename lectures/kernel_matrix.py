"""Run the lectures' regression tests under several OpenBLAS kernels, as other machines would.

NumPy's OpenBLAS picks a kernel for the CPU at start-up, and kernels sum in different orders,
so a lecture's results differ in the last bits from one machine to another. The lectures claim
only what holds with a margin under any rounding; this script is the proof. It runs
``pytest lectures/`` (the nbval tests: every cell re-run and compared with its saved output)
once per kernel, each in a fresh process with ``OPENBLAS_CORETYPE`` set, and prints a table.

The kernels, on an x86-64 Linux machine (each only where the CPU can run it):

* ``default``: what OpenBLAS picks here (or what the machine's ``OPENBLAS_CORETYPE`` says);
* ``Prescott``: SSE3 only, no AVX: runs on any x86-64 CPU;
* ``Haswell``: AVX2 and FMA, most laptops of the last ten years;
* ``SkylakeX`` with 2 BLAS threads: AVX-512 (recent Intel servers and laptops, AMD Zen 4), and
  a product split between two threads sums in yet another order;
* ``Haswell-numpy-avx2``: the Haswell kernel with NumPy's own AVX-512 code turned off
  (``NPY_DISABLE_CPU_FEATURES``). NumPy's ufuncs (``exp``, ``tanh``, sums) pick SIMD code for
  the CPU as OpenBLAS does, so on an AVX-512 machine every other row still differs from an AVX2
  laptop in those; this row is that laptop. It is skipped where the CPU has no AVX-512 (NumPy
  takes its AVX2 code there anyway).

A kernel that is the default already is not run twice; one the CPU cannot run (AVX-512 here, or
any of them off x86-64) is listed as skipped, with the reason. Forcing a kernel the CPU lacks
would die of an illegal instruction.

Usage (from the repository root)::

    .venv/bin/python lectures/kernel_matrix.py                    # every kernel this CPU runs
    .venv/bin/python lectures/kernel_matrix.py --skip-default     # what CI adds to its run
    .venv/bin/python lectures/kernel_matrix.py --kernels Prescott lectures/11_*.ipynb

Exit code 1 if any run fails.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Kernel:
    """One configuration of OpenBLAS: a forced kernel (None: the default) and its threads."""

    name: str
    coretype: str | None
    threads: int
    needs: tuple[str, ...]  # CPU flags it needs (from /proc/cpuinfo)
    numpy_without_avx512: bool = False  # NumPy's own AVX-512 code turned off


KERNELS = [
    Kernel("default", None, 1, ()),
    Kernel("Prescott", "Prescott", 1, ("sse3",)),
    Kernel("Haswell", "Haswell", 1, ("avx2", "fma")),
    Kernel("SkylakeX", "SkylakeX", 2, ("avx512f",)),
    Kernel("Haswell-numpy-avx2", "Haswell", 1, ("avx2", "fma", "avx512f"),
           numpy_without_avx512=True),
]


def cpu_flags() -> set[str] | None:
    """The CPU's feature flags, or None where they cannot be read (not x86-64 Linux)."""
    cpuinfo = Path("/proc/cpuinfo")
    if platform.machine() not in ("x86_64", "AMD64") or not cpuinfo.exists():
        return None
    for line in cpuinfo.read_text().splitlines():
        if line.startswith("flags"):
            # /proc/cpuinfo writes SSE3 as "pni" (Prescott New Instructions)
            flags = set(line.split(":", 1)[1].split())
            return flags | ({"sse3"} if "pni" in flags else set())
    return None


@functools.cache
def numpy_avx512_features() -> tuple[str, ...]:
    """The AVX-512 features (and the x86-64-v4 level) that NumPy dispatches to on this CPU
    (asked once per run, of a fresh process)."""
    probe = ("import json, numpy\n"
             "try:\n    from numpy._core import _multiarray_umath as m\n"
             "except ImportError:\n    from numpy.core import _multiarray_umath as m\n"
             "print(json.dumps([f for f in m.__cpu_dispatch__ if m.__cpu_features__.get(f)]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    return tuple(f for f in json.loads(done.stdout) if f.startswith("AVX512") or f == "X86_V4")


def environment(kernel: Kernel) -> dict[str, str]:
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(kernel.threads))
    if kernel.coretype is not None:
        env["OPENBLAS_CORETYPE"] = kernel.coretype
    if kernel.numpy_without_avx512:
        env["NPY_DISABLE_CPU_FEATURES"] = " ".join(numpy_avx512_features())
    return env


def blas_in_use(kernel: Kernel) -> str:
    """What OpenBLAS reports in a process with this configuration (e.g. 'Haswell, 1 thread')."""
    probe = ("import json, numpy; from threadpoolctl import threadpool_info; "
             "print(json.dumps([(i.get('architecture'), i['num_threads']) "
             "for i in threadpool_info() if i['internal_api'] == 'openblas']))")
    done = subprocess.run([sys.executable, "-c", probe], env=environment(kernel),
                          capture_output=True, text=True)
    found = json.loads(done.stdout) if done.returncode == 0 and done.stdout.strip() else []
    if not found:
        return "no OpenBLAS found"
    architecture, threads = found[0]
    return f"{architecture}, {threads} thread{'s' if threads > 1 else ''}"


def plan(names: list[str] | None, skip_default: bool) -> list[tuple[Kernel, str | None]]:
    """(kernel, reason it is skipped or None) for every kernel asked for, in table order."""
    flags = cpu_flags()
    default_in_use = blas_in_use(KERNELS[0])
    planned = []
    for kernel in KERNELS:
        if names is not None and kernel.name not in names:
            continue
        reason = None
        if kernel.name == "default" and skip_default:
            reason = "run already (the README's test command)"
        elif kernel.coretype is not None and flags is None:
            reason = "not an x86-64 Linux machine: only its default kernel applies"
        elif kernel.coretype is not None and not set(kernel.needs) <= flags:
            reason = f"this CPU lacks {', '.join(sorted(set(kernel.needs) - flags))}"
        elif kernel.numpy_without_avx512 and not numpy_avx512_features():
            reason = "NumPy uses no AVX-512 code on this CPU: the Haswell row is this one"
        elif kernel.numpy_without_avx512:
            pass  # its BLAS may be the default's, but NumPy's own code is not
        elif kernel.coretype is not None and blas_in_use(kernel) == default_in_use:
            reason = f"it is the default here ({default_in_use})"
        planned.append((kernel, reason))
    return planned


def run(kernel: Kernel, paths: list[str]) -> tuple[bool, float, str]:
    """Run the lecture tests under one kernel: (passed, seconds, pytest's last line)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           *paths], cwd=ROOT, env=environment(kernel),
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0:
        print(done.stdout[-4000:], done.stderr[-2000:], sep="\n")
    return done.returncode == 0, seconds, lines[-1] if lines else "(no output)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=["lectures"],
                        help="notebooks or folders to test (default: lectures)")
    parser.add_argument("--kernels", nargs="+", choices=[k.name for k in KERNELS],
                        help="only these (default: all)")
    parser.add_argument("--skip-default", action="store_true",
                        help="leave out the default kernel (CI ran it already)")
    args = parser.parse_args(argv)
    rows, failed = [], False
    for kernel, reason in plan(args.kernels, args.skip_default):
        if reason is not None:
            rows.append((kernel.name, kernel.threads, "-", f"skipped: {reason}", ""))
            continue
        in_use = blas_in_use(kernel)
        print(f"== lectures under {kernel.name} ({in_use})", flush=True)
        passed, seconds, summary = run(kernel, args.paths)
        failed = failed or not passed
        rows.append((kernel.name, kernel.threads, in_use,
                     ("passed: " if passed else "FAILED: ") + summary, f"{seconds:.0f} s"))
    print(f"{'kernel':18s} {'threads':>7s}  {'OpenBLAS reports':22s} {'time':>6s}  result")
    for name, threads, in_use, result, seconds in rows:
        print(f"{name:18s} {threads:7d}  {in_use:22s} {seconds:>6s}  {result}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
