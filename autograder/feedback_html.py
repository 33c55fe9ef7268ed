"""The HTML exporter of the feedback pages: nbconvert's HTMLExporter, without re-parsing pages
that its accessibility pass would not change.

After rendering its template, nbconvert's ``HTMLExporter.from_notebook_node`` parses the whole
page with BeautifulSoup (Python's ``html.parser``) to make three edits: an alternative text on
each ``<img>`` that has none, and ``tabindex="0"`` on the input and output areas of JupyterLab's
templates (``div.jp-Cell-inputWrapper``, ``div.jp-OutputArea-output``). A feedback page
(nbgrader's template, built on the classic one) usually has neither images nor those areas, yet
the parse and the page written out again cost about 60% of rendering it (0.28 of 0.47
CPU seconds for a page of a1, measured with cProfile).

:class:`FeedbackHTMLExporter` renders the template as HTMLExporter does and makes the same three
edits, with BeautifulSoup, only where the page holds an ``<img`` or one of those class names.
Any other page is left as the template wrote it: the same document (tests/test_feedback_html.py
parses both and compares them), not written out again by BeautifulSoup.
"""

from __future__ import annotations

import re
from typing import Any

from bs4 import BeautifulSoup
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbformat import NotebookNode

MISSING_ALT_TEXT = "No description has been provided for this image"  # nbconvert's words
FOCUSABLE_AREAS = (".jp-Notebook div.jp-Cell-inputWrapper",
                   ".jp-Notebook div.jp-OutputArea-output")
# What a page must hold for the accessibility pass to change anything (case-insensitive, as
# HTML's tag names are). A false alarm only costs the parse.
NEEDS_ACCESSIBILITY_PASS = re.compile(r"<img|jp-Cell-inputWrapper|jp-OutputArea-output",
                                      re.IGNORECASE)


def accessible(html: str) -> tuple[str, int]:
    """``html`` with an alternative text on each image that has none and the input and output
    areas focusable, as nbconvert's HTMLExporter makes them; and how many images had no
    alternative text."""
    soup = BeautifulSoup(html, features="html.parser")
    missing_alt = 0
    for image in soup.select("img:not([alt])"):
        image.attrs["alt"] = MISSING_ALT_TEXT
        missing_alt += 1
    for selector in FOCUSABLE_AREAS:
        for area in soup.select(selector):
            area.attrs["tabindex"] = "0"
    return str(soup), missing_alt


class FeedbackHTMLExporter(HTMLExporter):
    """HTMLExporter, whose accessibility pass runs only on pages it would change."""

    def from_notebook_node(  # type: ignore[override]
        self, nb: NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        # the two filters HTMLExporter registers before rendering, as it registers them
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name", None))
        self.register_filter("highlight_code", self.filters.get(
            "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
        resources = self._init_resources(resources)
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        if NEEDS_ACCESSIBILITY_PASS.search(html) is None:
            return html, resources
        html, missing_alt = accessible(html)
        if missing_alt:
            self.log.warning("Alternative text is missing on %s image(s).", missing_alt)
        return html, resources
