"""nbgrader's check of the cells' nbgrader metadata, each distinct cell validated once.

nbgrader's CheckCellMetadata validates every nbgrader cell of every notebook against its JSON
schema, and ``jsonschema.validate`` checks the schema itself again at each call: most of the
check's cost, paid three times per student (before and after execution in the grader, and
when the coordinator records the grades). Yet the cells' metadata barely differ between
students: the grade and test cells' metadata come from the source, the solution cells' from
the release (:mod:`autograder.restore`). So a cell whose metadata, with its cell type, passed
nbgrader's validator once is not validated again: the validation depends on nothing else.

Everything else is nbgrader's: its validator validates, and the notebook-wide checks (grade ids
unique) run on every notebook. The step that uses it in a conversion is
:class:`autograder.unit.CheckCellMetadataOnce`.
"""

from __future__ import annotations

import json
import threading

from nbformat.notebooknode import NotebookNode
from nbgrader.nbgraderformat import MetadataValidator

MAX_REMEMBERED = 10_000  # distinct cells; past that, new ones are validated every time


class ValidMetadata:
    """The (cell type, nbgrader metadata) pairs found valid so far, shared by the threads of
    one grader or of one coordinator."""

    def __init__(self) -> None:
        self._valid: set[str] = set()
        self._lock = threading.Lock()

    @staticmethod
    def key(cell: NotebookNode) -> str:
        return json.dumps([cell.cell_type, cell.metadata.get("nbgrader")], sort_keys=True)

    def __contains__(self, cell: NotebookNode) -> bool:
        return self.key(cell) in self._valid

    def add(self, cell: NotebookNode) -> None:
        with self._lock:
            if len(self._valid) < MAX_REMEMBERED:
                self._valid.add(self.key(cell))


class RememberingValidator(MetadataValidator):
    """nbgrader's validator of the current schema, which skips the cells ``valid`` has seen
    pass and remembers those that pass."""

    def __init__(self, valid: ValidMetadata) -> None:
        super().__init__()
        self.valid = valid

    def validate_cell(self, cell: NotebookNode) -> None:
        if "nbgrader" not in cell.metadata or cell in self.valid:
            return
        super().validate_cell(cell)
        self.valid.add(cell)


def check_notebook_metadata(nb: NotebookNode, valid: ValidMetadata) -> None:
    """Raise nbgrader's ValidationError if a cell's nbgrader metadata is invalid (checked as
    nbgrader's CheckCellMetadata does, each distinct cell once)."""
    RememberingValidator(valid).validate_nb(nb)

