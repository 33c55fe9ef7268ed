r"""The learning-rate explorer of lecture 6: one slider, four regimes of gradient descent.

Gradient descent repeats theta_{t+1} = theta_t - eta g_t with g_t = grad J(theta_t). On a 2-D loss
surface we can watch the path theta_0, theta_1, ... and see what the learning rate eta does:

* **too small**: every step is tiny; after the given number of steps the path is still far
  from the minimum (the loss falls, but slowly);
* **just right**: the path runs into the minimum;
* **too large**: each step overshoots the bottom of the valley, so the path zig-zags from one
  wall to the other (it oscillates; it may still converge, slowly);
* **far too large**: every overshoot lands higher than it started, so the loss grows and the
  path diverges.

On the bowl J = 1/2 (a x^2 + b y^2) this is exact: each coordinate is multiplied by (1 - eta a)
or (1 - eta b) per step, so the path converges iff eta < 2 / max(a, b), and it oscillates
along y when 1 / b < eta < 2 / b (the factor 1 - eta b is negative).

:func:`learning_rate_explorer` shows it live. :func:`run_gradient_descent`,
:func:`judge_regime` and :func:`plot_run_path` are the pieces it is made of, public so that a
notebook can draw the same pictures side by side.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from course.plots import plot_loss_surface, plot_losses_per_step
from course.surfaces import Surface, gradient_descent_path, quadratic, rosenbrock, saddle
from course.widgets.base import Explorer, dropdown, int_slider, log_slider

# The surfaces offered by the picker: name -> (label shown in the picker, how to build it).
# The quadratic has condition number b / a = 10, so on the slider's range 1e-4 .. 1.6 the four
# regimes all appear (30 steps): too slow below ~0.06, converging around 0.1, oscillating between
# 1/b = 0.1 and 2/b = 0.2 (judged so from ~0.17), diverging above 0.2.
LEARNING_RATE_SURFACES: dict[str, tuple[str, Callable[[], Surface]]] = {
    "quadratic": ("ill-conditioned bowl (a=1, b=10)", lambda: quadratic(a=1.0, b=10.0)),
    "rotated quadratic": (
        "rotated bowl (a=1, b=10, 30 degrees)",
        lambda: quadratic(a=1.0, b=10.0, angle=np.pi / 6),
    ),
    "saddle": ("saddle point", saddle),
    "rosenbrock": ("Rosenbrock valley", rosenbrock),
}

# The learning-rate slider covers 10^-4 .. 10^0.2 (about 1.6) in steps of 10^0.05.
MIN_EXPONENT, MAX_EXPONENT, EXPONENT_STEP = -4.0, 0.2, 0.05

# What each regime is called in the figure's titles.
REGIME_TITLES = {
    "too slow": "too small, slow",
    "converges": "converges",
    "oscillates": "too large, oscillates",
    "diverges": "diverges",
}

# A path "ends near the minimum" within this fraction of the plot's diagonal.
NEAR_FRACTION = 0.05
# A path "oscillates" when at least this fraction of its steps reverse direction.
ZIGZAG_FRACTION = 0.5


def make_surface(name: str) -> Surface:
    """The surface called ``name`` in :data:`LEARNING_RATE_SURFACES`."""
    if name not in LEARNING_RATE_SURFACES:
        raise ValueError(
            f"unknown surface {name!r}; choose one of {sorted(LEARNING_RATE_SURFACES)}"
        )
    return LEARNING_RATE_SURFACES[name][1]()


@dataclass
class GradientDescentRun:
    """One run of plain gradient descent on a surface, and what became of it.

    Attributes:
        surface: the loss surface J.
        learning_rate: eta.
        steps: how many steps were asked for.
        path: theta_0 .. theta_T, shape (T + 1, 2); shorter than ``steps + 1`` rows if the path
            diverged (see :func:`course.surfaces.gradient_descent_path`).
        losses: J(theta_t) - J_min for each point of the path (0 at the minimum).
        regime: ``"too slow"``, ``"converges"``, ``"oscillates"`` or ``"diverges"``
            (see :func:`judge_regime`).
    """

    surface: Surface
    learning_rate: float
    steps: int
    path: np.ndarray
    losses: np.ndarray
    regime: str


def run_gradient_descent(surface: Surface, learning_rate: float, steps: int) -> GradientDescentRun:
    """Run theta_{t+1} = theta_t - eta grad J(theta_t) from ``surface.start`` and judge it."""
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
    path = gradient_descent_path(surface, lr=learning_rate, steps=steps)
    losses = surface(path.T) - surface.min_value
    return GradientDescentRun(
        surface=surface,
        learning_rate=float(learning_rate),
        steps=int(steps),
        path=path,
        losses=losses,
        regime=judge_regime(surface, path, steps),
    )


def zigzag_fraction(path: np.ndarray) -> float:
    r"""The fraction of consecutive steps that reverse direction.

    With steps d_t = theta_{t+1} - theta_t, step t + 1 reverses step t when the dot product
    d_t . d_{t+1} < 0 (the angle between them is more than 90 degrees). 0 for a path of fewer
    than two steps.
    """
    steps = np.diff(np.asarray(path, dtype=np.float64), axis=0)
    if len(steps) < 2:
        return 0.0
    turns = np.sum(steps[:-1] * steps[1:], axis=1)
    return float(np.mean(turns < 0))


def judge_regime(surface: Surface, path: np.ndarray, steps: int) -> str:
    """Say what a gradient-descent path did, from the path alone, in this order:

    1. ``"diverges"``: the path stopped before ``steps`` steps (it left every bound), or its
       last loss is higher than its first;
    2. ``"oscillates"``: at least half of its steps reverse the previous one
       (:func:`zigzag_fraction`): the learning rate is too large for the valley;
    3. ``"converges"``: it ends within 5 % of the plot's diagonal of a minimum;
    4. ``"too slow"``: otherwise: the learning rate is too small for this many steps.
    """
    path = np.asarray(path, dtype=np.float64)
    losses = surface(path.T)
    if len(path) < steps + 1 or losses[-1] > losses[0]:
        return "diverges"
    if zigzag_fraction(path) >= ZIGZAG_FRACTION:
        return "oscillates"
    diagonal = np.hypot(np.ptp(surface.xlim), np.ptp(surface.ylim))
    distance = np.min(np.linalg.norm(surface.minima - path[-1], axis=1))
    if distance <= NEAR_FRACTION * diagonal:
        return "converges"
    return "too slow"


def plot_run_path(run: GradientDescentRun, ax: Axes) -> Axes:
    """The run's path on the contour plot of its surface, titled with eta and the regime."""
    plot_loss_surface(run.surface, {f"$\\eta$ = {run.learning_rate:.3g}": run.path}, ax=ax)
    ax.set_title(f"$\\eta$ = {run.learning_rate:.3g}: {REGIME_TITLES[run.regime]}")
    return ax


def plot_run_losses(runs: Sequence[GradientDescentRun], ax: Axes) -> Axes:
    """J(theta_t) - J_min per step t for each run, on a logarithmic y axis.

    Losses of exactly 0 (the path sits on the minimum) are drawn at 1e-16 so that the log
    scale can show them.
    """
    return plot_losses_per_step(
        [(f"$\\eta$ = {run.learning_rate:.3g} ({run.regime})", run.losses,
          {"marker": ".", "markersize": 3}) for run in runs],
        ax,
    )


class LearningRateExplorer(Explorer):
    """Gradient descent on a 2-D loss surface with a learning-rate slider.

    Left: the path on the contour plot, titled with the regime (too small, converges,
    oscillates, diverges); right: the loss per step on a log scale. ``result`` is a dict with
    the plotted ``path``, ``losses`` (J - J_min per point), ``regime``, ``learning_rate``,
    ``surface`` (its name) and ``steps``.
    """

    def __init__(self, learning_rate: float = 0.1, surface: str = "quadratic", steps: int = 30):
        make_surface(surface)  # a clear error for an unknown name, before any widget exists
        low, high = 10**MIN_EXPONENT, 10**MAX_EXPONENT
        if not low <= learning_rate <= high:
            raise ValueError(
                f"learning_rate must be between {low:g} and {high:.3g} (the slider's range), "
                f"got {learning_rate!r}"
            )
        if not isinstance(steps, (int, np.integer)) or not 5 <= steps <= 500:
            raise ValueError(f"steps must be a whole number from 5 to 500, got {steps!r}")
        controls = {
            "learning_rate": log_slider(
                "learning rate", learning_rate, MIN_EXPONENT, MAX_EXPONENT, EXPONENT_STEP
            ),
            "surface": dropdown(
                "loss surface",
                [(label, name) for name, (label, _) in LEARNING_RATE_SURFACES.items()],
                surface,
            ),
            "steps": int_slider("number of steps", int(steps), 5, 500, 5),
        }
        super().__init__(controls, title="Gradient descent: the learning rate", figsize=(11, 4))

    def draw(self, figure: Figure, learning_rate: float, surface: str, steps: int) -> dict:
        loss_surface = make_surface(surface)
        run = run_gradient_descent(loss_surface, learning_rate, steps)
        path_ax, loss_ax = figure.subplots(1, 2)
        plot_run_path(run, path_ax)
        plot_run_losses([run], loss_ax)
        figure.suptitle(f"{loss_surface.name}: ${loss_surface.formula}$")
        figure.tight_layout()
        return {
            "path": run.path,
            "losses": run.losses,
            "regime": run.regime,
            "learning_rate": run.learning_rate,
            "surface": surface,
            "steps": run.steps,
        }


def learning_rate_explorer(
    learning_rate: float = 0.1, surface: str = "quadratic", steps: int = 30
) -> LearningRateExplorer:
    """A live panel: gradient descent's path and loss for the learning rate on the slider.

    Args:
        learning_rate: the starting eta, between 1e-4 and about 1.6 (a log slider).
        surface: one of ``"quadratic"`` (J = 1/2 (x^2 + 10 y^2)), ``"rotated quadratic"``,
            ``"saddle"``, ``"rosenbrock"`` (needs eta below about 0.002 and many steps).
        steps: the number of gradient-descent steps (5 to 500).

    Nothing here is random, so there is no seed.
    """
    return LearningRateExplorer(learning_rate=learning_rate, surface=surface, steps=steps)
