"""Time the scalar engine `course.autograd.Value` against micrograd's `Value` on the same work.

One iteration = forward + backward + zeroing the parameter gradients of a 2-16-16-1 MLP (ReLU
hidden units, linear output) built from scalar Values, with the summed squared error over 100
two-moons points as the loss. Both engines get the same MLP code, the same weights and the same
data; the script prints the median time per iteration of each engine and their ratio.

Run from the repository root:  python benchmarks/bench_value.py
"""

from __future__ import annotations

import gc
import statistics
import time

import numpy as np

from course.autograd import Value, topological_order

try:
    from micrograd.engine import Value as MicrogradValue
except ImportError:  # the comparison is optional
    MicrogradValue = None

LAYER_SIZES = (2, 16, 16, 1)
N_SAMPLES = 100
N_ITERATIONS = 7
SEED = 0


def make_moons(n_samples: int, noise: float, rng: np.random.Generator):
    """Two interleaving half circles in 2-D with Gaussian noise; targets -1 and +1."""
    n_upper = n_samples // 2
    angle_upper = np.linspace(0.0, np.pi, n_upper)
    angle_lower = np.linspace(0.0, np.pi, n_samples - n_upper)
    upper = np.column_stack([np.cos(angle_upper), np.sin(angle_upper)])
    lower = np.column_stack([1.0 - np.cos(angle_lower), 0.5 - np.sin(angle_lower)])
    X = np.vstack([upper, lower]) + noise * rng.standard_normal((n_samples, 2))
    y = np.concatenate([-np.ones(n_upper), np.ones(n_samples - n_upper)])
    return X, y


def make_weights(rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W, b) per layer, W of shape (n_out, n_in), He-scaled normal weights, zero biases."""
    weights = []
    for n_in, n_out in zip(LAYER_SIZES[:-1], LAYER_SIZES[1:], strict=True):
        W = rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in)
        weights.append((W, np.zeros(n_out)))
    return weights


def build_mlp(value_class, weights):
    """The MLP's parameters as nodes of `value_class`: one list of (row of w, b) per layer."""
    layers = []
    for W, b in weights:
        neurons = [
            ([value_class(float(w)) for w in W[j]], value_class(float(b[j])))
            for j in range(W.shape[0])
        ]
        layers.append(neurons)
    return layers


def parameters(layers) -> list:
    return [p for layer in layers for w, b in layer for p in (*w, b)]


def forward(layers, x: list[float]):
    """h_j = relu(b_j + sum_i w_ji h_i) for the hidden layers; linear output layer."""
    h = x
    for index, layer in enumerate(layers):
        is_output_layer = index == len(layers) - 1
        outputs = []
        for w, b in layer:
            activation = b
            for w_i, h_i in zip(w, h, strict=True):
                activation = activation + w_i * h_i
            outputs.append(activation if is_output_layer else activation.relu())
        h = outputs
    return h[0]


def loss_of(layers, X: list[list[float]], y: list[float]):
    """Summed squared error  L = sum_n (o_n - y_n)^2."""
    loss = 0.0
    for x_n, y_n in zip(X, y, strict=True):
        loss = loss + (forward(layers, x_n) - y_n) ** 2
    return loss


def one_iteration(layers, params, X, y):
    loss = loss_of(layers, X, y)
    loss.backward()
    for p in params:
        p.grad = 0.0
    return loss


def count_nodes(root) -> int:
    """Number of distinct nodes in a graph (works for both engines: follows `_prev`)."""
    seen = {id(root)}
    stack = [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


def median_ms(layers, params, X, y, collector_on: bool = True) -> float:
    """Median time in ms of N_ITERATIONS iterations (after one warm-up).

    With ``collector_on`` (the normal setting) Python's cycle collector runs as usual and its
    work is part of the time. Without, it is paused inside the timed iterations and run between
    them, untimed: what remains is the cost of building and walking the graph alone.
    """
    gc.collect()  # start from a clean heap: no garbage left by the other engine
    try:
        one_iteration(layers, params, X, y)
        times = []
        for _ in range(N_ITERATIONS):
            if not collector_on:
                gc.collect()
                gc.disable()
            start = time.perf_counter()
            one_iteration(layers, params, X, y)
            times.append(time.perf_counter() - start)
            gc.enable()
    finally:
        gc.enable()
        gc.collect()
    return 1000 * statistics.median(times)


def main() -> None:
    rng = np.random.default_rng(SEED)
    X_array, y_array = make_moons(N_SAMPLES, noise=0.1, rng=rng)
    X, y = X_array.tolist(), y_array.tolist()
    weights = make_weights(rng)

    engines = {"course.autograd": Value}
    if MicrogradValue is not None:
        engines["micrograd"] = MicrogradValue
    models = {}
    for name, value_class in engines.items():
        layers = build_mlp(value_class, weights)
        models[name] = (layers, parameters(layers))

    # Check that both engines do the same work: same loss, same parameter gradients.
    ours_layers, ours_params = models["course.autograd"]
    ours_loss = loss_of(ours_layers, X, y)
    ours_loss.backward()
    ours_grads = np.array([p.grad for p in ours_params])
    print(f"MLP {'-'.join(map(str, LAYER_SIZES))}, ReLU hidden, linear output, "
          f"{N_SAMPLES} samples, {len(ours_params)} parameters")
    print(f"nodes per iteration: course.autograd {len(topological_order(ours_loss))}", end="")
    if MicrogradValue is not None:
        mg_layers, mg_params = models["micrograd"]
        mg_loss = loss_of(mg_layers, X, y)
        mg_loss.backward()
        mg_grads = np.array([p.grad for p in mg_params], dtype=float)
        print(f", micrograd {count_nodes(mg_loss)}")
        print(f"same loss: {ours_loss.data:.6f} vs {mg_loss.data:.6f}; "
              f"largest gradient difference: {np.max(np.abs(ours_grads - mg_grads)):.2e}")
        del mg_loss
    else:
        print()
    del ours_loss
    for _, params in models.values():
        for p in params:
            p.grad = 0.0

    # Each engine is timed in its own block on a freshly collected heap, so that neither pays
    # for the other's garbage; its own garbage (micrograd's graphs are reference cycles, freed
    # only by the cycle collector) is part of its cost.
    for collector_on in (True, False):
        heading = "normal run" if collector_on else "cycle collector paused (gc.disable())"
        print(f"forward + backward + zero grad, median of {N_ITERATIONS} iterations, {heading}:")
        ms = {
            name: median_ms(layers, params, X, y, collector_on)
            for name, (layers, params) in models.items()
        }
        for name, value in ms.items():
            print(f"  {name:16s} {value:8.1f} ms per iteration")
        if MicrogradValue is not None:
            ratio = ms["micrograd"] / ms["course.autograd"]
            print(f"  speed-up (micrograd / course.autograd): {ratio:.2f}x")
    if MicrogradValue is None:
        print("micrograd is not importable (pip install micrograd): our figures only.")


if __name__ == "__main__":
    main()
