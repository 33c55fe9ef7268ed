"""Benchmark: the library's training loop against the fastest plain NumPy loop.

Trains a 784-512-512-10 ReLU MLP in float32, batch 128, for one epoch over 20,000 random
samples, four ways in the same run:

* library + SGD:  Sequential + SoftmaxCrossEntropy + SGD through ``course.train.fit``
* plain   + SGD:  the same network written as one hand-tuned NumPy loop
* library + Adam, plain + Adam: the same with Adam (in-place updates in both)
* PyTorch (SGD and Adam) on the CPU, if torch happens to be installed (not a dependency)

and prints seconds per epoch, GFLOP/s (matrix-multiply work only) and the ratio library/plain.
Target: the library within 1.15x of the plain loop.

Each measurement is the best of ``--repeats`` epochs (the machines are shared and noisy; the best
run is the least disturbed one), with the runs of the different variants interleaved.

Run: ``python benchmarks/bench_mlp.py``. On machines that set OPENBLAS_CORETYPE, NumPy's matrix
multiply runs an older kernel; to see the machine's real peak, unset it for this command only:
``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_mlp.py``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from course.activations import ReLU
from course.layers import Dense
from course.losses import SoftmaxCrossEntropy
from course.network import Sequential
from course.optim import SGD, Adam
from course.train import fit

SIZES = (784, 512, 512, 10)
DTYPE = np.float32


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


def library_epoch(X, y, batch, optimizer_name: str, lr: float) -> float:
    model = library_model(initial_weights())
    optimizer_cls = SGD if optimizer_name == "sgd" else Adam
    optimizer = optimizer_cls(model.parameters(), lr=lr)
    start = time.perf_counter()
    fit(model, SoftmaxCrossEntropy(), optimizer, X, y, epochs=1, batch_size=batch,
        progress=False, rng=0)
    return time.perf_counter() - start


# ------------------------------------------------------------------------------------------
# The plain NumPy loop: everything inlined, in place where it helps
# ------------------------------------------------------------------------------------------
def plain_epoch(X, y, batch, optimizer_name: str, lr: float) -> float:
    W1, b1, W2, b2, W3, b3 = params = initial_weights()
    adam = optimizer_name == "adam"
    if adam:
        beta1, beta2, eps = 0.9, 0.999, 1e-8
        ms = [np.zeros_like(p) for p in params]
        vs = [np.zeros_like(p) for p in params]
        scratch = [np.empty_like(p) for p in params]
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    order = rng.permutation(len(X))
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
def torch_epoch(X, y, batch, optimizer_name: str, lr: float) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)
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
    optimizer = optimizer_cls(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
    order = torch.from_numpy(np.random.default_rng(0).permutation(len(X)))
    start = time.perf_counter()
    for begin in range(0, len(X), batch):
        idx = order[begin : begin + batch]
        optimizer.zero_grad()
        loss = loss_fn(model(X_t[idx]), y_t[idx])
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=5, help="epochs per variant (best kept)")
    args = parser.parse_args()

    X, y = make_data(args.samples)
    flops = matmul_flops_per_epoch(args.samples)
    variants = {
        ("library", "sgd"): library_epoch,
        ("plain", "sgd"): plain_epoch,
        ("library", "adam"): library_epoch,
        ("plain", "adam"): plain_epoch,
        ("pytorch", "sgd"): torch_epoch,
        ("pytorch", "adam"): torch_epoch,
    }
    lrs = {"sgd": 0.01, "adam": 0.001}
    best: dict[tuple[str, str], float] = {}
    for _ in range(args.repeats):  # interleave the variants so that noise hits them alike
        for key, run in variants.items():
            seconds = run(X, y, args.batch, key[1], lrs[key[1]])
            if seconds is not None:
                best[key] = min(best.get(key, np.inf), seconds)

    print(blas_description())
    print(f"784-512-512-10 ReLU MLP, float32, batch {args.batch}, one epoch of {args.samples} "
          f"samples ({flops / 1e9:.1f} GFLOP of matrix products), best of {args.repeats}")
    print(f"{'variant':<16}{'s/epoch':>10}{'GFLOP/s':>10}{'vs plain':>10}")
    for (impl, opt), seconds in best.items():
        ratio = seconds / best[("plain", opt)]
        print(f"{impl + ' + ' + opt:<16}{seconds:>10.3f}{flops / seconds / 1e9:>10.1f}"
              f"{ratio:>9.2f}x")
    if ("pytorch", "sgd") not in best:
        print("(PyTorch is not installed: pip install torch==2.13.0 to compare with it)")
    for opt in ("sgd", "adam"):
        ratio = best[("library", opt)] / best[("plain", opt)]
        verdict = "meets" if ratio <= 1.15 else "MISSES"
        print(f"library/plain with {opt}: {ratio:.3f}x ({verdict} the 1.15x target)")


if __name__ == "__main__":
    main()
