"""Tests of course.autograd: the slides' example, numerical gradients, deep graphs, drawing."""

from __future__ import annotations

import doctest
import math
import shutil

import matplotlib
import numpy as np
import pytest

import course.autograd as autograd
from course.autograd import Value, draw_graph, topological_order

matplotlib.use("Agg")

STEP = 1e-6  # central-difference step


def numerical_derivative(f, point: list[float], index: int) -> float:
    """Central difference (f(p + h e_i) - f(p - h e_i)) / 2h of a plain-float function."""
    plus = list(point)
    minus = list(point)
    plus[index] += STEP
    minus[index] -= STEP
    return (f(*plus) - f(*minus)) / (2 * STEP)


def slides_example() -> dict[str, Value]:
    """f = x^2 y / z at (3, 4, 2), in the slides' modules v = x^2, u = v y, f = u / z."""
    x, y, z = Value(3.0, "x"), Value(4.0, "y"), Value(2.0, "z")
    v = x**2
    v.label = "v"
    u = v * y
    u.label = "u"
    f = u / z
    f.label = "f"
    return {"x": x, "y": y, "z": z, "v": v, "u": u, "f": f}


# --------------------------------------------------------------------------------------------
# The slides' worked example
# --------------------------------------------------------------------------------------------


def test_slides_example_forward_and_gradients():
    nodes = slides_example()
    assert nodes["v"].data == 9.0
    assert nodes["u"].data == 36.0
    assert nodes["f"].data == 18.0
    nodes["f"].backward()
    assert nodes["x"].grad == pytest.approx(12.0)
    assert nodes["y"].grad == pytest.approx(4.5)
    assert nodes["z"].grad == pytest.approx(-9.0)
    # The intermediate gradients of the slides: df/du = 1/z, df/dv = y/z.
    assert nodes["u"].grad == pytest.approx(0.5)
    assert nodes["v"].grad == pytest.approx(2.0)
    assert nodes["f"].grad == 1.0


def test_module_docstring_example_runs():
    result = doctest.testmod(autograd)
    assert result.attempted > 0
    assert result.failed == 0


def test_grad_is_zero_before_backward_and_data_is_float():
    x = Value(3, "x")
    assert isinstance(x.data, float)
    assert x.grad == 0.0
    y = x * 2
    assert y.grad == 0.0
    assert y._op == "*"
    assert y._prev == (x, y._prev[1])
    assert (x**2)._op == "**2"


# --------------------------------------------------------------------------------------------
# Every operation against a central-difference derivative
# --------------------------------------------------------------------------------------------

# (name, the operation on Values, the same function on floats with `math`, points)
UNARY_CASES = [
    ("neg", lambda x: -x, lambda x: -x, [-1.7, 0.4, 2.2]),
    ("exp", lambda x: x.exp(), math.exp, [-1.7, 0.0, 0.4, 2.2]),
    ("log", lambda x: x.log(), math.log, [0.3, 1.0, 2.2, 7.5]),
    ("tanh", lambda x: x.tanh(), math.tanh, [-1.7, -0.2, 0.0, 0.4, 2.2]),
    ("relu", lambda x: x.relu(), lambda x: max(0.0, x), [-1.7, -0.2, 0.4, 2.2]),
    (
        "sigmoid",
        lambda x: x.sigmoid(),
        lambda x: 1 / (1 + math.exp(-x)),
        [-30.0, -1.7, 0.0, 0.4, 2.2, 30.0],
    ),
    ("x**2", lambda x: x**2, lambda x: x**2, [-1.7, 0.4, 2.2]),
    ("x**3", lambda x: x**3, lambda x: x**3, [-1.7, 0.4, 2.2]),
    ("x**-1", lambda x: x**-1, lambda x: x**-1, [-1.7, 0.4, 2.2]),
    ("x**0.5", lambda x: x**0.5, math.sqrt, [0.4, 2.2]),
    ("x + 2.5", lambda x: x + 2.5, lambda x: x + 2.5, [-1.7, 0.4]),
    ("2.5 + x", lambda x: 2.5 + x, lambda x: 2.5 + x, [-1.7, 0.4]),
    ("x - 2.5", lambda x: x - 2.5, lambda x: x - 2.5, [-1.7, 0.4]),
    ("2 - x", lambda x: 2 - x, lambda x: 2 - x, [-1.7, 0.4]),
    ("x * 2.5", lambda x: x * 2.5, lambda x: x * 2.5, [-1.7, 0.4]),
    ("2.5 * x", lambda x: 2.5 * x, lambda x: 2.5 * x, [-1.7, 0.4]),
    ("x / 2.5", lambda x: x / 2.5, lambda x: x / 2.5, [-1.7, 0.4]),
    ("3 / x", lambda x: 3 / x, lambda x: 3 / x, [-1.7, 0.4, 2.2]),
    ("2 ** x", lambda x: 2**x, lambda x: 2**x, [-1.7, 0.4, 2.2]),
]

BINARY_CASES = [
    ("x + y", lambda x, y: x + y, lambda x, y: x + y),
    ("x - y", lambda x, y: x - y, lambda x, y: x - y),
    ("x * y", lambda x, y: x * y, lambda x, y: x * y),
    ("x / y", lambda x, y: x / y, lambda x, y: x / y),
    ("x ** y", lambda x, y: x**y, lambda x, y: x**y),
]
BINARY_POINTS = [(0.7, -1.3), (2.2, 0.4), (1.5, 3.0)]  # x > 0 for x ** y


@pytest.mark.parametrize(
    ("name", "operation", "reference", "point"),
    [(name, op, ref, p) for name, op, ref, points in UNARY_CASES for p in points],
)
def test_unary_operation_matches_numerical_derivative(name, operation, reference, point):
    x = Value(point, "x")
    out = operation(x)
    assert out.data == pytest.approx(reference(point), rel=1e-12, abs=1e-12)
    out.backward()
    expected = numerical_derivative(reference, [point], 0)
    assert x.grad == pytest.approx(expected, rel=1e-6, abs=1e-8), name


@pytest.mark.parametrize(("name", "operation", "reference"), BINARY_CASES)
@pytest.mark.parametrize("point", BINARY_POINTS)
def test_binary_operation_matches_numerical_derivative(name, operation, reference, point):
    x, y = Value(point[0], "x"), Value(point[1], "y")
    out = operation(x, y)
    assert out.data == pytest.approx(reference(*point), rel=1e-12)
    out.backward()
    assert x.grad == pytest.approx(numerical_derivative(reference, list(point), 0), rel=1e-6)
    assert y.grad == pytest.approx(numerical_derivative(reference, list(point), 1), rel=1e-6)


def test_composite_expression_matches_numerical_derivative():
    def reference(a, b, c):
        return math.log(1 + math.exp(a * b)) * math.tanh(c - a) / (b**2 + 1) - 1 / (1 + c**2)

    for point in ([0.3, -1.2, 0.8], [-1.1, 0.5, 2.0]):
        a, b, c = (Value(p) for p in point)
        out = (1 + (a * b).exp()).log() * (c - a).tanh() / (b**2 + 1) - 1 / (1 + c**2)
        assert out.data == pytest.approx(reference(*point), rel=1e-12)
        out.backward()
        for index, node in enumerate((a, b, c)):
            expected = numerical_derivative(reference, point, index)
            assert node.grad == pytest.approx(expected, rel=1e-6, abs=1e-9)


def test_relu_at_zero_has_gradient_zero():
    x = Value(0.0)
    x.relu().backward()
    assert x.grad == 0.0


# --------------------------------------------------------------------------------------------
# Accumulation, repeated backward, zero_grad
# --------------------------------------------------------------------------------------------


def test_node_used_twice_accumulates():
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0  # d(x^2)/dx = 2x

    x = Value(3.0)
    (x + x).backward()
    assert x.grad == 2.0

    x, y = Value(3.0), Value(-2.0)
    (x * y + x).backward()  # x used by two modules: df/dx = y + 1
    assert x.grad == -1.0
    assert y.grad == 3.0


def test_node_reused_through_several_paths():
    # f = a * b + b * c with b = x^2 shared: df/dx = (a + c) * 2x
    x, a, c = Value(1.5), Value(2.0), Value(-0.5)
    b = x**2
    f = a * b + b * c
    f.backward()
    assert x.grad == pytest.approx((2.0 - 0.5) * 2 * 1.5)


def test_backward_twice_accumulates_leaf_gradients_exactly():
    x, y, z = Value(3.0), Value(4.0), Value(2.0)
    f = (x * y) * z
    f.backward()
    f.backward()
    assert x.grad == 2 * y.data * z.data
    assert y.grad == 2 * x.data * z.data
    assert z.grad == 2 * x.data * y.data


def test_zero_grad_clears_the_whole_graph():
    nodes = slides_example()
    nodes["f"].backward()
    nodes["f"].zero_grad()
    assert all(node.grad == 0.0 for node in nodes.values())
    nodes["f"].backward()
    assert nodes["x"].grad == pytest.approx(12.0)


# --------------------------------------------------------------------------------------------
# Deep graphs: no recursion
# --------------------------------------------------------------------------------------------


def test_chain_of_a_million_multiplications():
    n = 1_000_000
    factor = 1.0000001
    x = Value(1.0, "x")
    c = Value(factor, "c")
    out = x
    for _ in range(n):
        out = out * c
    out.backward()  # a recursive topological sort would raise RecursionError here
    # out = x c^n: d out/dx = c^n, d out/dc = n x c^(n-1)
    assert x.grad == pytest.approx(factor**n, rel=1e-9)
    assert c.grad == pytest.approx(n * factor ** (n - 1), rel=1e-9)
    assert len(topological_order(out)) == n + 2


def test_topological_order_puts_children_first():
    rng = np.random.default_rng(0)
    nodes = [Value(float(v)) for v in rng.standard_normal(5)]
    for _ in range(60):  # a random DAG with shared nodes
        i, j = rng.integers(len(nodes), size=2)
        nodes.append(nodes[i] * nodes[j] if rng.random() < 0.5 else nodes[i] + nodes[j])
    order = topological_order(nodes[-1])
    position = {id(node): k for k, node in enumerate(order)}
    assert len(position) == len(order)  # no node twice
    assert order[-1] is nodes[-1]
    for node in order:
        for child in node._prev:
            assert position[id(child)] < position[id(node)]


# --------------------------------------------------------------------------------------------
# A small MLP of Values
# --------------------------------------------------------------------------------------------


def test_mlp_2_4_1_tanh_matches_numerical_gradients():
    rng = np.random.default_rng(42)
    W1 = rng.standard_normal((4, 2))
    b1 = rng.standard_normal(4)
    w2 = rng.standard_normal(4)
    b2 = float(rng.standard_normal())
    X = rng.standard_normal((5, 2))
    t = rng.standard_normal(5)

    def loss_from_floats(*flat):
        """L = sum_n (tanh(w2 . tanh(W1 x_n + b1) + b2) - t_n)^2 with plain floats and math."""
        W, b, v, c = flat[:8], flat[8:12], flat[12:16], flat[16]
        total = 0.0
        for x_n, t_n in zip(X, t, strict=True):
            h = [math.tanh(W[2 * j] * x_n[0] + W[2 * j + 1] * x_n[1] + b[j]) for j in range(4)]
            o = math.tanh(sum(v[j] * h[j] for j in range(4)) + c)
            total += (o - t_n) ** 2
        return total

    flat = [*W1.ravel(), *b1, *w2, b2]
    params = [Value(p) for p in flat]
    W, b, v, c = params[:8], params[8:12], params[12:16], params[16]
    loss = 0.0
    for x_n, t_n in zip(X.tolist(), t.tolist(), strict=True):
        h = [(W[2 * j] * x_n[0] + W[2 * j + 1] * x_n[1] + b[j]).tanh() for j in range(4)]
        o = (sum(v[j] * h[j] for j in range(4)) + c).tanh()
        loss = loss + (o - t_n) ** 2
    loss.backward()

    assert loss.data == pytest.approx(loss_from_floats(*flat), rel=1e-12)
    for index, param in enumerate(params):
        expected = numerical_derivative(loss_from_floats, flat, index)
        assert param.grad == pytest.approx(expected, rel=1e-5, abs=1e-8)


# --------------------------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------------------------


def test_draw_graph_of_slides_example():
    from matplotlib.figure import Figure

    nodes = slides_example()
    nodes["f"].backward()
    fig = draw_graph(nodes["f"])
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    boxes = [text.get_text() for text in ax.texts if text.get_gid() == "value"]
    ops = [text.get_text() for text in ax.texts if text.get_gid() == "op"]
    assert len(boxes) == 6  # x, y, z, v, u, f
    assert sorted(ops) == sorted(["**2", "*", "/"])
    assert "x | data 3.000 | grad 12.000" in boxes
    assert "y | data 4.000 | grad 4.500" in boxes
    assert "z | data 2.000 | grad -9.000" in boxes
    assert "v | data 9.000 | grad 2.000" in boxes
    assert "u | data 36.000 | grad 0.500" in boxes
    assert "f | data 18.000 | grad 1.000" in boxes
    assert len(ax.patches) == 5 + 3  # arrows: 5 input -> op (x, v, y, u, z), 3 op -> output
    assert fig._suptitle is not None and "f" in fig._suptitle.get_text()

    # Left to right: the inputs left of the operations, the output rightmost.
    x_of = {text.get_text().split(" |")[0]: text.get_position()[0] for text in ax.texts
            if text.get_gid() == "value"}
    assert x_of["x"] < x_of["v"] < x_of["u"] < x_of["f"]
    assert x_of["y"] < x_of["u"] and x_of["z"] < x_of["f"]
    fig.canvas.draw()  # renders without error


def test_draw_graph_custom_title_and_unlabelled_nodes():
    a = Value(2.0)
    out = (a * 3).tanh()
    out.backward()
    fig = draw_graph(out, title="one neuron")
    assert fig._suptitle.get_text() == "one neuron"
    boxes = [text.get_text() for text in fig.axes[0].texts if text.get_gid() == "value"]
    assert len(boxes) == 4  # a, the constant 3, a*3, tanh
    assert f"data {math.tanh(6.0):.3f} | grad 1.000" in boxes


def test_draw_graph_rejects_bad_arguments():
    with pytest.raises(TypeError, match="Value"):
        draw_graph(3.0)
    with pytest.raises(ValueError, match="backend"):
        draw_graph(Value(1.0), backend="tikz")


def test_draw_graph_graphviz_backend():
    out = Value(2.0, "a") * Value(3.0, "b")
    out.backward()
    try:
        import graphviz
    except ImportError:
        graphviz = None
    if graphviz is None or shutil.which("dot") is None:
        with pytest.raises(RuntimeError, match="graphviz"):
            draw_graph(out, backend="graphviz")
    else:
        dot = draw_graph(out, backend="graphviz")
        assert isinstance(dot, graphviz.Digraph)
        assert "a | data 2.000 | grad 3.000" in dot.source


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0.0, -1.0])
def test_log_of_non_positive_number_raises(bad):
    with pytest.raises(ValueError, match=r"log.*positive"):
        Value(bad).log()


def test_division_by_zero_raises():
    with pytest.raises(ZeroDivisionError, match="'/'"):
        Value(3.0) / Value(0.0)
    with pytest.raises(ZeroDivisionError, match="'/'"):
        Value(3.0) / 0
    with pytest.raises(ZeroDivisionError, match="'/'"):
        3 / Value(0.0)
    with pytest.raises(ZeroDivisionError, match="negative power"):
        Value(0.0) ** -1


def test_other_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="negative base"):
        Value(-8.0) ** 0.5
    with pytest.raises(ValueError, match="positive base"):
        Value(-2.0) ** Value(2.0)
    with pytest.raises(TypeError, match="exponent"):
        Value(2.0) ** [2]
    with pytest.raises(TypeError, match="got str"):
        Value(2.0) + "1"
    with pytest.raises(TypeError, match="got str"):
        "1" - Value(2.0)
    with pytest.raises(TypeError, match="real number"):
        Value("three")
    with pytest.raises(OverflowError, match="exp"):
        Value(1000.0).exp()


def test_square_root_at_zero_has_an_infinite_local_derivative():
    x = Value(0.0, "x")
    y = x**0.5
    assert y.data == 0.0 and y._local_grads == (math.inf,)
    y.backward()
    assert x.grad == math.inf
    z = Value(0.0) ** 0  # x^0 = 1 everywhere: derivative 0, not inf
    assert z._local_grads == (0.0,)
