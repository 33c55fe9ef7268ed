r"""A scalar automatic-differentiation engine: computation graphs and backpropagation.

Computation graph
-----------------
Computing a cost is a sequence of small operations. Write each operation as a *module* (a node of
a graph): it takes its inputs, e.g. ``x`` and ``y``, and returns its output ``z = f(x, y)``.
Chaining the modules gives a computation graph whose last node is the cost ``L``.

Chain rule for one module
-------------------------
Backpropagation needs only two things from a module: its output ``z_0`` at the inputs
``(x_0, y_0)`` (kept from the forward pass) and the gradient of the loss with respect to that
output, ``dL/dz``, which arrives from the modules after it. The module then hands each input its
gradient with the chain rule::

    z = f(x, y),  L = L(z)   ==>   dL/dx = dL/dz * dz/dx,   dL/dy = dL/dz * dz/dy

``dz/dx`` and ``dz/dy`` are the module's *local* derivatives: they depend only on the module
itself (for ``z = x * y``: ``dz/dx = y`` and ``dz/dy = x``). So an engine needs, per operation,
one local rule; backpropagation visits the nodes from the output back to the inputs (a reverse
topological order, so each node's ``dL/dz`` is complete before it is used) and applies the rule.
A node used by several modules receives one contribution from each, and the contributions add up
(``+=``), exactly as the multivariable chain rule says.

In :class:`Value` every operation creates its output node and, right there, writes down its
*local* derivatives: one number per input, ``dz/dx`` for each input ``x``. For ``z = x * y``::

    out = Value(x.data * y.data, _prev=(x, y), _local_grads=(y.data, x.data))
    #                                          dz/dx = y, dz/dy = x

:meth:`Value.backward` then applies the chain rule for one module, the same line for every
node::

    child.grad += local_grad * node.grad          # dL/dx += dz/dx * dL/dz

(micrograd stores a closure ``_backward`` per node instead. Storing the local derivatives as
plain numbers says the same thing, keeps the chain rule in one place, and is several times faster
in ``benchmarks/bench_value.py``: a closure per node makes ~5 extra objects that Python's garbage
collector keeps walking while a large graph is built.)

Example (the slides' example)
-----------------------------
``f(x, y, z) = x^2 y / z`` at ``(x, y, z) = (3, 4, 2)``, split into modules ``v = x^2``,
``u = v y``, ``f = u / z``:

>>> x, y, z = Value(3.0, "x"), Value(4.0, "y"), Value(2.0, "z")
>>> v = x**2
>>> u = v * y
>>> f = u / z
>>> v.data, u.data, f.data
(9.0, 36.0, 18.0)
>>> f.backward()
>>> x.grad, y.grad, z.grad
(12.0, 4.5, -9.0)

which matches the analytic gradients ``df/dx = 2xy/z = 12``, ``df/dy = v/z = 4.5`` and
``df/dz = -u/z^2 = -9``. :func:`draw_graph` draws this graph with every node's data and grad.

Gradients of leaves (inputs and weights) accumulate over calls of ``backward`` (add, as in
micrograd and PyTorch); call :meth:`Value.zero_grad` (or zero your parameters) between steps.
"""

from __future__ import annotations

import math
import shutil
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported lazily at run time: matplotlib is slow to import
    from matplotlib.figure import Figure

__all__ = ["Value", "topological_order", "draw_graph"]

Number = int | float


class Value:
    """A scalar node of a computation graph: its value ``data`` and ``grad = dL/d(data)``.

    Args:
        data: the number this node holds (stored as a float).
        label: an optional name shown by :func:`draw_graph` (e.g. ``"x"``, ``"w1"``).

    Attributes:
        data: the value computed in the forward pass (float).
        grad: ``dL/d(data)``, filled in by ``L.backward()``; 0.0 before. A leaf adds up the
            gradients of successive ``backward`` calls until :meth:`zero_grad`.
        label: the name given by the user ("" for intermediate results unless set).
        _prev: the children, i.e. the input nodes this node was computed from (empty for a leaf).
        _local_grads: the local derivatives ``dz/dx``, one per child, in the same order.
        _op: the operation that produced this node ("+", "*", "/", "**2", "exp", ...; "" for a
            leaf), used for drawing.

    Operations take a ``Value`` or a Python number on either side (``2 - x``, ``3 / x``);
    a number is wrapped in a constant leaf ``Value``.
    """

    # __slots__ stores the six attributes in a fixed array instead of a per-node dict:
    # smaller nodes and faster attribute access (a graph easily has 10^5 nodes).
    __slots__ = ("data", "grad", "label", "_prev", "_local_grads", "_op")

    def __init__(
        self,
        data: float,
        label: str = "",
        _prev: tuple[Value, ...] = (),
        _local_grads: tuple[float, ...] = (),
        _op: str = "",
    ) -> None:
        try:
            self.data = float(data)
        except (TypeError, ValueError):
            raise TypeError(
                f"Value expects a real number as data, got {data!r} of type "
                f"{type(data).__name__}; pass an int or a float."
            ) from None
        self.grad = 0.0
        self.label = label
        self._prev = _prev
        self._local_grads = _local_grads
        self._op = _op

    def __repr__(self) -> str:
        label = f"{self.label!r}, " if self.label else ""
        return f"Value({label}data={self.data:.6g}, grad={self.grad:.6g})"

    # ----------------------------------------------------------------------------------------
    # Binary operations: z = out, x = self, y = other. Each lists (dz/dx, dz/dy).
    # ----------------------------------------------------------------------------------------

    def __add__(self, other: Value | Number) -> Value:
        """z = x + y.  Local derivatives: dz/dx = 1, dz/dy = 1."""
        if not isinstance(other, Value):
            other = _constant(other, "+")
        return Value(self.data + other.data, "", (self, other), (1.0, 1.0), "+")

    def __sub__(self, other: Value | Number) -> Value:
        """z = x - y.  Local derivatives: dz/dx = 1, dz/dy = -1."""
        if not isinstance(other, Value):
            other = _constant(other, "-")
        return Value(self.data - other.data, "", (self, other), (1.0, -1.0), "-")

    def __mul__(self, other: Value | Number) -> Value:
        """z = x * y.  Local derivatives: dz/dx = y, dz/dy = x."""
        if not isinstance(other, Value):
            other = _constant(other, "*")
        return Value(self.data * other.data, "", (self, other), (other.data, self.data), "*")

    def __truediv__(self, other: Value | Number) -> Value:
        """z = x / y.  Local derivatives: dz/dx = 1 / y, dz/dy = -x / y^2."""
        if not isinstance(other, Value):
            other = _constant(other, "/")
        x, y = self.data, other.data
        if y == 0.0:
            raise ZeroDivisionError(
                f"division by zero in Value '/': {x!r} / {y!r}; "
                "the denominator must be non-zero."
            )
        return Value(x / y, "", (self, other), (1.0 / y, -x / y**2), "/")

    def __pow__(self, exponent: Value | Number) -> Value:
        """z = x^n for a constant number n.  Local derivative: dz/dx = n x^(n-1).

        With a ``Value`` exponent ``y`` (``z = x^y``, needs ``x > 0``): dz/dx = y x^(y-1) and
        dz/dy = x^y ln(x).

        At ``x = 0`` with ``0 < n < 1`` (e.g. ``x**0.5``) the derivative is infinite: the local
        derivative is ``inf``, and gradients through it become inf or nan.
        """
        if isinstance(exponent, Value):
            return self._pow_value(exponent)
        if not isinstance(exponent, (int, float)):
            raise TypeError(
                f"Value ** expects an int, a float or a Value as exponent, got "
                f"{type(exponent).__name__}."
            )
        x, n = self.data, exponent
        if x == 0.0 and n < 0:
            raise ZeroDivisionError(f"Value '**{n}': 0.0 cannot be raised to a negative power.")
        if x < 0.0 and not float(n).is_integer():
            raise ValueError(
                f"Value '**{n}': a negative base {x!r} with a non-integer "
                "exponent has no real result."
            )
        if x == 0.0 and n < 1:
            local = 0.0 if n == 0 else math.inf  # d/dx x^0 = 0; d/dx x^n is infinite at 0
        else:
            local = n * x ** (n - 1)
        return Value(x**n, "", (self,), (local,), f"**{n}")

    def _pow_value(self, other: Value) -> Value:
        """z = x^y with both x and y nodes (x > 0): dz/dx = y x^(y-1), dz/dy = x^y ln(x)."""
        x, y = self.data, other.data
        if x <= 0.0:
            raise ValueError(
                f"Value '**' with a Value exponent needs a positive base, got {x!r}; "
                "use a constant number exponent for other bases."
            )
        z = x**y
        return Value(z, "", (self, other), (y * x ** (y - 1.0), z * math.log(x)), "**")

    # Numbers on the left: 2 + x, 2 - x, 2 * x, 2 / x, 2 ** x.
    def __radd__(self, other: Number) -> Value:
        """other + x, e.g. ``2 + x`` or ``sum(values)`` (which starts from 0)."""
        return self + other

    def __rsub__(self, other: Number) -> Value:
        """other - x, e.g. ``2 - x``: computed as Value(other) - x."""
        return _constant(other, "-") - self

    def __rmul__(self, other: Number) -> Value:
        """other * x, e.g. ``2 * x``."""
        return self * other

    def __rtruediv__(self, other: Number) -> Value:
        """other / x, e.g. ``3 / x``: computed as Value(other) / x."""
        return _constant(other, "/") / self

    def __rpow__(self, other: Number) -> Value:
        """other ** x, e.g. ``2 ** x``: computed as Value(other) ** x (other > 0)."""
        return _constant(other, "**") ** self

    # ----------------------------------------------------------------------------------------
    # Unary operations: z = out, x = self. Each lists (dz/dx,).
    # ----------------------------------------------------------------------------------------

    def __neg__(self) -> Value:
        """z = -x.  Local derivative: dz/dx = -1."""
        return Value(-self.data, "", (self,), (-1.0,), "neg")

    def exp(self) -> Value:
        """z = e^x.  Local derivative: dz/dx = e^x = z."""
        try:
            z = math.exp(self.data)
        except OverflowError:
            raise OverflowError(
                f"Value 'exp': exp({self.data!r}) is too large for a float."
            ) from None
        return Value(z, "", (self,), (z,), "exp")

    def log(self) -> Value:
        """z = ln(x) for x > 0.  Local derivative: dz/dx = 1 / x."""
        x = self.data
        if x <= 0.0:
            raise ValueError(
                f"Value 'log': log is defined only for positive numbers, got log({x!r})."
            )
        return Value(math.log(x), "", (self,), (1.0 / x,), "log")

    def tanh(self) -> Value:
        """z = tanh(x).  Local derivative: dz/dx = 1 - tanh(x)^2 = 1 - z^2."""
        z = math.tanh(self.data)
        return Value(z, "", (self,), (1.0 - z**2,), "tanh")

    def relu(self) -> Value:
        """z = max(0, x).  Local derivative: dz/dx = 1 if x > 0 else 0."""
        if self.data > 0.0:
            return Value(self.data, "", (self,), (1.0,), "relu")
        return Value(0.0, "", (self,), (0.0,), "relu")

    def sigmoid(self) -> Value:
        """z = sigma(x) = 1 / (1 + e^(-x)).  Local derivative: dz/dx = sigma(x) (1 - sigma(x)).

        Computed as e^x / (1 + e^x) for x < 0 so that e^(-x) cannot overflow.
        """
        x = self.data
        if x >= 0.0:
            z = 1.0 / (1.0 + math.exp(-x))
        else:
            exp_x = math.exp(x)
            z = exp_x / (1.0 + exp_x)
        return Value(z, "", (self,), (z * (1.0 - z),), "sigmoid")

    # ----------------------------------------------------------------------------------------
    # Backpropagation
    # ----------------------------------------------------------------------------------------

    def backward(self) -> None:
        """Compute ``dL/dv`` for every node ``v`` of this node's graph, with ``L`` = this node.

        1. Order the graph topologically (every node after its children).
        2. Seed ``dL/dL = 1``.
        3. Walk the order in reverse and apply the chain rule for one module at each node:
           ``child.grad += dz/dx * node.grad`` for each child. When a node is reached, all the
           nodes that use it have already added their share to its ``grad``.

        Leaves (inputs and weights) *accumulate*: their ``grad`` grows by this call's gradient.
        The intermediate nodes are reset to 0 first, so each call propagates only its own
        gradient (after two calls a leaf holds exactly twice the gradient of one).
        """
        order = topological_order(self)
        for node in order:
            if node._prev:  # an intermediate node: start its gradient from zero
                node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            for child, local_grad in zip(node._prev, node._local_grads):
                child.grad += local_grad * node.grad  # dL/dx += dz/dx * dL/dz

    def zero_grad(self) -> None:
        """Set ``grad = 0.0`` on every node of this node's graph (including the leaves)."""
        for node in topological_order(self):
            node.grad = 0.0


def _constant(number: Any, op: str) -> Value:
    """Wrap a Python number used in operation ``op`` into a constant leaf Value."""
    if isinstance(number, (int, float)):
        return Value(number)
    raise TypeError(
        f"Value '{op}' expects a Value or a Python number (int or float) as the other operand, "
        f"got {type(number).__name__}."
    )


def topological_order(root: Value) -> list[Value]:
    """All nodes of ``root``'s graph, each after its children (``root`` last).

    A depth-first search written with an explicit stack instead of recursion, so a graph a
    million nodes deep works (Python's recursion limit is about a thousand frames). The stack
    holds ``(node, children_done)`` pairs: a node is first expanded (its unvisited children are
    pushed above it) and emitted when popped the second time, after all its children.

    ``visited`` holds the nodes themselves: Value defines no ``__eq__``, so a node hashes by its
    identity (like ``id(node)``, without the extra function call per node).
    """
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        for child in node._prev:
            if child not in visited:
                stack.append((child, False))
    return order


# --------------------------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------------------------


def _node_text(node: Value) -> str:
    """The text of a node's box: "x | data 3.000 | grad 12.000" (label part omitted if empty)."""
    text = f"data {node.data:.3f} | grad {node.grad:.3f}"
    return f"{node.label} | {text}" if node.label else text


def _columns(order: list[Value]) -> dict[Value, int]:
    """The column of each node in the drawing (0 = leftmost).

    An operation's result sits one column right of its rightmost input (``1 +`` the largest
    column of its children); a leaf (an input, a weight, a constant) sits just left of the first
    operation that uses it, so that ``z`` in ``u / z`` is drawn next to the ``/``.
    """
    column: dict[Value, int] = {}
    for node in order:  # children come before parents in a topological order
        column[node] = 1 + max((column[child] for child in node._prev), default=-1)
    users = _users(order)
    for node in order:
        if not node._prev and users[node]:
            column[node] = min(column[user] for user in users[node]) - 1
    return column


def _users(order: list[Value]) -> dict[Value, list[Value]]:
    """The parents of each node: the nodes computed from it (each listed once)."""
    users: dict[Value, list[Value]] = {node: [] for node in order}
    for node in order:
        for child in dict.fromkeys(node._prev):  # x * x uses x once
            users[child].append(node)
    return users


def draw_graph(
    value: Value,
    title: str | None = None,
    backend: str = "matplotlib",
    fontsize: float = 9.0,
) -> Any:
    """Draw the computation graph that produced ``value``, left to right.

    One box per node shows its label, data and grad ("x | data 3.000 | grad 12.000"); a circle
    between a node's inputs and the node shows the operation; arrows go from inputs to outputs.
    Column ``d`` holds the nodes of depth ``d`` (leaves on the left, ``value`` on the right).

    Args:
        value: the output node whose graph to draw (usually after ``value.backward()``).
        title: the figure title (default: "Computation graph of <label>").
        backend: "matplotlib" (default, always available) returns a ``matplotlib.figure.Figure``;
            "graphviz" returns a ``graphviz.Digraph`` and needs the ``graphviz`` Python package
            and Graphviz's ``dot`` program.
        fontsize: font size of the box and operation texts, in points.

    Returns:
        A matplotlib Figure (shown as the cell result in a notebook; ``fig.savefig(path)`` in a
        script), or a graphviz Digraph with ``backend="graphviz"``.
    """
    if not isinstance(value, Value):
        raise TypeError(f"draw_graph expects a Value, got {type(value).__name__}.")
    if title is None:
        title = f"Computation graph of {value.label or 'the output'}"
    if backend == "matplotlib":
        return _draw_matplotlib(value, title, fontsize)
    if backend == "graphviz":
        return _draw_graphviz(value, title)
    raise ValueError(f"draw_graph: backend must be 'matplotlib' or 'graphviz', got {backend!r}.")


def _draw_matplotlib(value: Value, title: str, fontsize: float) -> Figure:
    """The matplotlib drawing of :func:`draw_graph`, laid out in inches (1 data unit = 1 inch)."""
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch

    order = topological_order(value)
    column = _columns(order)
    users = _users(order)
    n_columns = max(column.values()) + 1
    columns: list[list[Value]] = [[] for _ in range(n_columns)]
    for node in order:
        columns[column[node]].append(node)

    # Sizes in inches. A monospace character is about 0.6 em wide; box padding is in em.
    em = fontsize / 72
    half_width = {node: len(_node_text(node)) * 0.6 * em / 2 + 0.3 * em for node in order}
    radius = {node: max(len(node._op) * 0.6, 1.2) * em / 2 + 0.3 * em for node in order}
    column_width = [max(2 * half_width[node] for node in nodes) for nodes in columns]
    op_gap = 2 * max(radius.values()) + 0.8  # room between columns for a circle and two arrows
    row_height = 0.55
    margin = 0.3
    column_left = [margin + sum(column_width[:c]) + c * op_gap for c in range(n_columns)]
    width = column_left[-1] + column_width[-1] + margin
    height = max(len(nodes) for nodes in columns) * row_height + 0.9

    # Rows, from the output (right) to the inputs (left): a node goes near the mean height of
    # the nodes that use it, the first operand of an operation above the second.
    y: dict[Value, float] = {}
    for nodes in reversed(columns):

        def row_key(node: Value) -> tuple[float, float]:
            parents = users[node]
            if not parents:
                return (0.0, 0.0)
            depth_below = sum(-y[parent] for parent in parents) / len(parents)
            operand = sum(parent._prev.index(node) for parent in parents) / len(parents)
            return (depth_below, operand)

        nodes.sort(key=row_key)
        for i, node in enumerate(nodes):
            y[node] = ((len(nodes) - 1) / 2 - i) * row_height
    x = {node: column_left[column[node]] + column_width[column[node]] / 2 for node in order}

    fig = Figure(figsize=(width, height))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0 - 0.5 / height))
    ax.set_xlim(0.0, width)
    ax.set_ylim(-(height - 0.5) / 2, (height - 0.5) / 2)
    ax.set_axis_off()
    fig.suptitle(title, fontsize=fontsize + 3, y=1.0 - 0.1 / height, va="top")

    def arrow(start: tuple[float, float], end: tuple[float, float]) -> None:
        ax.add_patch(
            FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10, color="0.35", lw=0.8)
        )

    box_style = {"boxstyle": "round,pad=0.3", "facecolor": "#eef3fb", "edgecolor": "#4a6fa5"}
    op_style = {"boxstyle": "circle,pad=0.3", "facecolor": "#fdf0d5", "edgecolor": "#c98a1b"}
    text_style = {"ha": "center", "va": "center", "family": "monospace", "fontsize": fontsize}
    for node in order:
        box = ax.text(x[node], y[node], _node_text(node), bbox=box_style, **text_style)
        box.set_gid("value")  # lets a test (or a reader of the figure) find the node boxes
        if not node._prev:
            continue
        # The operation circle sits in the gap left of its result; its inputs point to it.
        op_x = column_left[column[node]] - op_gap / 2
        op_y = y[node]
        op = ax.text(op_x, op_y, node._op, bbox=op_style, **text_style)
        op.set_gid("op")
        arrow((op_x + radius[node], op_y), (x[node] - half_width[node], y[node]))
        for child in dict.fromkeys(node._prev):  # x * x: one arrow, not two on top of each other
            arrow((x[child] + half_width[child], y[child]), (op_x - radius[node], op_y))
    return fig


def _draw_graphviz(value: Value, title: str) -> Any:
    """The graphviz drawing of :func:`draw_graph` (needs the graphviz package and ``dot``)."""
    try:
        import graphviz
    except ImportError:
        graphviz = None
    if graphviz is None or shutil.which("dot") is None:
        raise RuntimeError(
            "draw_graph(backend='graphviz') needs the 'graphviz' Python package and Graphviz's "
            "'dot' program; install both, or use the default backend='matplotlib'."
        )
    dot = graphviz.Digraph(graph_attr={"rankdir": "LR", "label": title, "labelloc": "t"})
    for node in topological_order(value):
        name = str(id(node))
        dot.node(name, _node_text(node), shape="record")
        if node._prev:
            dot.node(name + node._op, node._op, shape="circle")
            dot.edge(name + node._op, name)
            for child in dict.fromkeys(node._prev):
                dot.edge(str(id(child)), name + node._op)
    return dot
