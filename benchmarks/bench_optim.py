"""How fast is one optimizer step of course.optim compared with a hand-written NumPy loop?

Times one Adam step (and one SGD step) over float32 arrays, for a single 784x512 weight matrix
and for all the parameters of a 784-512-512-10 MLP, three ways:

* ``course``: ``course.optim.Adam(...).step()``;
* ``hand, in place``: the fastest straightforward NumPy loop, with ``out=`` and one scratch
  buffer per parameter (what the library must stay within 1.15x of);
* ``hand, temporaries``: the same formulas written naively, one new array per term.

Prints the median time per step and the ratio course / hand-in-place. Run:

    .venv/bin/python benchmarks/bench_optim.py
"""

from __future__ import annotations

import math
import timeit

import numpy as np

from course.optim import SGD, Adam
from course.parameter import Parameter

LR, BETA1, BETA2, EPS = 1e-3, 0.9, 0.999, 1e-8
SHAPES = {
    "784x512": [(784, 512)],
    "MLP 784-512-512-10": [(784, 512), (512,), (512, 512), (512,), (512, 10), (10,)],
}


def make_params(shapes, seed=0):
    rng = np.random.default_rng(seed)
    params = []
    for shape in shapes:
        p = Parameter(rng.standard_normal(shape, dtype=np.float32))
        p.grad[...] = rng.standard_normal(shape, dtype=np.float32)
        params.append(p)
    return params


def hand_adam_in_place(params):
    states = [(np.zeros_like(p.data), np.zeros_like(p.data), np.empty_like(p.data)) for p in params]
    t = 0

    def step():
        nonlocal t
        t += 1
        c1, c2 = 1.0 - BETA1**t, 1.0 - BETA2**t
        for p, (m, v, buf) in zip(params, states, strict=True):
            g = p.grad
            np.multiply(m, BETA1, out=m)
            np.multiply(g, 1.0 - BETA1, out=buf)
            np.add(m, buf, out=m)
            np.multiply(v, BETA2, out=v)
            np.multiply(g, g, out=buf)
            np.multiply(buf, 1.0 - BETA2, out=buf)
            np.add(v, buf, out=v)
            np.sqrt(v, out=buf)
            np.multiply(buf, 1.0 / math.sqrt(c2), out=buf)
            np.add(buf, EPS, out=buf)
            np.divide(m, buf, out=buf)
            np.multiply(buf, LR / c1, out=buf)
            np.subtract(p.data, buf, out=p.data)

    return step


def hand_adam_temporaries(params):
    states = [[np.zeros_like(p.data), np.zeros_like(p.data)] for p in params]
    t = 0

    def step():
        nonlocal t
        t += 1
        for p, state in zip(params, states, strict=True):
            g = p.grad
            state[0] = BETA1 * state[0] + (1 - BETA1) * g
            state[1] = BETA2 * state[1] + (1 - BETA2) * g**2
            m_hat = state[0] / (1 - BETA1**t)
            v_hat = state[1] / (1 - BETA2**t)
            p.data -= LR * m_hat / (np.sqrt(v_hat) + EPS)

    return step


def hand_sgd_in_place(params):
    buffers = [np.empty_like(p.data) for p in params]

    def step():
        for p, buf in zip(params, buffers, strict=True):
            np.multiply(p.grad, LR, out=buf)
            np.subtract(p.data, buf, out=p.data)

    return step


def median_seconds(step, number, repeat=15):
    step()  # warm up (and create lazy state)
    return float(np.median(timeit.repeat(step, number=number, repeat=repeat))) / number


def main() -> None:
    for label, shapes in SHAPES.items():
        candidates = {
            "Adam  course": Adam(make_params(shapes), lr=LR).step,
            "Adam  hand, in place": hand_adam_in_place(make_params(shapes)),
            "Adam  hand, temporaries": hand_adam_temporaries(make_params(shapes)),
            "SGD   course": SGD(make_params(shapes), lr=LR).step,
            "SGD   hand, in place": hand_sgd_in_place(make_params(shapes)),
        }
        # Interleave the candidates over several rounds and keep each one's best median, so that
        # load from other processes on the machine hits all of them alike.
        best = dict.fromkeys(candidates, math.inf)
        for _ in range(3):
            for name, step in candidates.items():
                best[name] = min(best[name], median_seconds(step, number=20))
        print(f"\n{label} (float32)")
        for name, seconds in best.items():
            print(f"  {name:<26} {seconds * 1e3:8.3f} ms/step")
        for opt in ("Adam", "SGD"):
            ratio = best[f"{opt:<5} course"] / best[f"{opt:<5} hand, in place"]
            print(f"  {opt}: course / hand in place = {ratio:.3f}")


if __name__ == "__main__":
    main()
