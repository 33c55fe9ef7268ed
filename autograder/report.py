"""What a grading run leaves behind: the grades CSV, feedback per student, a summary table."""

from __future__ import annotations

import csv
import html
import shutil
from pathlib import Path

from autograder.coursedir import Assignment
from autograder.grades_columns import COLUMNS
from autograder.grading import StudentResult
from autograder.safe_text import csv_text, printable
from autograder.submissions import Skipped


def write_grades_csv(results: list[StudentResult], path: Path) -> None:
    """One row per student found, also for a student whose submission could not be graded.

    ``name``, ``late`` (true/false) and ``submitted_at`` (ISO 8601) are empty where the
    submissions' export does not say.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        for r in results:
            late = "" if r.late is None else str(r.late).lower()
            when = r.submitted_at.isoformat() if r.submitted_at else ""
            writer.writerow([csv_text(r.student_id), f"{r.score:g}", f"{r.max_score:g}",
                             r.status, csv_text("; ".join(r.problems)),
                             csv_text(r.name or ""), late, when])


def write_feedback(results: list[StudentResult], assignment: Assignment, course_root: Path,
                   out: Path) -> None:
    """``out/feedback/<student>/``: nbgrader's HTML per notebook, plus a summary page."""
    for r in results:
        target = out / "feedback" / r.student_id
        if target.parent != out / "feedback" or r.student_id in ("", ".", ".."):
            continue  # not a plain folder name: no page rather than one elsewhere
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        generated = course_root / "feedback" / r.student_id / assignment.name
        if generated.is_dir():
            for page in generated.glob("*.html"):
                shutil.copyfile(page, target / page.name)
        (target / "index.html").write_text(_summary_page(r, assignment))


def _summary_page(result: StudentResult, assignment: Assignment) -> str:
    problems = "".join(f"<li>{html.escape(p)}</li>" for p in result.problems) or "<li>none</li>"
    pages = "".join(f'<li><a href="{n}.html">{n}.ipynb</a></li>' for n in assignment.notebooks)
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(assignment.name)}: {html.escape(result.student_id)}</title></head>"
        f"<body><h1>{html.escape(assignment.name)}</h1>"
        f"<p>Student: <b>{html.escape(result.student_id)}</b></p>"
        f"<p>Score: <b>{result.score:g} / {result.max_score:g}</b> ({result.status})</p>"
        f"<h2>Problems found</h2><ul>{problems}</ul>"
        f"<h2>Your graded notebooks</h2><ul>{pages}</ul>"
        "<p>Each test prints what it checked: the input, what was expected and what came "
        "back.</p></body></html>"
    )


def summary_table(results: list[StudentResult], notes: list[str] | None = None,
                  skipped: list[Skipped] | None = None, layout: str | None = None) -> str:
    """A plain-text table: student, score, status and problems (and the student's name and
    lateness where the submissions say); then what was not graded: the ``notes`` and
    ``skipped`` entries that belong to no student (zip members with unsafe paths, hidden
    folders, stray files), and the ``skipped`` files of students (older attempts, files that
    are not notebooks); first, the ``layout`` the submissions were read in, if given.

    Names and problems come from the submissions: control characters (a newline, a terminal
    escape in a folder name) are shown as escapes, so that they cannot fake or hide lines.
    """
    ids = [printable(r.student_id) for r in results]
    names = [printable(r.name or "") for r in results]
    width = max([len("student")] + [len(i) for i in ids])
    name_width = max(len(n) for n in names) if any(names) else 0
    name_head = f"{'name':<{name_width}}  " if name_width else ""
    lines = [f"read as: {layout}"] if layout else []
    lines += [f"{'student':<{width}}  {name_head}{'score':>13}  status / problems",
              f"{'-' * width}  {'-' * name_width + '  ' if name_width else ''}{'-' * 13}  "
              f"{'-' * 40}"]
    indent = f"{'':<{width}}  {'':<{name_width}}  " if name_width else f"{'':<{width}}  "
    for student_id, name, r in zip(ids, names, results):
        score = f"{r.score:g} / {r.max_score:g}"
        name_cell = f"{name:<{name_width}}  " if name_width else ""
        late = ", late" if r.late else ""
        lines.append(f"{student_id:<{width}}  {name_cell}{score:>13}  {r.status}{late}")
        for problem in r.problems:
            lines.append(f"{indent}{'':>13}    - {printable(problem)}")
    graded = [r for r in results if r.graded]
    late_count = sum(1 for r in results if r.late)
    late_text = f", {late_count} late" if late_count else ""
    if graded:
        mean = sum(r.score for r in graded) / len(graded)
        lines.append(f"{len(results)} students, {len(graded)} graded, mean score {mean:.1f}"
                     f"{late_text}")
    else:
        lines.append(f"{len(results)} students, none graded{late_text}")
    skipped = skipped or []
    nobodys = list(notes or []) + [s.describe() for s in skipped if s.student_id is None]
    students = [s.describe() for s in skipped if s.student_id is not None]
    if nobodys:
        lines.append(f"not graded, belonging to no student ({len(nobodys)}):")
        lines += [f"  - {printable(note)}" for note in nobodys]
    if students:
        lines.append(f"skipped files of students ({len(students)}):")
        lines += [f"  - {line}" for line in students]
    return "\n".join(lines)
