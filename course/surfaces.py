r"""Two-dimensional loss surfaces for the gradient-descent and optimizer lectures.

A real network has millions of parameters; to *see* what an optimizer does, the lectures use a
loss J(theta) of only two parameters theta = (x, y), draw its contours, and draw the path
theta_0, theta_1, ... that an optimizer takes on it:

    theta_{t+1} = theta_t - eta g_t,   g_t = grad J(theta_t)       (plain gradient descent)

Each surface here is a :class:`Surface`: its value, its analytic gradient, its known minimiser and
suggested plot limits and starting point. :func:`optimizer_path` runs any ``course.optim``
optimizer on a surface and returns the path of shape (steps + 1, 2).

Surfaces:

* :func:`quadratic` -- an ill-conditioned bowl J = 1/2 (a x^2 + b y^2), optionally rotated:
  gradient descent zig-zags across the narrow valley; momentum and Adam do better.
* :func:`rosenbrock` -- J = (a - x)^2 + b (y - x^2)^2: a curved, flat-bottomed valley.
* :func:`beale` -- a surface with steep walls and flat plateaus, values over many decades.
* :func:`saddle` -- J = x^2 + y^4/4 - y^2/2: a saddle point at the origin between two minima.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course.optim import SGD
from course.parameter import Parameter

# A function of the two coordinates x and y (floats or arrays of the same shape).
CoordinateFunction = Callable[[np.ndarray, np.ndarray], np.ndarray]
GradientFunction = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


class Surface:
    """A loss J(x, y) of two parameters, with its gradient and known minimisers.

    Args:
        name: a short label for plot titles, e.g. ``"Rosenbrock (a=1, b=100)"``.
        formula: the formula of J in LaTeX (without dollar signs), for plot titles.
        value: J(x, y), element-wise on arrays.
        gradient: (dJ/dx, dJ/dy), element-wise on arrays.
        minima: the known minimiser(s), one point (x, y) per row.
        xlim, ylim: suggested plot limits (both contain every minimiser).
        start: a suggested starting point theta_0 for optimizer paths.

    A point ``xy`` is an array whose first axis has length 2: ``xy[0]`` holds the x coordinates
    and ``xy[1]`` the y coordinates. So ``surface(np.array([1.0, 2.0]))`` is one value and
    ``surface(np.stack([X, Y]))`` evaluates a whole ``np.meshgrid`` at once.
    """

    def __init__(
        self,
        name: str,
        formula: str,
        value: CoordinateFunction,
        gradient: GradientFunction,
        minima,
        xlim: tuple[float, float],
        ylim: tuple[float, float],
        start,
    ) -> None:
        self.name = name
        self.formula = formula
        self._value = value
        self._gradient = gradient
        self.minima = np.array(minima, dtype=np.float64).reshape(-1, 2)
        self.xlim = (float(xlim[0]), float(xlim[1]))
        self.ylim = (float(ylim[0]), float(ylim[1]))
        self.start = np.array(start, dtype=np.float64).reshape(2)

    @property
    def minimum(self) -> np.ndarray:
        """The (first) known minimiser, shape (2,)."""
        return self.minima[0].copy()

    @property
    def min_value(self) -> float:
        """J at the minimum."""
        return float(self(self.minimum))

    def __call__(self, xy) -> np.ndarray:
        """J(x, y) at a point of shape (2,) (returns a 0-d array) or on a grid of shape (2, ...)."""
        x, y = _split_coordinates(xy, self.name)
        return self._value(x, y)

    def grad(self, xy) -> np.ndarray:
        """The analytic gradient (dJ/dx, dJ/dy), with the same shape as ``xy``."""
        x, y = _split_coordinates(xy, self.name)
        dx, dy = self._gradient(x, y)
        return np.stack([dx, dy])

    def grid(self, resolution: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(X, Y, Z)``: a square meshgrid of ``resolution`` points a side over the plot limits,
        and J on it."""
        xs = np.linspace(*self.xlim, resolution)
        ys = np.linspace(*self.ylim, resolution)
        X, Y = np.meshgrid(xs, ys)
        return X, Y, self(np.stack([X, Y]))

    def __repr__(self) -> str:
        return f"Surface({self.name!r})"


def _split_coordinates(xy, name: str) -> tuple[np.ndarray, np.ndarray]:
    xy = np.asarray(xy, dtype=np.float64)
    if xy.ndim == 0 or xy.shape[0] != 2:
        raise ValueError(
            f"Surface {name!r} expects points with 2 coordinates on the first axis: shape (2,) "
            f"for one point or (2, ...) for a grid, got shape {xy.shape}. "
            "For a meshgrid X, Y pass np.stack([X, Y])."
        )
    return xy[0], xy[1]


# --------------------------------------------------------------------------------------------
# The surfaces
# --------------------------------------------------------------------------------------------
def quadratic(a: float = 1.0, b: float = 25.0, angle: float = 0.0) -> Surface:
    r"""An ill-conditioned bowl J = 1/2 (a u^2 + b v^2), minimum 0 at the origin.

    (u, v) are the coordinates (x, y) rotated by ``-angle`` (radians):
    u = x cos(angle) + y sin(angle), v = -x sin(angle) + y cos(angle); with ``angle=0`` it is
    J = 1/2 (a x^2 + b y^2). The gradient is

        dJ/dx = a u cos(angle) - b v sin(angle),   dJ/dy = a u sin(angle) + b v cos(angle).

    The condition number b/a says how stretched the bowl is. Gradient descent with learning
    rate eta converges only if eta < 2 / max(a, b) and zig-zags across the valley long before
    that; rotating the bowl (``angle``) takes the valley off the axes, which hurts optimizers
    that scale each coordinate separately (Adagrad, RMSProp, Adam).
    """
    if a <= 0 or b <= 0:
        raise ValueError(f"quadratic needs positive curvatures a and b, got a={a}, b={b}")
    cos, sin = np.cos(angle), np.sin(angle)

    def value(x, y):
        u = x * cos + y * sin
        v = -x * sin + y * cos
        return 0.5 * (a * u**2 + b * v**2)

    def gradient(x, y):
        u = x * cos + y * sin
        v = -x * sin + y * cos
        return a * u * cos - b * v * sin, a * u * sin + b * v * cos

    return Surface(
        name=f"quadratic (a={a:g}, b={b:g}, angle={angle:g})",
        formula=r"J = \frac{1}{2}(a\,u^2 + b\,v^2)",
        value=value,
        gradient=gradient,
        minima=[0.0, 0.0],
        xlim=(-5.0, 5.0),
        ylim=(-3.0, 3.0),
        start=[-4.0, 2.0],
    )


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Surface:
    r"""The Rosenbrock "banana" J = (a - x)^2 + b (y - x^2)^2, minimum 0 at (a, a^2).

    The gradient is

        dJ/dx = -2 (a - x) - 4 b x (y - x^2),   dJ/dy = 2 b (y - x^2).

    The minimiser lies in a long, curved, almost flat valley: reaching the valley is easy,
    following it to the minimum is slow for plain gradient descent.
    """
    if b <= 0:
        raise ValueError(f"rosenbrock needs b > 0 (the valley's steepness), got b={b}")

    def value(x, y):
        return (a - x) ** 2 + b * (y - x**2) ** 2

    def gradient(x, y):
        return -2 * (a - x) - 4 * b * x * (y - x**2), 2 * b * (y - x**2)

    return Surface(
        name=f"Rosenbrock (a={a:g}, b={b:g})",
        formula=r"J = (a - x)^2 + b\,(y - x^2)^2",
        value=value,
        gradient=gradient,
        minima=[a, a**2],
        xlim=(min(-2.0, a - 1), max(2.0, a + 1)),
        ylim=(min(-1.0, a**2 - 1), max(3.0, a**2 + 1)),
        start=[-1.2, 1.0],
    )


def beale() -> Surface:
    r"""Beale's function, minimum 0 at (3, 0.5):

        J = (1.5 - x + x y)^2 + (2.25 - x + x y^2)^2 + (2.625 - x + x y^3)^2.

    With t_1, t_2, t_3 the three brackets, the gradient is

        dJ/dx = 2 t_1 (y - 1) + 2 t_2 (y^2 - 1) + 2 t_3 (y^3 - 1),
        dJ/dy = 2 t_1 x + 2 t_2 (2 x y) + 2 t_3 (3 x y^2).

    Its values span many orders of magnitude (steep walls, flat plateaus), so a single
    learning rate is too large in one place and too small in another.
    """

    def brackets(x, y):
        return 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3

    def value(x, y):
        t1, t2, t3 = brackets(x, y)
        return t1**2 + t2**2 + t3**2

    def gradient(x, y):
        t1, t2, t3 = brackets(x, y)
        dx = 2 * t1 * (y - 1) + 2 * t2 * (y**2 - 1) + 2 * t3 * (y**3 - 1)
        dy = 2 * t1 * x + 2 * t2 * (2 * x * y) + 2 * t3 * (3 * x * y**2)
        return dx, dy

    return Surface(
        name="Beale",
        formula=r"J = \sum_{i=1}^{3} (c_i - x + x\,y^i)^2,\ c = (1.5, 2.25, 2.625)",
        value=value,
        gradient=gradient,
        minima=[3.0, 0.5],
        xlim=(-4.5, 4.5),
        ylim=(-4.5, 4.5),
        start=[1.0, 1.5],
    )


def saddle() -> Surface:
    r"""A saddle between two minima: J = x^2 + y^4/4 - y^2/2.

    The gradient is dJ/dx = 2 x, dJ/dy = y^3 - y. It vanishes at the saddle point (0, 0)
    (a minimum along x, a maximum along y) and at the two minimisers (0, 1) and (0, -1),
    where J = -1/4. Started close to the line y = 0, gradient descent first slides towards the
    saddle and only slowly escapes from it, because the gradient there is almost zero.
    """

    def value(x, y):
        return x**2 + y**4 / 4 - y**2 / 2

    def gradient(x, y):
        return 2 * x, y**3 - y

    return Surface(
        name="saddle",
        formula=r"J = x^2 + \frac{y^4}{4} - \frac{y^2}{2}",
        value=value,
        gradient=gradient,
        minima=[[0.0, 1.0], [0.0, -1.0]],
        xlim=(-2.5, 2.5),
        ylim=(-2.0, 2.0),
        start=[2.0, 0.01],
    )


# --------------------------------------------------------------------------------------------
# Optimizer paths
# --------------------------------------------------------------------------------------------
def optimizer_path(
    optimizer_cls,
    surface: Surface,
    start=None,
    steps: int = 100,
    max_distance: float = 1e6,
    **hyper,
) -> np.ndarray:
    r"""The points theta_0, theta_1, ..., theta_steps an optimizer visits on ``surface``.

    theta is one :class:`~course.parameter.Parameter` of shape (2,) holding (x, y), started at
    ``start`` (default ``surface.start``). Each step sets ``theta.grad`` to grad J(theta) (the
    analytic gradient) and calls ``optimizer.step()``, exactly as in training a network.

    Args:
        optimizer_cls: a ``course.optim`` class such as ``SGD`` or ``Adam``; it is built as
            ``optimizer_cls([theta], **hyper)``, so pass ``lr=`` and any other hyperparameters.
        surface: the loss surface.
        start: theta_0, shape (2,); ``None`` uses ``surface.start``.
        steps: how many optimizer steps to take.
        max_distance: a point farther than this from the origin counts as diverged.

    Returns:
        An array of shape (steps + 1, 2), one row per point, starting with theta_0.
        **If the optimizer diverges** (a point is not finite, or farther than ``max_distance``)
        the path stops at the last good point and is returned *shorter* than steps + 1 rows,
        without raising: a too-large learning rate is something the lectures want to show.
        Check ``len(path) < steps + 1`` to detect it.
    """
    if steps < 0:
        raise ValueError(f"steps must be a non-negative number of optimizer steps, got {steps}")
    start = surface.start if start is None else start
    theta = Parameter(np.asarray(start, dtype=np.float64).reshape(2), name="theta")
    optimizer = optimizer_cls([theta], **hyper)
    path = [theta.data.copy()]
    # Overflow on a diverging path is expected and handled below, so silence numpy's warnings.
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            theta.grad[...] = surface.grad(theta.data)
            optimizer.step()
            point = theta.data.copy()
            if not np.all(np.isfinite(point)) or np.linalg.norm(point) > max_distance:
                break
            path.append(point)
    return np.array(path)


def gradient_descent_path(
    surface: Surface, start=None, lr: float = 0.01, steps: int = 100
) -> np.ndarray:
    r"""The path of plain gradient descent theta_{t+1} = theta_t - lr grad J(theta_t).

    The same as ``optimizer_path(SGD, surface, start, steps, lr=lr)``, including the shorter
    path on divergence.
    """
    return optimizer_path(SGD, surface, start, steps, lr=lr)
