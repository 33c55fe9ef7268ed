"""Restoring a submission's nbgrader metadata from the release (``autograder.restore``).

Some editors (Colab, VS Code variants) drop the cells' metadata or give the cells new ids; the
grader then finds the cells by their contents. The first tests run the matching on small
notebooks in memory; the last ones grade such notebooks for real (nbgrader, kernels, the
gradebook), the tiny fixture assignment and a1 each in one batch. Every notebook graded here is
made from a release generated in the test, never from a saved copy.
"""

from __future__ import annotations

import copy
import json
import random
import uuid
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.grading import GradingOptions, grade_submissions
from autograder.restore import LOST, restore_metadata
from autograder.samples import answered, grade_cell_points, released_copy, solution_cell_ids
from autograder.submissions import collect

FIXTURE = Path(__file__).parent / "fixtures" / "tiny"
A1 = Path(__file__).parents[1] / "solutions" / "a1_neuron_perceptron"
RESTORED = "restored from the release by matching the cells' contents"


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def _cell(kind: str, source: str, grade_id: str, **flags):
    make = new_markdown_cell if kind == "markdown" else new_code_cell
    meta = {"grade": False, "locked": False, "solution": False, "schema_version": 3,
            "grade_id": grade_id, **flags}
    return make(source, metadata={"nbgrader": meta})


def small_release():
    """A release like the course's: text, set-up, two coded exercises and a written one."""
    stub = "    # YOUR CODE HERE\n    raise NotImplementedError()"
    return new_notebook(cells=[
        _cell("markdown", "# Small assignment", "title", locked=True),
        _cell("code", "import math", "setup", locked=True),
        _cell("markdown", "## Exercise 1\n\nSquare it.", "ex1_text", locked=True),
        _cell("code", f"def square(x):\n{stub}", "ex1", solution=True),
        _cell("code", "assert square(3) == 9", "test_ex1", grade=True, locked=True, points=2),
        _cell("markdown", "## Exercise 2\n\nCube it.", "ex2_text", locked=True),
        _cell("code", f"def cube(x):\n{stub}", "ex2", solution=True),
        _cell("code", "assert cube(2) == 8", "test_ex2", grade=True, locked=True, points=3),
        _cell("markdown", "## Exercise 3\n\nWhy?", "ex3_text", locked=True),
        _cell("markdown", "YOUR ANSWER HERE", "ex3", solution=True, grade=True, points=1),
        _cell("markdown", "The end.", "end", locked=True),
    ])


ANSWERS = {"ex1": "def square(x):\n    return x * x", "ex2": "def cube(x):\n    return x ** 3",
           "ex3": "Because it is so."}


def small_answered():
    notebook = small_release()
    for cell in notebook.cells:
        cell.source = ANSWERS.get(cell.metadata["nbgrader"]["grade_id"], cell.source)
    return notebook


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def cell_of(notebook, wanted: str):
    return next(c for c in notebook.cells if grade_id(c) == wanted)


def stripped(notebook, seed: int = 0, everything: bool = False):
    """A copy with every cell's nbgrader metadata removed (or all its metadata, as Colab
    does) and new random cell ids."""
    rng = random.Random(seed)
    notebook = copy.deepcopy(notebook)
    for cell in notebook.cells:
        if everything:
            cell.metadata = nbformat.NotebookNode()
        else:
            cell.metadata.pop("nbgrader", None)
        cell.id = uuid.UUID(int=rng.getrandbits(128)).hex[:8]
    return notebook


def without(notebook, *grade_ids: str):
    """A copy without the cells ``grade_ids``."""
    notebook = copy.deepcopy(notebook)
    notebook.cells = [c for c in notebook.cells if grade_id(c) not in grade_ids]
    return notebook


def restore(notebook, release=None):
    return restore_metadata(copy.deepcopy(notebook), release or small_release())


def ids_by_source(notebook) -> dict[str, str | None]:
    return {c.source: grade_id(c) for c in notebook.cells}


# ---------------------------------------------------------------------------------------------
# The matching, on notebooks in memory
# ---------------------------------------------------------------------------------------------
def test_a_notebook_with_its_metadata_is_left_as_it_was_and_has_no_problems():
    notebook = small_answered()
    restored, problems = restore(notebook)
    assert problems == []
    assert restored.cells == notebook.cells


def test_known_grade_ids_get_the_release_metadata_back_duplicates_and_unknowns_go():
    notebook = small_answered()
    cell_of(notebook, "test_ex1").metadata["nbgrader"]["points"] = 100
    cell_of(notebook, "test_ex2").metadata["nbgrader"].update(solution=True, locked=False)
    ex1_text = cell_of(notebook, "ex1_text")
    ex1_text.cell_type, ex1_text.outputs, ex1_text.execution_count = "code", [], None
    notebook.cells.insert(5, copy.deepcopy(cell_of(notebook, "test_ex1")))
    notebook.cells.append(new_code_cell("x = 1", metadata={"nbgrader": {
        "grade_id": "bonus", "grade": True, "points": 50, "solution": False}}))
    restored, problems = restore(notebook)
    assert problems == []
    release = {grade_id(c): c for c in small_release().cells}
    graded = [c for c in restored.cells if grade_id(c)]
    assert [grade_id(c) for c in graded] == list(release)
    for cell in graded:
        assert cell.metadata["nbgrader"] == release[grade_id(cell)].metadata["nbgrader"]
        assert cell.cell_type == release[grade_id(cell)].cell_type
    assert "outputs" not in cell_of(restored, "ex1_text")
    assert restored.cells[-1].source == "x = 1" and "nbgrader" not in restored.cells[-1].metadata


@pytest.mark.parametrize("everything", [False, True], ids=["nbgrader", "all metadata"])
def test_a_notebook_that_lost_its_metadata_gets_it_back_by_contents(everything):
    restored, problems = restore(stripped(small_answered(), everything=everything))
    assert problems == [f"{LOST}; it was {RESTORED}"]
    release = small_release()
    assert [grade_id(c) for c in restored.cells] == [grade_id(c) for c in release.cells]
    for mine, theirs in zip(restored.cells, release.cells):
        assert mine.metadata["nbgrader"] == theirs.metadata["nbgrader"]
    assert cell_of(restored, "ex1").source == ANSWERS["ex1"]  # the student's answer stays


def test_sources_are_compared_without_trailing_spaces_and_end_blank_lines():
    notebook = stripped(small_answered())
    for cell in notebook.cells:
        cell.source = [line.rstrip("\n") + "  \n" for line in cell.source.splitlines()] + ["\n"]
        cell.source.insert(0, "\n")
    restored, problems = restore(notebook)
    assert problems == [f"{LOST}; it was {RESTORED}"]
    assert [grade_id(c) for c in restored.cells] == [grade_id(c) for c in small_release().cells]


def test_a_locked_cell_gets_its_cell_type_back():
    notebook = stripped(small_answered())
    text = notebook.cells[2]  # ex1_text, turned into a code cell by the editor
    text.cell_type, text.outputs, text.execution_count = "code", [], None
    restored, _ = restore(notebook)
    assert restored.cells[2].cell_type == "markdown" and "outputs" not in restored.cells[2]
    assert grade_id(restored.cells[2]) == "ex1_text"


def test_scratch_cells_stay_ordinary_and_the_answer_is_the_cell_defining_its_names():
    notebook = stripped(small_answered())
    notebook.cells[3:3] = [new_code_cell("scratch = square"), new_markdown_cell("my notes")]
    notebook.cells.insert(5, new_code_cell("print(square(2))"))
    notebook.cells.insert(9, new_code_cell("def helper(x):\n    return x"))  # before cube
    restored, problems = restore(notebook)
    assert problems == [f"{LOST}; it was {RESTORED}"]
    found = ids_by_source(restored)
    assert found[ANSWERS["ex1"]] == "ex1" and found[ANSWERS["ex2"]] == "ex2"
    for scratch in ("scratch = square", "my notes", "print(square(2))",
                    "def helper(x):\n    return x"):
        assert found[scratch] is None


def test_an_answer_that_does_not_parse_is_still_found_by_its_names():
    notebook = stripped(small_answered())
    notebook.cells[3].source = "def square(x) return x * x"
    notebook.cells.insert(3, new_code_cell("y = 2"))
    restored, _ = restore(notebook)
    assert ids_by_source(restored)["def square(x) return x * x"] == "ex1"
    assert ids_by_source(restored)["y = 2"] is None


def test_without_the_names_the_only_cell_then_the_first_with_text_is_the_answer():
    notebook = stripped(small_answered())
    notebook.cells[3].source = "def sq(x):\n    return x * x"  # renamed: the only cell there
    cube = notebook.cells.index(next(c for c in notebook.cells if c.source == ANSWERS["ex2"]))
    notebook.cells[cube:cube + 1] = [new_code_cell(""), new_code_cell("c = 1"),
                                     new_code_cell("d = 2")]
    restored, problems = restore(notebook)
    found = ids_by_source(restored)
    assert found["def sq(x):\n    return x * x"] == "ex1"
    assert found["c = 1"] == "ex2" and found["d = 2"] is None
    assert problems == [f"{LOST}; it was {RESTORED}"]


def test_a_written_answer_is_found_among_the_markdown_cells():
    notebook = stripped(small_answered())
    notebook.cells.insert(9, new_code_cell("x = 1"))  # code beside the written answer
    restored, _ = restore(notebook)
    assert ids_by_source(restored)[ANSWERS["ex3"]] == "ex3"
    assert ids_by_source(restored)["x = 1"] is None


def test_an_edited_text_cell_stays_ordinary_and_the_rest_is_found():
    notebook = stripped(small_answered())
    notebook.cells[5].source = "## Exercise 2\n\nCube it. (I think I know how.)"
    restored, problems = restore(notebook)
    assert problems == [f"{LOST}; it was {RESTORED}"]  # nbgrader grades no text cell
    assert grade_id(restored.cells[5]) is None
    assert ids_by_source(restored)[ANSWERS["ex2"]] == "ex2"


def test_locked_cells_are_matched_in_the_release_order():
    notebook = stripped(small_answered())
    notebook.cells.insert(1, copy.deepcopy(notebook.cells[7]))  # test_ex2 copied near the top
    restored, _ = restore(notebook)
    assert grade_id(restored.cells[1]) is None
    assert grade_id(restored.cells[8]) == "test_ex2"


def test_a_deleted_test_cell_is_named():
    restored, problems = restore(stripped(without(small_answered(), "test_ex2")))
    assert problems[0] == f"{LOST}; it was {RESTORED}, except for 1 of its 5 test and answer cells"
    assert len(problems) == 2 and "for test_ex2 " in problems[1]
    assert "not be graded" in problems[1]
    assert ids_by_source(restored)[ANSWERS["ex2"]] == "ex2"
    assert "test_ex2" not in [grade_id(c) for c in restored.cells]


def test_a_deleted_answer_cell_is_named_and_no_other_cell_takes_its_place():
    notebook = stripped(without(small_answered(), "ex1"))
    notebook.cells.insert(3, copy.deepcopy(notebook.cells[3]))  # a copy of test_ex1 there
    restored, problems = restore(notebook)
    assert len(problems) == 2 and "for ex1 " in problems[1] and "answer cell" in problems[1]
    assert [grade_id(c) for c in restored.cells].count("test_ex1") == 1
    assert "ex1" not in [grade_id(c) for c in restored.cells]


def test_a_notebook_of_garbage_gets_no_grading_information_and_says_so():
    notebook = stripped(small_answered())
    for cell in notebook.cells:
        cell.source = "pass" if cell.cell_type == "code" else "garbage"
    restored, problems = restore(notebook)
    assert not any(grade_id(c) for c in restored.cells)
    assert problems == [f"{LOST}, and none of the release's cells were found in it, so none of "
                        "its exercises could be graded"]


def test_a_notebook_in_another_order_restores_little_and_names_the_rest():
    notebook = stripped(small_answered())
    notebook.cells.reverse()
    restored, problems = restore(notebook)
    assert problems[0].startswith(f"{LOST}; it was {RESTORED}, except for ")
    assert sum("test cell was not found" in p for p in problems) >= 1
    locked = [c for c in restored.cells if grade_id(c) and c.metadata["nbgrader"].get("locked")]
    assert len(locked) <= 1  # the longest run in the release's order is one cell


def test_a_notebook_with_its_metadata_and_a_deleted_test_is_left_to_nbgrader():
    restored, problems = restore(without(small_answered(), "test_ex2"))
    assert problems == []  # as with JupyterLab: nbgrader gives the deleted test no credit
    assert "test_ex2" not in [grade_id(c) for c in restored.cells]


def test_cells_that_lost_their_metadata_beside_cells_that_kept_it():
    notebook = small_answered()
    for cell in notebook.cells:
        if cell.metadata["nbgrader"].get("solution"):
            cell.metadata = nbformat.NotebookNode()  # answers pasted in from elsewhere
    restored, problems = restore(notebook)
    assert problems == [f"{LOST}; it was {RESTORED}"]
    assert [grade_id(c) for c in restored.cells] == [grade_id(c) for c in small_release().cells]


# ---------------------------------------------------------------------------------------------
# Graded for real: the tiny assignment and a1, each in one batch
# ---------------------------------------------------------------------------------------------
def write_json(notebook, path: Path, one_string: bool = False, v44: bool = False) -> None:
    """Save ``notebook`` with each source as one string, or as nbformat 4.4 (no cell ids)."""
    data = json.loads(nbformat.writes(notebook))
    for cell in data["cells"]:
        if one_string:
            cell["source"] = "".join(cell["source"])
        if v44:
            cell.pop("id", None)
    if v44:
        data["nbformat_minor"] = 4
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1))


def answer_tests(release) -> dict[str, str]:
    """answer grade_id -> the grade_id of the first test cell after it in the release."""
    tests, current = {}, None
    for cell in release.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            current = meta["grade_id"]
        elif meta.get("grade") and cell.cell_type == "code" and current:
            tests[current], current = meta["grade_id"], None
    return tests


def garbage(notebook):
    notebook = copy.deepcopy(notebook)
    for index, cell in enumerate(notebook.cells):
        cell.source = f"x{index} = {index}" if cell.cell_type == "code" else f"notes {index}"
    return notebook


def make_students(release, source, folder: Path, name: str, which: list[str]) -> dict:
    """The notebooks of the students ``which``, saved in ``folder``; student -> (score,
    phrases of its problems), the score as a fraction of the maximum points.

    Every notebook is complete and correct before it is damaged, so only the damage can cost
    points."""
    points = grade_cell_points(release)
    total = sum(points.values())
    tests = answer_tests(release)
    answers = solution_cell_ids(source)
    good = answered(release, source, answers)
    lost_test = list(points)[len(points) // 2]  # a test in the middle
    lost_answer = answers[-1]  # the last answer: no later answer uses what it defines
    students = {}

    def save(student, notebook, score, problems, **how):
        if student in which:
            write_json(notebook, folder / student / f"{name}.ipynb", **how)
            students[student] = (score, problems)

    save("stripped", stripped(good, seed=1, everything=True), 1, [RESTORED])  # as Colab does
    scratch = stripped(good, seed=3)
    answer = next(i for i, c in enumerate(good.cells)
                  if grade_id(c) == answers[min(1, len(answers) - 1)])
    scratch.cells.insert(answer, new_code_cell("scratch = 1 + 1"))
    scratch.cells.insert(1, new_markdown_cell("My notes: *read the slides first*."))
    save("scratch_one_string", scratch, 1, [RESTORED], one_string=True)
    spaces = stripped(good, seed=4)
    for cell in spaces.cells:
        cell.source = "\n" + "\n".join(line + "   " for line in cell.source.splitlines()) + "\n\n"
    save("v44_trailing_spaces", spaces, 1, [RESTORED], v44=True)
    save("no_test", stripped(without(good, lost_test), seed=5), 1 - points[lost_test] / total,
         [RESTORED, f"{lost_test} (was it edited"])
    save("no_answer", stripped(without(good, lost_answer), seed=6),
         1 - points[tests[lost_answer]] / total, [RESTORED, f"for {lost_answer} (was it edited"])
    save("garbage", garbage(stripped(good, seed=7)), 0, [f"{LOST}, and none of the release's"])
    backwards = stripped(good, seed=8)
    backwards.cells.reverse()
    save("other_order", backwards, 0, [f"{RESTORED}, except for", "test cell was not found"])
    return students


def grade_batch(fixture: Path, which: list[str], tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    assignment, release, source = released_copy(fixture, root)
    folder = tmp_path_factory.mktemp("submissions")
    expected = make_students(release, source, folder, assignment.notebooks[0], which)
    results = grade_submissions(assignment, collect(folder, assignment),
                                tmp_path_factory.mktemp("run") / "nbgrader",
                                GradingOptions(workers=2, notebook_timeout=120, cell_timeout=30))
    return expected, {r.student_id: r for r in results}


# Each batch costs seconds per notebook: a1 gets the ways of saving a complete notebook and
# what costs points; the tiny assignment what costs points (an intact notebook is graded in
# tests/test_grading_pipeline.py).
STUDENTS = {"a1": ["stripped", "scratch_one_string", "v44_trailing_spaces", "no_test",
                   "no_answer", "other_order"],
            "tiny": ["stripped", "no_test", "no_answer", "garbage", "other_order"]}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return grade_batch(FIXTURE, STUDENTS["tiny"], tmp_path_factory)


@pytest.fixture(scope="module")
def a1(tmp_path_factory):
    return grade_batch(A1, STUDENTS["a1"], tmp_path_factory)


@pytest.mark.parametrize(("batch", "student"),
                         [(b, s) for b in ("tiny", "a1") for s in STUDENTS[b]])
def test_graded_for_real_the_damage_costs_exactly_its_points_and_is_named(batch, student,
                                                                           request):
    expected, results = request.getfixturevalue(batch)
    assert set(results) == set(STUDENTS[batch])
    fraction, phrases = expected[student]
    result = results[student]
    assert result.graded
    assert result.score == pytest.approx(fraction * result.max_score), result.problems
    if not phrases:
        assert result.problems == [] and result.status == "graded"
    else:
        assert result.status == "graded with problems"
        for phrase in phrases:
            assert any(phrase in p for p in result.problems), (phrase, result.problems)
