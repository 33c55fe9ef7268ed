"""What a student receives, read as a student reads it."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from autograder.student_view import hidden_test_lines


def visible_text(path: Path) -> str:
    """What a reader of the file sees: an HTML page without its tags (code is highlighted
    token by token, so its lines are whole again only without the tags)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".html":
        return html.unescape(re.sub(r"<[^>]+>", "", text))
    if path.suffix == ".ipynb":  # as JupyterLab shows it: the JSON's strings, unescaped
        try:
            return "\n".join(_strings(json.loads(text)))
        except ValueError:
            return text
    return text


def _strings(value) -> list[str]:
    """Every string in a JSON value (a notebook's sources and outputs, joined per cell)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ["".join(value)]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [text for item in items for text in _strings(item)]


def secret_lines(source_nb, release_nb) -> list[str]:
    """The hidden tests' lines that say something (not a lone bracket), and that the release
    does not show anyway (a hidden line may also be part of a visible one)."""
    released = "\n".join(cell.source for cell in release_nb.cells)
    return [line.strip() for line in hidden_test_lines(source_nb)
            if len(line.strip()) >= 6 and line.strip() not in released]


def leaks(folder: Path, secrets: list[str], submissions: Path | None = None
          ) -> dict[str, list[str]]:
    """File (relative to ``folder``) -> the secrets it shows, for every file under ``folder``
    that shows one. Files are in ``folder/<student>/``; a secret that the student's own
    submission (``submissions/<student>/``) holds is theirs to see (an answer may well contain
    a line that a hidden test also has, such as ``X, y = logic_gate("xor")``)."""
    found = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        student = path.relative_to(folder).parts[0]
        own = ""
        if submissions is not None and (submissions / student).is_dir():
            own = "\n".join(visible_text(p) for p in (submissions / student).rglob("*")
                            if p.is_file())
        text = visible_text(path)
        shown = [secret for secret in secrets if secret in text and secret not in own]
        if shown:
            found[str(path.relative_to(folder))] = shown
    return found
