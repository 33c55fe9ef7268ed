"""The Explorer machinery every lecture widget shares, and the notebook runner's checks."""

import importlib.util
from pathlib import Path

import nbformat
import pytest

from course.widgets import Explorer, show_source
from course.widgets.base import dropdown, float_slider, int_slider, log_slider


class LineExplorer(Explorer):
    """A minimal explorer: plots y = slope * x."""

    def __init__(self):
        super().__init__(
            {"slope": float_slider("slope of the line", 1.0, -2.0, 2.0, 0.1),
             "kind": dropdown("kind of marker", ["o", "x"], "o")},
            title="a line",
        )

    def draw(self, figure, slope, kind):
        ax = figure.subplots()
        ax.plot([0, 1], [0, slope], marker=kind, label="y = slope x")
        ax.set(title="line", xlabel="x", ylabel="y")
        return slope


def test_explorer_redraws_when_a_control_changes():
    explorer = LineExplorer()
    first_png = bytes(explorer.image.value)
    assert explorer.result == 1.0 and first_png.startswith(b"\x89PNG")
    assert list(explorer.figure.axes[0].lines[0].get_ydata()) == [0, 1.0]
    explorer.controls["slope"].value = -1.5
    assert explorer.result == -1.5
    assert list(explorer.figure.axes[0].lines[0].get_ydata()) == [0, -1.5]
    assert bytes(explorer.image.value) != first_png
    assert explorer.progress.value == 1.0 and "done" in explorer.status.value
    assert repr(explorer) == "LineExplorer(slope=-1.5, kind='o')"


def test_controls_show_full_labels_and_update_on_release():
    for control in (float_slider("learning rate", 0.1, 0, 1, 0.1),
                    log_slider("learning rate", 0.1, -3, 0),
                    int_slider("hidden units", 4, 1, 8)):
        assert control.style.description_width == "initial"
        assert control.continuous_update is False
    assert dropdown("optimizer", ["SGD", "Adam"], "Adam").style.description_width == "initial"


def test_explorer_shows_errors_in_the_panel():
    class Broken(LineExplorer):
        def draw(self, figure, slope, kind):
            if slope > 1.5:
                raise ValueError("slope too steep")
            return super().draw(figure, slope, kind)

    explorer = Broken()
    with pytest.raises(ValueError):
        explorer.controls["slope"].value = 2.0
    assert "slope too steep" in explorer.status.value


def test_show_source_displays_the_library_code():
    from course.activations import relu

    shown = show_source(relu)
    assert shown.data.startswith("```python\ndef relu(")
    assert "np.maximum" in shown.data


def _runner():
    path = Path(__file__).resolve().parents[1] / "lectures" / "run_notebooks.py"
    spec = importlib.util.spec_from_file_location("run_notebooks", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_notebook_runner_finds_errors_warnings_and_tracebacks():
    runner = _runner()
    clean = nbformat.v4.new_notebook()
    clean.cells = [nbformat.v4.new_code_cell("1 + 1")]
    clean.cells[0].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"})]
    assert runner.problems_in(clean) == []
    dirty = nbformat.v4.new_notebook()
    dirty.cells = [nbformat.v4.new_code_cell("x"), nbformat.v4.new_code_cell("y")]
    dirty.cells[0].outputs = [nbformat.v4.new_output("stream", name="stderr",
                                                     text="RuntimeWarning: overflow")]
    dirty.cells[1].outputs = [nbformat.v4.new_output("error", ename="NameError",
                                                     evalue="y", traceback=[])]
    found = runner.problems_in(dirty)
    assert len(found) == 2 and "NameError" in found[1]


def test_runner_lists_lectures_in_order():
    names = [p.name for p in _runner().lecture_notebooks()]
    assert names == sorted(names)
    assert all(name[:2].isdigit() for name in names)


def test_a_displayed_explorer_offers_its_figure_beside_the_live_widget():
    """Front ends that cannot run the widget (GitHub, nbviewer, an HTML export) show the PNG;
    JupyterLab shows the widget, the richest form, and only it."""
    import base64

    explorer = LineExplorer()
    bundle = explorer._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "image/png",
                           "application/vnd.jupyter.widget-view+json"}
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.model_id
    assert base64.b64decode(bundle["image/png"]) == explorer.image.value
    assert bytes(explorer.image.value).startswith(b"\x89PNG")
    assert bundle["text/plain"] == "LineExplorer(slope=1.0, kind='o')"
