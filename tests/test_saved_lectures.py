"""What a reader of a saved lecture sees without running it (GitHub, nbviewer, an HTML export):
every explorer as the picture it draws first, not as a line of text."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbconvert import HTMLExporter

LECTURES = sorted((Path(__file__).resolve().parents[1] / "lectures").glob("[0-9][0-9]_*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _explorer_outputs(notebook):
    return [output for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.outputs if WIDGET_VIEW in output.get("data", {})]


@pytest.mark.parametrize("path", LECTURES, ids=lambda p: p.name)
def test_every_saved_explorer_carries_its_picture(path):
    notebook = nbformat.read(path, as_version=4)
    for output in _explorer_outputs(notebook):
        assert output["data"].get("image/png", "").startswith("iVBOR"), (
            f"{path.name}: an explorer saved without its picture ({output['data']['text/plain']})")
    # No saved widget state: with it, exports would draw a dead copy of the widget (from
    # scripts on a CDN) in place of the picture.
    assert "widgets" not in notebook.metadata, f"{path.name} saves widget state"


def test_the_lectures_have_explorers():
    counted = {path.name: len(_explorer_outputs(nbformat.read(path, as_version=4)))
               for path in LECTURES}
    assert sum(counted.values()) >= 5, counted


def test_an_html_export_shows_the_explorers_picture():
    path = next(p for p in LECTURES if p.name.startswith("06_"))
    notebook = nbformat.read(path, as_version=4)
    (output,) = _explorer_outputs(notebook)
    html, _ = HTMLExporter().from_notebook_node(notebook)
    assert f"data:image/png;base64,{output['data']['image/png']}" in html
    assert WIDGET_VIEW not in html  # nothing left for a widget script to fill in
