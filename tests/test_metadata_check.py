"""The metadata check that validates each distinct cell once (autograder.metadata_check): it
rejects every notebook that nbgrader's own check rejects, whatever it has seen before."""

from __future__ import annotations

import copy

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.nbgraderformat.common import SchemaMismatchError

from autograder.coursedir import REPOSITORY
from autograder.execute import RESOURCES_KEY, GradingContext
from autograder.metadata_check import ValidMetadata, check_notebook_metadata
from autograder.unit import CheckCellMetadataOnce


def nbgrader_cell(grade_id: str, *, grade: bool, solution: bool, points: float = 0,
                  markdown: bool = False):
    meta = {"grade": grade, "solution": solution, "locked": not solution, "task": False,
            "grade_id": grade_id, "schema_version": 3}
    if grade:
        meta["points"] = points
    make = new_markdown_cell if markdown else new_code_cell
    return make("x = 1", metadata={"nbgrader": meta})


def valid_notebook():
    return new_notebook(cells=[nbgrader_cell("answer", grade=False, solution=True),
                               nbgrader_cell("tests", grade=True, solution=False, points=2),
                               new_code_cell("print('no nbgrader metadata')")])


def nbgrader_rejection(nb) -> type[Exception] | None:
    """The kind of error nbgrader's own validator raises on ``nb`` (None: it passes)."""
    try:
        MetadataValidator().validate_nb(nb)
    except (ValidationError, SchemaMismatchError) as error:
        return type(error)
    return None


def test_a_valid_notebook_passes_and_its_cells_are_remembered():
    valid = ValidMetadata()
    nb = valid_notebook()
    check_notebook_metadata(nb, valid)
    assert nb.cells[0] in valid and nb.cells[1] in valid
    check_notebook_metadata(valid_notebook(), valid)  # again, from memory


def test_the_source_notebooks_of_every_assignment_pass_twice():
    valid = ValidMetadata()
    sources = sorted((REPOSITORY / "solutions").glob("*/*.ipynb"))
    assert sources
    for _ in range(2):
        for path in sources:
            check_notebook_metadata(nbformat.read(path, as_version=4), valid)


def tampered_notebooks():
    """Notebooks that nbgrader rejects, each a small change to the valid one."""
    no_points = valid_notebook()
    del no_points.cells[1].metadata.nbgrader["points"]
    empty_id = valid_notebook()
    empty_id.cells[1].metadata.nbgrader["grade_id"] = ""
    wrong_type = valid_notebook()
    wrong_type.cells[1].metadata.nbgrader["points"] = "two"
    markdown_test = valid_notebook()  # a markdown grade cell must be a solution cell
    markdown_test.cells[1] = nbgrader_cell("tests", grade=True, solution=False, points=2,
                                           markdown=True)
    same_ids = valid_notebook()  # every cell valid alone, the notebook not
    same_ids.cells.append(copy.deepcopy(same_ids.cells[1]))
    old_schema = valid_notebook()
    old_schema.cells[0].metadata.nbgrader["schema_version"] = 1
    return {"no points": no_points, "empty grade id": empty_id, "points not a number": wrong_type,
            "markdown grade cell": markdown_test, "grade ids repeated": same_ids,
            "old schema": old_schema}


@pytest.mark.parametrize("name", sorted(tampered_notebooks()))
def test_what_nbgrader_rejects_is_rejected_after_the_valid_cells_are_remembered(name):
    nb = tampered_notebooks()[name]
    rejection = nbgrader_rejection(copy.deepcopy(nb))
    assert rejection is not None
    valid = ValidMetadata()
    check_notebook_metadata(valid_notebook(), valid)
    with pytest.raises(rejection):
        check_notebook_metadata(nb, valid)
    with pytest.raises(rejection):  # and again: a failure is never remembered
        check_notebook_metadata(tampered_notebooks()[name], valid)


def test_the_grading_step_says_what_nbgraders_says_and_uses_the_contexts_memory():
    context = GradingContext()
    step = CheckCellMetadataOnce()
    step.preprocess(valid_notebook(), {RESOURCES_KEY: context})
    assert valid_notebook().cells[1] in context.valid_metadata
    with pytest.raises(ValidationError, match="the nbgrader metadata may be corrupted"):
        step.preprocess(tampered_notebooks()["no points"], {RESOURCES_KEY: context})
