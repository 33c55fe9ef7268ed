r"""The optimizer explorer of lecture 7: SGD, Momentum, Adagrad, Adadelta, RMSProp and Adam on a
2-D loss surface.

Every optimizer of :mod:`course.optim` runs on a surface of :mod:`course.surfaces` from the same
start theta_0, exactly as in training (set ``theta.grad`` to grad J(theta), call ``step()``), and
the panel shows its path on the contour plot and its loss J(theta_t) - J_min per step.

Learning rates are not comparable between optimizers: SGD and Momentum step by eta times the
gradient, so on Rosenbrock (gradients in the hundreds) they need eta around 0.002-0.01, while
Adagrad, RMSProp and Adam divide the gradient by its own size and step by about eta per
coordinate, so they need eta around 0.01-1. :data:`SUGGESTED_LEARNING_RATES` holds, for each
surface, a rate per optimizer that makes it do reasonably well in a few hundred steps; they were
picked by trying rates on a log grid and keeping a good one (not the best one to three digits).

Adadelta's ``lr`` is a multiplier on Zeiler's step (1.0 is his method, which has no learning
rate). After its first gradient E[g^2] = (1 - rho) g^2 while E[Delta x^2] is still 0, so its first
step is Delta x = -sqrt(eps) / sqrt((1 - rho) g^2 + eps) g, about sqrt(eps) / sqrt(1 - rho) =
3.2e-3 per coordinate with the defaults eps = 1e-6, rho = 0.9 (for |g| well above 3e-3), and the
steps grow only as the average of past updates grows. So on these small surfaces it crawls at
1.0; the table scales it by 2-3 where that helps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from course.optim import SGD, Adadelta, Adagrad, Adam, Momentum, RMSProp
from course.plots import plot_loss_surface, plot_losses_per_step
from course.surfaces import Surface, beale, optimizer_path, quadratic, rosenbrock, saddle
from course.widgets.base import Explorer, dropdown, int_slider, log_slider

# The optimizers, in the order of the slides.
OPTIMIZERS = {
    "SGD": SGD,
    "Momentum": Momentum,
    "Adagrad": Adagrad,
    "Adadelta": Adadelta,
    "RMSProp": RMSProp,
    "Adam": Adam,
}
# The picker's extra choice: every optimizer at once, each at its suggested learning rate.
ALL = "all"

# One colour per optimizer, the same in every figure.
OPTIMIZER_COLORS = {
    "SGD": "tab:blue",
    "Momentum": "tab:orange",
    "Adagrad": "tab:green",
    "Adadelta": "tab:purple",
    "RMSProp": "tab:brown",
    "Adam": "tab:red",
}

# The surfaces offered by the picker: name -> (label shown in the picker, how to build it).
OPTIMIZER_SURFACES: dict[str, tuple[str, Callable[[], Surface]]] = {
    "rosenbrock": ("Rosenbrock valley", rosenbrock),
    "quadratic": ("ill-conditioned bowl (a=1, b=25)", lambda: quadratic(a=1.0, b=25.0)),
    "rotated quadratic": (
        "rotated bowl (a=1, b=25, 30 degrees)",
        lambda: quadratic(a=1.0, b=25.0, angle=np.pi / 6),
    ),
    "beale": ("Beale (steep walls, flat plateaus)", beale),
    "saddle": ("saddle point", saddle),
}

# surface -> optimizer -> a learning rate that works there in a few hundred steps.
SUGGESTED_LEARNING_RATES: dict[str, dict[str, float]] = {
    "rosenbrock": {
        "SGD": 0.002, "Momentum": 0.01, "Adagrad": 0.5,
        "Adadelta": 1.0, "RMSProp": 0.01, "Adam": 0.1,
    },
    "quadratic": {
        "SGD": 0.03, "Momentum": 0.03, "Adagrad": 0.5,
        "Adadelta": 3.0, "RMSProp": 0.01, "Adam": 0.1,
    },
    "rotated quadratic": {
        "SGD": 0.03, "Momentum": 0.03, "Adagrad": 0.5,
        "Adadelta": 3.0, "RMSProp": 0.01, "Adam": 0.1,
    },
    "beale": {
        "SGD": 0.01, "Momentum": 0.01, "Adagrad": 0.5,
        "Adadelta": 2.0, "RMSProp": 0.005, "Adam": 0.1,
    },
    "saddle": {
        "SGD": 0.05, "Momentum": 0.05, "Adagrad": 0.5,
        "Adadelta": 2.0, "RMSProp": 0.01, "Adam": 0.05,
    },
}

# The learning-rate slider covers 10^-4 .. 10^1 in steps of 10^0.05.
MIN_EXPONENT, MAX_EXPONENT, EXPONENT_STEP = -4.0, 1.0, 0.05


def make_surface(name: str) -> Surface:
    """The surface called ``name`` in :data:`OPTIMIZER_SURFACES`."""
    if name not in OPTIMIZER_SURFACES:
        raise ValueError(f"unknown surface {name!r}; choose one of {sorted(OPTIMIZER_SURFACES)}")
    return OPTIMIZER_SURFACES[name][1]()


def _check_optimizer(name: str, allow_all: bool = False) -> None:
    known = [*OPTIMIZERS, ALL] if allow_all else list(OPTIMIZERS)
    if name not in known:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {known}")


def suggested_learning_rate(optimizer: str, surface: str) -> float:
    """The learning rate of :data:`SUGGESTED_LEARNING_RATES` for this optimizer and surface."""
    _check_optimizer(optimizer)
    make_surface(surface)
    return SUGGESTED_LEARNING_RATES[surface][optimizer]


@dataclass
class OptimizerRun:
    """One optimizer's path on a surface.

    Attributes:
        optimizer: its name in :data:`OPTIMIZERS`.
        learning_rate: the ``lr`` it was built with (its other hyperparameters are the
            library's defaults).
        steps: how many steps were asked for.
        path: theta_0 .. theta_T, shape (T + 1, 2), shorter than ``steps + 1`` rows if it
            diverged (see :func:`course.surfaces.optimizer_path`).
        losses: J(theta_t) - J_min for each point of the path.
    """

    optimizer: str
    learning_rate: float
    steps: int
    path: np.ndarray
    losses: np.ndarray

    @property
    def diverged(self) -> bool:
        """True if the path stopped early because it left every bound."""
        return len(self.path) < self.steps + 1

    @property
    def label(self) -> str:
        """A legend entry: name, learning rate, and "diverged" if it did."""
        text = f"{self.optimizer} ($\\eta$ = {self.learning_rate:.3g})"
        return text + ", diverged" if self.diverged else text


def run_optimizer(
    optimizer: str, surface: Surface, learning_rate: float, steps: int
) -> OptimizerRun:
    """Run ``OPTIMIZERS[optimizer](lr=learning_rate)`` ``steps`` times from ``surface.start``."""
    _check_optimizer(optimizer)
    path = optimizer_path(OPTIMIZERS[optimizer], surface, steps=steps, lr=learning_rate)
    return OptimizerRun(
        optimizer=optimizer,
        learning_rate=float(learning_rate),
        steps=int(steps),
        path=path,
        losses=surface(path.T) - surface.min_value,
    )


def _run_colors(runs: Sequence[OptimizerRun], colors: Sequence[str] | None) -> list[str]:
    if colors is None:
        return [OPTIMIZER_COLORS[run.optimizer] for run in runs]
    if len(colors) != len(runs):
        raise ValueError(f"give one colour per run: {len(runs)} runs but {len(colors)} colours")
    return list(colors)


def plot_optimizer_paths(
    surface: Surface,
    runs: Sequence[OptimizerRun],
    ax: Axes,
    colors: Sequence[str] | None = None,
) -> Axes:
    """The contour plot of ``surface`` with each run's path (circle: start, cross: end).

    ``colors`` gives one matplotlib colour per run; by default each optimizer has its own
    (:data:`OPTIMIZER_COLORS`), the same in every figure.
    """
    plot_loss_surface(surface, ax=ax)
    for run, color in zip(runs, _run_colors(runs, colors)):
        ax.plot(*run.path.T, marker=".", markersize=2, linewidth=1.2, color=color, label=run.label)
        ax.plot(*run.path[0], marker="o", color=color)
        ax.plot(*run.path[-1], marker="X", markersize=9, color=color)
    ax.set_title("Paths on the loss surface")
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_optimizer_losses(
    runs: Sequence[OptimizerRun], ax: Axes, colors: Sequence[str] | None = None
) -> Axes:
    """J(theta_t) - J_min per step for each run, on a log y axis (0 is drawn at 1e-16).

    ``colors`` as in :func:`plot_optimizer_paths`.
    """
    return plot_losses_per_step(
        [(run.label, run.losses, {"color": color})
         for run, color in zip(runs, _run_colors(runs, colors))],
        ax, fontsize="small",
    )


class OptimizerExplorer(Explorer):
    """Optimizers on a 2-D loss surface: an optimizer picker, a learning-rate slider, a surface
    picker and a steps slider.

    **Changing the optimizer or the surface resets the learning-rate slider** to
    :func:`suggested_learning_rate` for the new pair. The good rates of SGD and of Adagrad differ
    by more than two orders of magnitude, so keeping the old value would show a "broken"
    optimizer (SGD diverging at Adam's rate, Adadelta frozen at SGD's) and suggest a comparison
    that is really about the learning rate. After the reset, moving the slider shows how
    sensitive each optimizer is to its rate. With ``"all"`` every optimizer runs at its own
    suggested rate and the slider is disabled.

    ``result`` is a dict: ``paths`` and ``losses`` (optimizer name -> array),
    ``learning_rates`` (name -> eta), ``diverged`` (name -> bool), ``surface`` and ``steps``.
    """

    def __init__(
        self,
        optimizer: str = "Adam",
        learning_rate: float | None = None,
        surface: str = "rosenbrock",
        steps: int = 500,
    ) -> None:
        _check_optimizer(optimizer, allow_all=True)
        make_surface(surface)
        if learning_rate is None:
            shown_optimizer = "Adam" if optimizer == ALL else optimizer
            learning_rate = suggested_learning_rate(shown_optimizer, surface)
        low, high = 10**MIN_EXPONENT, 10**MAX_EXPONENT
        if not low <= learning_rate <= high:
            raise ValueError(
                f"learning_rate must be between {low:g} and {high:g} (the slider's range), "
                f"or None for the optimizer's suggested rate; got {learning_rate!r}"
            )
        if not isinstance(steps, (int, np.integer)) or not 10 <= steps <= 2000:
            raise ValueError(f"steps must be a whole number from 10 to 2000, got {steps!r}")
        controls = {
            "optimizer": dropdown("optimizer", [*OPTIMIZERS, ALL], optimizer),
            "learning_rate": log_slider(
                "learning rate", learning_rate, MIN_EXPONENT, MAX_EXPONENT, EXPONENT_STEP
            ),
            "surface": dropdown(
                "loss surface",
                [(label, name) for name, (label, _) in OPTIMIZER_SURFACES.items()],
                surface,
            ),
            "steps": int_slider("number of steps", int(steps), 10, 2000, 10),
        }
        controls["learning_rate"].disabled = optimizer == ALL
        self._resetting_learning_rate = False
        super().__init__(controls, title="Optimizers on a loss surface", figsize=(11, 4.2))

    def _on_change(self, change) -> None:
        if self._resetting_learning_rate:
            return  # the slider is being moved by _reset_learning_rate: draw once, afterwards
        pickers = (self.controls["optimizer"], self.controls["surface"])
        if any(change["owner"] is picker for picker in pickers):
            self._reset_learning_rate()
        self.update()

    def _reset_learning_rate(self) -> None:
        """Put the slider at the suggested rate of the picked optimizer on the picked surface."""
        optimizer = self.controls["optimizer"].value
        slider = self.controls["learning_rate"]
        slider.disabled = optimizer == ALL
        if optimizer == ALL:
            return
        self._resetting_learning_rate = True
        try:
            slider.value = suggested_learning_rate(optimizer, self.controls["surface"].value)
        finally:
            self._resetting_learning_rate = False

    def draw(
        self, figure: Figure, optimizer: str, learning_rate: float, surface: str, steps: int
    ) -> dict:
        loss_surface = make_surface(surface)
        if optimizer == ALL:
            rates = dict(SUGGESTED_LEARNING_RATES[surface])
        else:
            rates = {optimizer: learning_rate}
        runs = []
        for done, (name, rate) in enumerate(rates.items()):
            self.report_progress(done / len(rates), f"running {name}")
            runs.append(run_optimizer(name, loss_surface, rate, steps))
        path_ax, loss_ax = figure.subplots(1, 2)
        plot_optimizer_paths(loss_surface, runs, path_ax)
        plot_optimizer_losses(runs, loss_ax)
        figure.suptitle(f"{loss_surface.name}: ${loss_surface.formula}$")
        figure.tight_layout()
        return {
            "paths": {run.optimizer: run.path for run in runs},
            "losses": {run.optimizer: run.losses for run in runs},
            "learning_rates": {run.optimizer: run.learning_rate for run in runs},
            "diverged": {run.optimizer: run.diverged for run in runs},
            "surface": surface,
            "steps": int(steps),
        }


def optimizer_explorer(
    optimizer: str = "Adam",
    learning_rate: float | None = None,
    surface: str = "rosenbrock",
    steps: int = 500,
) -> OptimizerExplorer:
    """A live panel: an optimizer's path and loss on a 2-D surface.

    Args:
        optimizer: ``"SGD"``, ``"Momentum"``, ``"Adagrad"``, ``"Adadelta"``, ``"RMSProp"``,
            ``"Adam"``, or ``"all"`` (every one at its suggested rate).
        learning_rate: the starting eta (1e-4 to 10, a log slider); None takes the suggested
            rate for this optimizer and surface (:data:`SUGGESTED_LEARNING_RATES`).
        surface: ``"rosenbrock"``, ``"quadratic"``, ``"rotated quadratic"``, ``"beale"`` or
            ``"saddle"``.
        steps: the number of optimizer steps (10 to 2000).

    Nothing here is random, so there is no seed.
    """
    return OptimizerExplorer(
        optimizer=optimizer, learning_rate=learning_rate, surface=surface, steps=steps
    )

