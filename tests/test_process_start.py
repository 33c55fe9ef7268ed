"""What every grading process pays when it starts (the coordinator, each feedback helper, each
Dask worker): see autograder/__init__.py."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys
import autograder.unit
import nbformat
from nbformat.validator import ValidationError

nbformat.validate(nbformat.v4.new_notebook())
broken = nbformat.v4.new_notebook()
broken.cells.append({"cell_type": "code", "source": 3})
try:
    nbformat.validate(broken)
except ValidationError:
    print("rejected")
print("rfc3987_syntax loaded:", sys.modules.get("rfc3987_syntax") is not None)
"""


def test_a_grading_process_validates_notebooks_without_compiling_the_iri_grammar():
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split("\n")[:2] == ["rejected", "rfc3987_syntax loaded: False"]
