"""Which of an assignment's notebooks a submitted file is, when an LMS may have renamed it.

Canvas adds ``-1``, ``-2`` before the extension to a file submitted again under the same name,
and a browser that downloads a file twice saves ``name (1).ipynb``: ``a1_neuron_perceptron-1``
and ``a1_neuron_perceptron (1)`` are both ``a1_neuron_perceptron``. Any other name is a
different notebook, which is reported for the student, never graded in its place.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

NOTEBOOK_SUFFIX = ".ipynb"
COPY_SUFFIX = re.compile(r"(?:-(?P<dash>[0-9]+)| \((?P<paren>[0-9]+)\))$")


def normalized(name: str) -> str:
    """A file name in Unicode's composed form (macOS writes accents as separate marks)."""
    return unicodedata.normalize("NFC", name)


def is_notebook(filename: str) -> bool:
    return filename.endswith(NOTEBOOK_SUFFIX)


def assignment_notebook(filename: str, expected: Collection[str],
                        lms_renames: bool = True) -> str | None:
    """The assignment notebook (name without .ipynb) that ``filename`` is, or None.

    With ``lms_renames``, copy suffixes (``-1``, `` (1)``, also repeated) are taken off one
    at a time until a notebook of the assignment remains; without, only the exact name counts
    (files that students saved themselves, in the plain and nbgrader layouts).
    """
    if not is_notebook(filename):
        return None
    stem = filename[: -len(NOTEBOOK_SUFFIX)]
    while True:
        if stem in expected:
            return stem
        match = COPY_SUFFIX.search(stem) if lms_renames else None
        if match is None:
            return None
        stem = stem[: match.start()]


def copy_number(filename: str) -> int:
    """The number of the copy a file name says it is: 0 for ``x.ipynb``, 2 for ``x-2.ipynb``
    or ``x (2).ipynb``."""
    stem = filename.removesuffix(NOTEBOOK_SUFFIX)
    match = COPY_SUFFIX.search(stem)
    return int(match["dash"] or match["paren"]) if match else 0
