"""What every interactive explorer of the lectures shares.

An :class:`Explorer` is a small panel: a row of controls (sliders, pickers), a status line with
a progress bar, and a matplotlib figure that is redrawn whenever a control changes. Subclasses
say which controls they have and how to draw; this class wires them together:

    control changes  ->  update()  ->  draw(figure, **values)  ->  PNG shown in the panel

The figure is a plain :class:`matplotlib.figure.Figure` (not managed by pyplot) and is shown as
an :class:`ipywidgets.Image`, so the same explorer works in JupyterLab, in a test without a
browser (set ``explorer.controls["learning_rate"].value`` and inspect ``explorer.figure``), and
in a real browser (drag the slider, the picture changes).

Sliders use ``continuous_update=False``: a redraw happens when the student lets go of the
handle, not at every pixel, so an explorer that retrains a small network stays responsive.

A saved lecture shows its explorers too. Displayed in a notebook, an explorer offers the front
end three forms of itself: the live widget, a PNG of the figure it drew first, and its text
(``LearningRateExplorer(learning_rate=0.1, ...)``). A front end shows one of them, the richest it
can: JupyterLab with a running kernel shows the live widget (once: the picture is not shown
beside it); GitHub, nbviewer and an HTML export of the saved notebook, which cannot run the
widget, show the picture.
"""

from __future__ import annotations

import base64
import contextlib
import inspect
import io
import time
from collections.abc import Callable

import ipywidgets as widgets
from matplotlib.figure import Figure

# Descriptions are shown in full ("learning rate", not "learning r...").
LABEL_STYLE = {"description_width": "initial"}
CONTROL_LAYOUT = widgets.Layout(width="380px")


def float_slider(
    description: str, value: float, min: float, max: float, step: float, readout_format=".2f"
) -> widgets.FloatSlider:
    """A slider for a real number that updates when released, with its label in full."""
    return widgets.FloatSlider(
        value=value, min=min, max=max, step=step, description=description,
        continuous_update=False, readout_format=readout_format,
        style=LABEL_STYLE, layout=CONTROL_LAYOUT,
    )


def log_slider(
    description: str, value: float, min_exponent: float, max_exponent: float, step: float = 0.1
) -> widgets.FloatLogSlider:
    """A slider over 10^min_exponent .. 10^max_exponent (learning rates span decades)."""
    return widgets.FloatLogSlider(
        value=value, base=10, min=min_exponent, max=max_exponent, step=step,
        description=description, continuous_update=False, readout_format=".3g",
        style=LABEL_STYLE, layout=CONTROL_LAYOUT,
    )


def int_slider(
    description: str, value: int, min: int, max: int, step: int = 1
) -> widgets.IntSlider:
    """A slider for a whole number that updates when released."""
    return widgets.IntSlider(
        value=value, min=min, max=max, step=step, description=description,
        continuous_update=False, style=LABEL_STYLE, layout=CONTROL_LAYOUT,
    )


def dropdown(description: str, options, value) -> widgets.Dropdown:
    """A picker (options: a list of names, or (label, value) pairs)."""
    return widgets.Dropdown(
        options=options, value=value, description=description,
        style=LABEL_STYLE, layout=CONTROL_LAYOUT,
    )


def one_blas_thread() -> contextlib.AbstractContextManager:
    """A context in which NumPy's matrix products use one BLAS thread.

    The explorers multiply tiny matrices (tens of rows). Splitting such a product between
    threads costs more than it saves, and on a busy 2-core machine the threads wait for each
    other: one thread made a redraw several times faster. Uses threadpoolctl (installed with
    scikit-learn); without it, nothing changes.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def figure_png(figure: Figure, dpi: int = 80) -> bytes:
    """The figure rendered as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


class Explorer(widgets.VBox):
    """Controls + status + progress + a figure redrawn on every change.

    Subclasses call ``super().__init__(controls, title=...)`` and implement
    :meth:`draw`. Long computations call :meth:`report_progress` so the student sees work
    happening.

    Attributes:
        controls: name -> widget; their values are passed to :meth:`draw` as keyword arguments.
        figure: the matplotlib Figure drawn last (inspect its axes in tests).
        image: the Image widget that shows the figure.
        status: an HTML line saying what was drawn, or what is being computed.
        progress: a progress bar from 0 to 1 for long computations.
        result: whatever :meth:`draw` returned last (the data it plotted), for tests and
            curious students.
        seconds: how long the last update took.
    """

    def __init__(
        self,
        controls: dict[str, widgets.Widget],
        title: str,
        figsize: tuple[float, float] = (10, 4),
        dpi: int = 80,
    ) -> None:
        self.controls = controls
        self.figure = Figure(figsize=figsize)
        self.dpi = dpi
        self.image = widgets.Image(format="png")
        self.status = widgets.HTML()
        self.progress = widgets.FloatProgress(
            value=0.0, min=0.0, max=1.0, description="progress", style=LABEL_STYLE,
            layout=widgets.Layout(width="380px"),
        )
        self.result = None
        self.seconds = 0.0
        header = widgets.HTML(f"<h4 style='margin: 4px 0'>{title}</h4>")
        control_box = widgets.HBox(
            [widgets.VBox(list(controls.values()))],
            layout=widgets.Layout(flex_flow="row wrap"),
        )
        super().__init__([header, control_box, widgets.HBox([self.progress, self.status]),
                          self.image])
        for control in controls.values():
            control.observe(self._on_change, names="value")
        self.update()

    # -- what subclasses implement ---------------------------------------------------------
    def draw(self, figure: Figure, **values):
        """Draw into ``figure`` (already cleared) for these control values; return the data."""
        raise NotImplementedError(f"{type(self).__name__} must implement draw(figure, **values)")

    # -- the machinery ---------------------------------------------------------------------
    def values(self) -> dict:
        """The controls' current values, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def update(self) -> None:
        """Redraw for the current control values (called on every change)."""
        started = time.perf_counter()
        self.status.value = "<i>working...</i>"
        self.progress.value = 0.0
        self.figure.clear()
        try:
            with one_blas_thread():
                self.result = self.draw(self.figure, **self.values())
        except Exception as error:  # show the problem in the panel, keep the panel alive
            self.status.value = f"<span style='color:#b00'>could not draw: {error}</span>"
            raise
        self.image.value = figure_png(self.figure, self.dpi)
        self.progress.value = 1.0
        self.seconds = time.perf_counter() - started
        self.status.value = f"done in {self.seconds:.2f} s"

    def report_progress(self, fraction: float, text: str = "") -> None:
        """Show how far a long computation is (0 to 1) and what it is doing."""
        self.progress.value = min(max(float(fraction), 0.0), 1.0)
        if text:
            self.status.value = f"<i>{text}</i>"

    def _on_change(self, change) -> None:
        self.update()

    def _repr_mimebundle_(self, **kwargs) -> dict:
        """The live widget, and the figure as a PNG for front ends that cannot show it."""
        bundle = dict(super()._repr_mimebundle_(**kwargs) or {})
        if self.image.value:
            bundle["image/png"] = base64.b64encode(self.image.value).decode("ascii")
        return bundle

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self.values().items())
        return f"{type(self).__name__}({shown})"


def show_source(obj: Callable | type):
    """Display the library's own source code of a function or class in a notebook.

    The lectures explain an implementation by showing the code that actually runs, instead of a
    second copy that could drift from it.
    """
    from IPython.display import Markdown

    return Markdown(f"```python\n{inspect.getsource(obj).rstrip()}\n```")
