"""The feedback pages' exporter writes the document nbconvert's HTMLExporter writes.

FeedbackHTMLExporter skips HTMLExporter's second parse of a page where its accessibility pass
(alternative texts on images, focusable input and output areas) would change nothing. Both are
run here on the same notebooks, with and without images, with nbconvert's classic template (on
which nbgrader's feedback template is built) and its lab template, and the pages compared as
documents: parsed by BeautifulSoup as HTMLExporter parses its own.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbconvert.exporters import HTMLExporter
from traitlets.config import Config

from autograder import feedback_html
from autograder.feedback_html import MISSING_ALT_TEXT, FeedbackHTMLExporter

ROOT = Path(__file__).resolve().parent.parent
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5"
       "ErkJggg==")  # one pixel


def notebook_with(*cells) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook(cells=list(cells))
    notebook.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    return notebook


def code(source: str, *outputs) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source, execution_count=1)
    cell.outputs = list(outputs)
    return cell


PLAIN = notebook_with(
    nbformat.v4.new_markdown_cell("# A title\n\nSome *text*, `code` and $x^2$.<br>A line."),
    code("def square(x):\n    return x * x  # <img> in a comment",
         nbformat.v4.new_output("stream", text="a < b & c\n")),
    code("1 / 0", nbformat.v4.new_output("error", ename="ZeroDivisionError",
                                         evalue="division by zero",
                                         traceback=["ZeroDivisionError: division by zero"])),
)
IMAGES = notebook_with(
    nbformat.v4.new_markdown_cell(f'An image <img src="data:image/png;base64,{PNG}"> and one with'
                                  f' a text <img alt="a dot" src="data:image/png;base64,{PNG}">'),
    code("plot()", nbformat.v4.new_output("display_data", data={"image/png": PNG,
                                                                "text/plain": "<Figure>"})),
    code("html()", nbformat.v4.new_output(
        "display_data", data={"text/html": '<script>var s = "<img src=x>";</script>'
                                           '<IMG SRC="data:image/png;base64,' + PNG + '">'})),
)
LECTURE = nbformat.read(ROOT / "lectures" / "01_the_neuron.ipynb", as_version=4)


def exporters(template: str) -> tuple[HTMLExporter, FeedbackHTMLExporter]:
    config = Config()
    config.HTMLExporter.template_name = template
    return HTMLExporter(config=config), FeedbackHTMLExporter(config=config)


@pytest.mark.parametrize("template", ["classic", "lab"])
@pytest.mark.parametrize("name, notebook", [("plain", PLAIN), ("images", IMAGES),
                                            ("lecture 1", LECTURE)])
def test_the_page_is_the_document_htmlexporter_writes(template, name, notebook):
    nbconvert_s, feedback_s = exporters(template)
    theirs, _ = nbconvert_s.from_notebook_node(notebook)
    ours, resources = feedback_s.from_notebook_node(notebook)
    assert str(BeautifulSoup(ours, features="html.parser")) == theirs, name
    assert resources["output_extension"] == ".html"


def test_images_get_nbconvert_s_alternative_text():
    page, _ = exporters("classic")[1].from_notebook_node(IMAGES)
    images = BeautifulSoup(page, features="html.parser").find_all("img")
    assert [image["alt"] for image in images] == [MISSING_ALT_TEXT, "a dot", MISSING_ALT_TEXT,
                                                  MISSING_ALT_TEXT]
    assert 'var s = "<img src=x>";' in page  # a script's text is not an image


def test_lab_pages_have_focusable_areas():
    page, _ = exporters("lab")[1].from_notebook_node(PLAIN)
    soup = BeautifulSoup(page, features="html.parser")
    areas = soup.select(".jp-Notebook div.jp-Cell-inputWrapper")
    assert areas and all(area["tabindex"] == "0" for area in areas)


def test_a_page_without_images_is_not_parsed_again(monkeypatch):
    def parse(html):
        raise AssertionError("the accessibility pass ran on a page it does not change")

    monkeypatch.setattr(feedback_html, "accessible", parse)
    page, _ = exporters("classic")[1].from_notebook_node(PLAIN)
    assert "a &lt; b &amp; c" in page
