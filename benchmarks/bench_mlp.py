"""Benchmark: the training loop as a user writes it, against a plain NumPy loop and PyTorch.

Trains a 784-512-512-10 ReLU MLP in float32, batch 128, for one epoch over 20,000 random
samples, in the same run:

* natural: the loop of the README, written the way PyTorch users write theirs::

      for xb, yb in minibatches(X, y, batch_size=128, rng=rng):
          optimizer.zero_grad()
          out = model.forward(xb)
          loss = loss_fn.forward(out, yb)
          model.backward(loss_fn.backward())
          optimizer.step()

* plain: the same network as one hand-written NumPy loop, in place wherever it helps (the
  fastest reasonable loop: it overwrites its activations and gradients, which a library cannot);
* PyTorch on the CPU, the same loop in torch (if torch is installed; it is not a dependency:
  ``pip install torch==2.13.0``);
* fit: ``course.train.fit``, for reference;

each with SGD and with Adam, and prints seconds per epoch, GFLOP/s (matrix products only) and
the ratios natural/plain and natural/PyTorch. Targets: natural within 1.05x of plain and no
slower than PyTorch (1.00x), for SGD and for Adam.

Each figure is the best of ``--repeats`` epochs (the machines are shared and noisy; the best run
is the least disturbed one); the variants' epochs are interleaved, in a rotating order, so that
noise hits them alike, and ratios are only taken between figures of the same run.

``--kernels default,Haswell`` runs the benchmark once per OpenBLAS kernel, each in a process of
its own (OpenBLAS picks its kernel at start-up): ``default`` with OPENBLAS_CORETYPE unset (the
kernel OpenBLAS chooses for this CPU), any other name with OPENBLAS_CORETYPE set to it. The
processes alternate ``--rounds`` times and the best figure of each is kept. Without
``--kernels`` the benchmark runs here, with the environment as it is.

Run: ``python benchmarks/bench_mlp.py --kernels default,Haswell``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

from course.activations import ReLU
from course.data import minibatches
from course.layers import Dense
from course.losses import SoftmaxCrossEntropy
from course.network import Sequential
from course.optim import SGD, Adam
from course.train import fit

SIZES = (784, 512, 512, 10)
DTYPE = np.float32
LEARNING_RATES = {"sgd": 0.01, "adam": 0.001}
TARGETS = {"plain": 1.05, "pytorch": 1.00}  # natural / other, at most
PAUSE = 0.3  # seconds between two timed epochs


def matmul_flops_per_epoch(n_samples: int) -> float:
    """Multiply-adds of one training epoch: forward Z = A W, backward dW = A^T G and dA = G W^T
    (not for the first layer, whose input gradient nobody needs); 2 flops each."""
    pairs = list(zip(SIZES[:-1], SIZES[1:]))
    per_sample = sum(3 * n_in * n_out for n_in, n_out in pairs) - SIZES[0] * SIZES[1]
    return 2.0 * per_sample * n_samples


def make_data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, SIZES[0]), dtype=DTYPE)
    y = rng.integers(0, SIZES[-1], size=n)
    return X, y


def initial_weights(seed: int = 1) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    weights = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        weights.append((rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in)).astype(DTYPE))
        weights.append(np.zeros(n_out, dtype=DTYPE))
    return weights


def epoch_order(n: int) -> np.ndarray:
    """The order of the samples in the epoch, the same for every variant (it is the one that
    ``minibatches(..., rng=0)`` draws)."""
    return np.random.default_rng(0).permutation(n)


# ------------------------------------------------------------------------------------------
# The library
# ------------------------------------------------------------------------------------------
def library_model(weights: list[np.ndarray]) -> Sequential:
    layers = []
    for i, (n_in, n_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        dense = Dense(n_in, n_out, dtype=DTYPE, rng=0)
        dense.W.data[...] = weights[2 * i]
        dense.b.data[...] = weights[2 * i + 1]
        layers.append(dense)
        if i < len(SIZES) - 2:
            layers.append(ReLU())
    return Sequential(*layers)


def make_optimizer(name: str, params):
    return (SGD if name == "sgd" else Adam)(params, lr=LEARNING_RATES[name])


def natural_epoch(X, y, batch, optimizer_name: str) -> float:
    model = library_model(initial_weights())
    optimizer = make_optimizer(optimizer_name, model.parameters())
    loss_fn = SoftmaxCrossEntropy()
    losses = []
    start = time.perf_counter()
    for xb, yb in minibatches(X, y, batch_size=batch, rng=0):
        optimizer.zero_grad()
        out = model.forward(xb)
        loss = loss_fn.forward(out, yb)
        model.backward(loss_fn.backward())
        optimizer.step()
        losses.append(loss)
    return time.perf_counter() - start


def fit_epoch(X, y, batch, optimizer_name: str) -> float:
    model = library_model(initial_weights())
    optimizer = make_optimizer(optimizer_name, model.parameters())
    start = time.perf_counter()
    fit(model, SoftmaxCrossEntropy(), optimizer, X, y, epochs=1, batch_size=batch,
        progress=False, rng=0)
    return time.perf_counter() - start


# ------------------------------------------------------------------------------------------
# The plain NumPy loop: everything inlined, in place where it helps
# ------------------------------------------------------------------------------------------
def plain_epoch(X, y, batch, optimizer_name: str) -> float:
    W1, b1, W2, b2, W3, b3 = params = initial_weights()
    lr = LEARNING_RATES[optimizer_name]
    adam = optimizer_name == "adam"
    if adam:
        beta1, beta2, eps = 0.9, 0.999, 1e-8
        ms = [np.zeros_like(p) for p in params]
        vs = [np.zeros_like(p) for p in params]
        scratch = [np.empty_like(p) for p in params]
    start = time.perf_counter()
    order = epoch_order(len(X))
    t = 0
    for begin in range(0, len(X), batch):
        idx = order[begin : begin + batch]
        xb, yb = X[idx], y[idx]
        m = len(idx)
        # forward
        a1 = xb @ W1
        a1 += b1
        np.maximum(a1, 0, out=a1)
        a2 = a1 @ W2
        a2 += b2
        np.maximum(a2, 0, out=a2)
        z3 = a2 @ W3
        z3 += b3
        # softmax cross-entropy and its gradient (p - y) / m
        z3 -= z3.max(axis=1, keepdims=True)
        np.exp(z3, out=z3)
        z3 /= z3.sum(axis=1, keepdims=True)
        rows = np.arange(m)
        _loss = -np.log(z3[rows, yb]).mean()
        z3[rows, yb] -= 1
        z3 /= m
        # backward
        dW3 = a2.T @ z3
        db3 = z3.sum(axis=0)
        da2 = z3 @ W3.T
        da2 *= a2 > 0
        dW2 = a1.T @ da2
        db2 = da2.sum(axis=0)
        da1 = da2 @ W2.T
        da1 *= a1 > 0
        dW1 = xb.T @ da1
        db1 = da1.sum(axis=0)
        grads = (dW1, db1, dW2, db2, dW3, db3)
        # update
        if not adam:
            for p, g in zip(params, grads):
                g *= lr
                p -= g
            continue
        t += 1
        step_size = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
        eps_hat = eps * np.sqrt(1 - beta2**t)
        for p, g, mo, v, s in zip(params, grads, ms, vs, scratch):
            mo *= beta1
            np.multiply(g, 1 - beta1, out=s)
            mo += s
            v *= beta2
            np.multiply(g, g, out=s)
            s *= 1 - beta2
            v += s
            np.sqrt(v, out=s)
            s += float(eps_hat)
            np.divide(mo, s, out=s)
            s *= float(step_size)
            p -= s
    return time.perf_counter() - start


# ------------------------------------------------------------------------------------------
# PyTorch, only if it is installed
# ------------------------------------------------------------------------------------------
def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def torch_epoch(X, y, batch, optimizer_name: str) -> float:
    import torch

    weights = initial_weights()
    layers = []
    for i in range(len(SIZES) - 1):
        linear = torch.nn.Linear(SIZES[i], SIZES[i + 1])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(weights[2 * i].T.copy()))
            linear.bias.copy_(torch.from_numpy(weights[2 * i + 1]))
        layers.append(linear)
        if i < len(SIZES) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    optimizer_cls = torch.optim.SGD if optimizer_name == "sgd" else torch.optim.Adam
    optimizer = optimizer_cls(model.parameters(), lr=LEARNING_RATES[optimizer_name])
    loss_fn = torch.nn.CrossEntropyLoss()
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
    start = time.perf_counter()
    order = torch.from_numpy(epoch_order(len(X)))
    for begin in range(0, len(X), batch):
        idx = order[begin : begin + batch]
        optimizer.zero_grad()
        loss = loss_fn(model(X_t[idx]), y_t[idx])
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


EPOCHS = {"natural": natural_epoch, "plain": plain_epoch, "pytorch": torch_epoch, "fit": fit_epoch}


def measure(samples: int, batch: int, repeats: int) -> dict[str, float]:
    """Best seconds per epoch of every variant, keyed "natural sgd", "plain adam", ..."""
    X, y = make_data(samples)
    keys = [f"{impl} {opt}" for opt in LEARNING_RATES for impl in EPOCHS]
    if not torch_available():
        keys = [key for key in keys if not key.startswith("pytorch")]
    best = {key: float("inf") for key in keys}
    for repeat in range(repeats):
        shift = repeat % len(keys)  # rotate the order, so that no variant always comes first
        for key in keys[shift:] + keys[:shift]:
            impl, opt = key.split()
            # OpenBLAS's and PyTorch's worker threads spin for a while after their last task:
            # let them go to sleep, so that they do not take a core from the next variant.
            time.sleep(PAUSE)
            best[key] = min(best[key], EPOCHS[impl](X, y, batch, opt))
    return best


def blas_description() -> str:
    """Which BLAS NumPy's matrix multiply runs (kernel and threads), if threadpoolctl can tell."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "BLAS: unknown (threadpoolctl not installed)"
    for pool in threadpool_info():
        if pool.get("user_api") == "blas":
            return (f"BLAS: {pool.get('internal_api')} {pool.get('version')}, kernel "
                    f"{pool.get('architecture')}, {pool.get('num_threads')} threads")
    return "BLAS: none found"


def report(best: dict[str, float], samples: int, batch: int, runs: str) -> list[str]:
    """The table of one run, and the ratios natural/plain and natural/PyTorch with verdicts."""
    flops = matmul_flops_per_epoch(samples)
    lines = [f"784-512-512-10 ReLU MLP, float32, batch {batch}, one epoch of {samples} samples "
             f"({flops / 1e9:.1f} GFLOP of matrix products), best of {runs}",
             f"{'variant':<16}{'s/epoch':>9}{'GFLOP/s':>9}{'vs plain':>10}{'vs PyTorch':>12}"]
    for key, seconds in best.items():
        impl, opt = key.split()
        torch_seconds = best.get(f"pytorch {opt}")
        vs_torch = f"{seconds / torch_seconds:>11.2f}x" if torch_seconds else f"{'-':>12}"
        lines.append(f"{impl + ' + ' + opt:<16}{seconds:>9.3f}{flops / seconds / 1e9:>9.1f}"
                     f"{seconds / best[f'plain {opt}']:>9.2f}x{vs_torch}")
    if not any(key.startswith("pytorch") for key in best):
        lines.append("(PyTorch is not installed: pip install torch==2.13.0 to compare with it)")
    for opt in LEARNING_RATES:
        for other, target in TARGETS.items():
            if f"{other} {opt}" in best:
                ratio = best[f"natural {opt}"] / best[f"{other} {opt}"]
                verdict = "meets" if ratio <= target else "MISSES"
                lines.append(f"natural/{other} with {opt}: {ratio:.3f}x ({verdict} the "
                             f"{target:.2f}x target)")
    return lines


def run_kernels(kernels: list[str], args) -> None:
    """Run this benchmark once per OpenBLAS kernel, each in its own process, alternating."""
    best: dict[str, dict[str, float]] = {kernel: {} for kernel in kernels}
    blas: dict[str, str] = {}
    for _ in range(args.rounds):
        for kernel in kernels:
            env = dict(os.environ)
            env.pop("OPENBLAS_CORETYPE", None)
            if kernel != "default":
                env["OPENBLAS_CORETYPE"] = kernel
            command = [sys.executable, __file__, "--json", "--samples", str(args.samples),
                       "--batch", str(args.batch), "--repeats", str(args.repeats)]
            result = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            child = json.loads(result.stdout)
            blas[kernel] = child["blas"]
            for key, seconds in child["best"].items():
                best[kernel][key] = min(best[kernel].get(key, float("inf")), seconds)
    for kernel in kernels:
        setting = "unset" if kernel == "default" else kernel
        print(f"\n== OPENBLAS_CORETYPE {setting}: {blas[kernel]}")
        runs = f"{args.repeats} x {args.rounds} rounds"
        print("\n".join(report(best[kernel], args.samples, args.batch, runs)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=5, help="epochs per variant (best kept)")
    parser.add_argument("--kernels", help="e.g. default,Haswell: one process per OpenBLAS kernel")
    parser.add_argument("--rounds", type=int, default=2,
                        help="with --kernels: how many times each kernel's process runs")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.kernels:
        run_kernels(args.kernels.split(","), args)
        return
    best = measure(args.samples, args.batch, args.repeats)
    if args.json:
        print(json.dumps({"blas": blas_description(), "best": best}))
        return
    print(blas_description())
    print("\n".join(report(best, args.samples, args.batch, str(args.repeats))))


if __name__ == "__main__":
    main()
