"""Putting a submission's grading information back from the release.

nbgrader knows what to grade by each cell's nbgrader metadata: its grade_id, whether it is an
answer, a test or a locked cell, its points. A student can damage that metadata: edit it (more
points, a test turned into an answer), duplicate a graded cell, or lose it altogether, as some
editors do (Colab and some VS Code variants drop the cells' metadata and give them new ids).
Without it nbgrader sees no graded cells and the notebook scores 0 with nothing said.

:func:`restore_metadata` gives every cell the release's metadata back: by grade_id where the
cell still has one, and, for the cells that lost it, by what a student cannot change without
it showing: the text of the locked cells, and where the answer cells lie between them. What
cannot be restored is returned as a problem in plain words, for the lecturer and the student.
"""

from __future__ import annotations

import ast
import re

from nbformat import NotebookNode

LOST = "the notebook had lost its nbgrader grading information (was it edited outside JupyterLab?)"


def restore_metadata(notebook: NotebookNode, release: NotebookNode
                     ) -> tuple[NotebookNode, list[str]]:
    """The student's ``notebook`` with its cells' nbgrader metadata taken from ``release``, and
    the problems met doing it (sentences; empty when nothing was wrong).

    First by grade_id: every cell whose grade_id the release knows gets the release's metadata
    and cell type back, a second cell with the same grade_id is dropped, and nbgrader metadata
    the release does not know is removed (the cell stays, as an ordinary cell). nbgrader itself
    then puts back the source of every locked cell.

    Then, if cells of the release were not found that way, by their contents, among the cells
    that have no nbgrader metadata:

    - a locked cell of the release (text, set-up code, a test) is found by its source, which
      the student was not meant to change (compared without trailing spaces and blank lines at
      either end, which editors add and remove). The locked cells must appear in the release's
      order: as many of them as can be matched in that order are taken, so a copy elsewhere
      or a locked cell the student edited is left as an ordinary cell.
    - an answer cell is found between the locked cells found around it in the release: among
      the cells of its type there, the one that defines the names the release's answer cell
      defines (its function, say), else the only one, else the first that is not empty (these
      two only if a locked cell was found before or after it: in a notebook where none was,
      any cell would be a guess). The other cells there stay ordinary cells (scratch work).

    Every cell found gets the release's metadata and cell type. If cells had to be found by
    their contents, the problems say so, and name each test cell and answer cell that could not
    be found (a test not found gives no points). A notebook that still has its metadata and
    merely lacks a cell (a deleted test) is left to nbgrader, which gives that test no credit.
    """
    known = {_grade_id(c): c for c in release.cells if _grade_id(c)}
    cells, positions = _restore_by_grade_id(notebook.cells, known)
    notebook.cells = cells
    if len(positions) == len(known):
        return notebook, []
    found = _find_by_contents(release.cells, cells, positions)
    for grade_id, index in found.items():
        _put_back(cells[index], known[grade_id])
    if not found and positions:  # the metadata is there: a cell was deleted, as nbgrader sees it
        return notebook, []
    if not found:
        return notebook, [f"{LOST}, and none of the release's cells were found in it, so none of "
                          "its exercises could be graded"]
    positions.update(found)
    graded = [c for c in release.cells if _is_test(c) or _is_answer(c)]
    missing = [c for c in graded if _grade_id(c) not in positions]
    restored = f"{LOST}; it was restored from the release by matching the cells' contents"
    if missing:
        restored += f", except for {len(missing)} of its {len(graded)} test and answer cells"
    problems = [restored]
    for cell in missing:
        lost = (f"the notebook lost its grading information for {_grade_id(cell)} (was it "
                "edited outside JupyterLab?) and that")
        if _is_test(cell):
            problems.append(f"{lost} test cell was not found in it unchanged; that exercise "
                            "could not be graded")
        elif _nbgrader(cell).get("grade"):
            problems.append(f"{lost} answer cell was not found in it; that answer could not be "
                            "graded")
        else:
            problems.append(f"{lost} answer cell was not found in it; the tests of that "
                            "exercise ran on whatever the other cells define")
    return notebook, problems


def _restore_by_grade_id(cells: list, known: dict) -> tuple[list, dict[str, int]]:
    """The cells with the metadata of every known grade_id put back, duplicates dropped and
    unknown nbgrader metadata removed; and grade_id -> index of the cell that has it."""
    kept: list = []
    positions: dict[str, int] = {}
    for cell in cells:
        grade_id = _grade_id(cell)
        if grade_id in known:
            if grade_id in positions:
                continue  # a duplicate of a graded cell
            positions[grade_id] = len(kept)
            _put_back(cell, known[grade_id])
        else:
            cell.get("metadata", {}).pop("nbgrader", None)
        kept.append(cell)
    return kept, positions


def _find_by_contents(release_cells: list, cells: list, positions: dict[str, int]
                      ) -> dict[str, int]:
    """grade_id -> index in ``cells`` of each release cell not in ``positions`` that is found
    by its contents among the cells without nbgrader metadata."""
    free = [i for i, c in enumerate(cells) if not _grade_id(c)]
    text = {i: _normalized(cells[i]) for i in free}
    locked_texts = {_normalized(c) for c in release_cells if _is_locked(c)}
    wanted = [c for c in release_cells if _is_locked(c) and _grade_id(c) not in positions
              and _normalized(c)]
    texts = {_normalized(c) for c in wanted}
    found = _in_order(wanted, [i for i in free if text[i] in texts], text)
    anchors = dict(positions) | found  # grade_id -> index, of the locked cells found
    taken = set(found.values())
    names_of: dict[int, set[str]] = {}

    def defined(i: int) -> set[str]:
        if i not in names_of:
            names_of[i] = _defined_names(cells[i])
        return names_of[i]

    answers = {}  # release index -> (the cells it may be, the names it defines, anchored)
    for r, cell in enumerate(release_cells):
        if not _is_answer(cell) or _grade_id(cell) in positions:
            continue
        before = [anchors[_grade_id(c)] for c in release_cells[:r]
                  if _is_locked(c) and _grade_id(c) in anchors]
        after = [anchors[_grade_id(c)] for c in release_cells[r + 1:]
                 if _is_locked(c) and _grade_id(c) in anchors]
        first, last = max(before, default=-1), min(after, default=len(cells))
        candidates = [i for i in free if first < i < last and i not in taken
                      and cells[i].get("cell_type") == cell.cell_type
                      and text[i] not in locked_texts]
        answers[r] = (candidates, _defined_names(cell), bool(before or after))
    for r, (candidates, names, _) in answers.items():  # first the cells that define the names
        overlap = {i: len(names & defined(i)) for i in candidates if i not in taken}
        best = max(overlap.values(), default=0)
        if best:
            found[_grade_id(release_cells[r])] = index = next(
                i for i in overlap if overlap[i] == best)
            taken.add(index)
    for r, (candidates, _, anchored) in answers.items():  # then the only one, or the first
        if _grade_id(release_cells[r]) in found or not anchored:  # with text, near a known cell
            continue
        left = [i for i in candidates if i not in taken]
        pick = left if len(left) == 1 else [i for i in left if text[i]]
        if pick:
            found[_grade_id(release_cells[r])] = pick[0]
            taken.add(pick[0])
    return found


def _in_order(wanted: list, indices: list[int], text: dict[int, str]) -> dict[str, int]:
    """grade_id -> index: the longest matching of the release cells ``wanted`` to the student
    cells ``indices`` (whose sources are ``text``) by equal source that keeps both in order
    (the earliest cells on ties)."""
    a = [_normalized(c) for c in wanted]
    b = [text[i] for i in indices]
    # longest[i][j]: the most cells of a[i:] and b[j:] that match in order
    longest = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        row, below = longest[i], longest[i + 1]
        for j in range(len(b) - 1, -1, -1):
            row[j] = below[j + 1] + 1 if a[i] == b[j] else max(below[j], row[j + 1])
    matches, i, j = {}, 0, 0
    while i < len(a) and j < len(b):
        if a[i] == b[j] and longest[i][j] == longest[i + 1][j + 1] + 1:
            matches[_grade_id(wanted[i])] = indices[j]
            i, j = i + 1, j + 1
        elif longest[i + 1][j] >= longest[i][j + 1]:
            i += 1
        else:
            j += 1
    return matches


def _put_back(cell: NotebookNode, original: NotebookNode) -> None:
    """Give ``cell`` the release cell's nbgrader metadata and cell type."""
    cell.cell_type = original.cell_type
    if not isinstance(cell.get("metadata"), dict):
        cell["metadata"] = NotebookNode()
    cell.metadata["nbgrader"] = dict(original.metadata["nbgrader"])
    if cell.cell_type == "code":
        cell.pop("attachments", None)
        if "outputs" not in cell:
            cell.outputs, cell.execution_count = [], None
    else:
        cell.pop("outputs", None)
        cell.pop("execution_count", None)


def _grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _is_locked(cell) -> bool:
    """A cell of the release whose source the student is not meant to change."""
    meta = _nbgrader(cell)
    return bool(meta.get("locked") or (meta.get("grade") and not meta.get("solution")))


def _is_answer(cell) -> bool:
    return bool(_nbgrader(cell).get("solution"))


def _is_test(cell) -> bool:
    meta = _nbgrader(cell)
    return bool(meta.get("grade") and not meta.get("solution") and cell.cell_type == "code")


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _normalized(cell) -> str:
    """A cell's source as it is compared: one string, no trailing spaces on its lines, no blank
    lines at the start or the end."""
    text = _source(cell)
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")


_DEFINITION = re.compile(r"^(?:async\s+def|def|class)\s+([A-Za-z_]\w*)"
                         r"|^([A-Za-z_]\w*)\s*(?::[^=]*)?=(?!=)")


def _defined_names(cell) -> set[str]:
    """The names a code cell defines at its top level (functions, classes, assignments); a cell
    that does not parse (a syntax error, IPython magics) is read line by line."""
    if cell.get("cell_type") != "code":
        return set()
    text = _source(cell)
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {m.group(1) or m.group(2) for m in map(_DEFINITION.match, text.splitlines())
                if m}
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names
