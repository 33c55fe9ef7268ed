"""The standing test of fairness: a grader never takes a point from a correct answer, and never
gives one to a wrong answer that the exercise's text rules out.

For every exercise of every assignment, ``tests/fairness/<assignment>.py`` holds correct
answers written in other styles than the solution (loops, lists, float32 where the text allows
it, local names that look like the tests', copies, helpers, other formulas) and plausible wrong
answers, one per convention the text states. They are graded for real, in one batch per
assignment (the real pipeline: release, sandboxed kernels, the judge, nbgrader's gradebook), and
run as a student runs them in JupyterLab (check mode, the released notebook with its visible
tests). The tests assert that

* every correct answer gets the full points of its exercise;
* every wrong answer loses points (exactly the points stated, where the data says how many),
  and already loses points on the visible tests, so that a student learns of the mistake
  before submitting;
* the score a student sees for the visible tests is the graded run's score of its visible part;
* no line of the hidden tests appears in the feedback the students receive.

Every answer must be deterministic, since the visible score is compared across two runs of it:
a wrong answer that ignores ``rng`` seeds NumPy's global generator rather than draw from its
unseeded state.

Answers are packed: one notebook holds one variant of every exercise (the exercises are graded
independently), so a batch has as many notebooks as the exercise with the most variants.
"""

from __future__ import annotations

import importlib.util
import multiprocessing as mp
import os
import shutil
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbgrader.utils import determine_grade
from received import leaks, secret_lines

from autograder.coursedir import Assignment, assignments, find_assignment
from autograder.grading import GradingOptions, grade_submissions
from autograder.judge import is_test_cell
from autograder.report import write_feedback
from autograder.samples import answered, released_copy, solution_cell_ids, with_answer, write
from autograder.submissions import collect

HERE = Path(__file__).parent
ASSIGNMENTS = [a.name for a in assignments()]  # every assignment of solutions/


@dataclass(frozen=True)
class Variant:
    """One answer to one exercise, and what it should get."""

    exercise: str  # the answer cell's grade_id
    correct: bool
    label: str  # the style of a correct answer, the convention a wrong one breaks
    source: str
    score: float | None = None  # the exact score a wrong answer gets, where the data says


def load_variants(name: str) -> list[Variant]:
    """The answers of ``tests/fairness/<name>.py``: CORRECT maps an exercise to a list of
    ``(style, source)``; WRONG to a list of ``(convention, source)`` or ``(convention,
    source, exact score)``."""
    spec = importlib.util.spec_from_file_location(f"fairness_{name}",
                                                  HERE / "fairness" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    variants = [Variant(exercise, True, style, source)
                for exercise, answers in module.CORRECT.items() for style, source in answers]
    for exercise, answers in module.WRONG.items():
        for entry in answers:
            convention, source, *score = entry
            variants.append(Variant(exercise, False, convention, source,
                                    float(score[0]) if score else None))
    return variants


def pack(variants: list[Variant]) -> dict[str, dict[str, Variant]]:
    """Students -> (exercise -> its variant in that student's notebook): notebook ``answers_n``
    holds the n-th variant (correct or wrong) of every exercise that has one; every other
    exercise keeps the solution's answer. The exercises are graded independently, so one
    notebook can hold a correct answer to one and a wrong answer to another."""
    students: dict[str, dict[str, Variant]] = {}
    by_exercise: dict[str, list[Variant]] = {}
    for variant in variants:
        by_exercise.setdefault(variant.exercise, []).append(variant)
    for exercise, answers in by_exercise.items():
        for number, variant in enumerate(answers):
            students.setdefault(f"answers_{number:02d}", {})[exercise] = variant
    return students


def _run_as_a_student(path: str) -> dict[str, float]:
    """Test cell grade_id -> the score it shows when the student runs the notebook."""
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=300, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(Path(path).parent)}})
    client.execute(env=dict(os.environ, AUTOGRADER_MODE="check"))
    return {cell.metadata["nbgrader"]["grade_id"]: determine_grade(cell)[0] or 0.0
            for cell in notebook.cells if is_test_cell(cell)}


@dataclass
class Graded:
    """One assignment's batch: what each test cell gave each student, graded and as seen."""

    variants: dict[str, dict[str, Variant]]  # student -> exercise -> variant
    points: dict[str, float]  # test grade_id -> points
    graded: dict[str, dict[str, float]]  # student -> test grade_id -> score
    visible_graded: dict[str, dict[str, float]]  # ... the graded run's visible part
    visible_points: dict[str, float]  # test grade_id -> points of its visible part
    seen: dict[str, dict[str, float]]  # student -> test grade_id -> score in check mode
    reports: dict[str, dict[str, str]]  # student -> test grade_id -> the printed report
    problems: dict[str, list[str]]
    feedback_files: int = 0  # files written for the students to receive
    leaks: dict[str, list[str]] | None = None  # such a file -> the hidden-test lines it shows


def grade_batch(name: str, folder: str) -> Graded:
    """One assignment's batch, graded for real and run as students run it, in ``folder``.

    Runs in a process of its own (see :func:`batches`): the grader keeps per-process state
    (its judge pools, its sandbox policy), so two assignments are graded side by side in two
    processes, never in one."""
    root = Path(folder)
    # released without running the solution first: the batch grades it (student 'solution')
    assignment, release_nb, source = released_copy(find_assignment(name).source_dir,
                                                   root / "course", validate=False)
    notebook_name = f"{assignment.notebooks[0]}.ipynb"
    solution = answered(release_nb, source, solution_cell_ids(source))
    students = {"solution": {}, **pack(load_variants(name))}
    for student, answers in students.items():
        notebook = solution
        for exercise, variant in answers.items():
            notebook = with_answer(notebook, exercise, variant.source)
        write(notebook, root / "submissions" / student / notebook_name)
    with ThreadPoolExecutor(max_workers=1) as pool:  # a student's run, beside the grading
        seen_futures = {student: pool.submit(_run_as_a_student, str(
                            root / "submissions" / student / notebook_name))
                        for student in students}
        run = root / "run" / "nbgrader"
        results = grade_submissions(assignment, collect(root / "submissions", assignment), run,
                                    GradingOptions(workers=2, notebook_timeout=600,
                                                   cell_timeout=120,
                                                   sandbox=shutil.which("bwrap") is not None))
        seen = {student: future.result() for student, future in seen_futures.items()}
    write_feedback(results, assignment, run, root / "out")
    batch = _read_batch(assignment, run, notebook_name, students, seen,
                        {r.student_id: r.problems for r in results})
    batch.feedback_files = sum(1 for p in (root / "out" / "feedback").rglob("*") if p.is_file())
    batch.leaks = leaks(root / "out" / "feedback", secret_lines(source, release_nb),
                        root / "submissions")
    return batch


@pytest.fixture(scope="session")
def batches(tmp_path_factory) -> dict[str, Graded]:
    """Every assignment's batch, two assignments at a time (each one alone leaves a core
    idle much of the time: its steps wait on one another)."""
    root = tmp_path_factory.mktemp("fairness")
    with ProcessPoolExecutor(max_workers=2, mp_context=mp.get_context("spawn")) as pool:
        futures = {name: pool.submit(grade_batch, name, str(root / name))
                   for name in ASSIGNMENTS}
        return {name: future.result() for name, future in futures.items()}


@pytest.fixture(params=ASSIGNMENTS)
def graded(request, batches) -> Graded:
    return batches[request.param]


def _read_batch(assignment: Assignment, run: Path, notebook_name: str, students, seen,
                problems) -> Graded:
    graded, visible, visible_points, reports, points = {}, {}, {}, {}, {}
    for student in students:
        path = run / "autograded" / student / assignment.name / notebook_name
        if not path.exists():
            raise RuntimeError(f"{assignment.name}: {student} was not graded: "
                               f"{problems.get(student)}")
        notebook = nbformat.read(path, as_version=4)
        graded[student], visible[student], reports[student] = {}, {}, {}
        for cell in notebook.cells:
            if not is_test_cell(cell):
                continue
            grade_id = cell.metadata["nbgrader"]["grade_id"]
            score, max_score = determine_grade(cell)
            points[grade_id] = max_score
            graded[student][grade_id] = score or 0.0
            results = cell.metadata.get("autograder", {}).get("results", [])
            visible[student][grade_id] = sum(r["score"] for r in results if r["visible"])
            if student == "solution":
                visible_points[grade_id] = sum(r["points"] for r in results if r["visible"])
            reports[student][grade_id] = "".join(
                o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
    return Graded(students, points, graded, visible, visible_points, seen, reports, problems)


def test_no_hidden_test_line_reaches_a_student(graded: Graded):
    """Every student's feedback (an index page and the graded notebook's page) is searched for
    every line of the assignment's hidden tests; wrong answers fail hidden cases, whose report
    lines used to show the inputs and expected values."""
    assert graded.feedback_files == 2 * len(graded.variants)
    assert graded.leaks == {}


def test_every_exercise_has_other_correct_answers_and_wrong_ones():
    for name in ASSIGNMENTS:
        source = nbformat.read(next(find_assignment(name).source_dir.glob("*.ipynb")),
                               as_version=4)
        variants = load_variants(name)
        for exercise in solution_cell_ids(source):
            correct = [v for v in variants if v.exercise == exercise and v.correct]
            wrong = [v for v in variants if v.exercise == exercise and not v.correct]
            assert len(correct) >= 2, f"{name} {exercise}: two correct answers in other styles"
            assert len(wrong) >= 1, f"{name} {exercise}: a plausible wrong answer"


def _variants(graded: Graded, correct: bool):
    for student, answers in graded.variants.items():
        for exercise, variant in answers.items():
            if variant.correct == correct:
                yield student, f"test_{exercise}", variant


def test_the_solution_scores_full_marks_graded_and_as_seen(graded: Graded):
    assert graded.graded["solution"] == graded.points, graded.problems["solution"]
    assert graded.seen["solution"] == graded.visible_points
    assert graded.problems["solution"] == []


def test_correct_answers_in_other_styles_get_full_marks(graded: Graded):
    unfair = [f"{test} [{variant.label}]: {graded.graded[student][test]:g} of "
              f"{graded.points[test]:g}\n{graded.reports[student][test]}"
              for student, test, variant in _variants(graded, correct=True)
              if graded.graded[student][test] != graded.points[test]]
    assert not unfair, "\n".join(unfair)


def test_correct_answers_get_full_marks_on_the_visible_tests_too(graded: Graded):
    unfair = [f"{test} [{variant.label}]: {graded.seen[student][test]:g} of "
              f"{graded.visible_points[test]:g} in JupyterLab"
              for student, test, variant in _variants(graded, correct=True)
              if graded.seen[student][test] != graded.visible_points[test]]
    assert not unfair, "\n".join(unfair)


def test_wrong_answers_lose_points(graded: Graded):
    wrong = []
    for student, test, variant in _variants(graded, correct=False):
        score = graded.graded[student][test]
        if variant.score is not None and score != pytest.approx(variant.score):
            wrong.append(f"{test} [{variant.label}]: {score:g}, expected {variant.score:g}")
        elif score >= graded.points[test]:
            wrong.append(f"{test} [{variant.label}]: full marks for a wrong answer")
    assert not wrong, "\n".join(wrong)


def test_wrong_answers_are_caught_by_the_visible_tests(graded: Graded):
    missed = [f"{test} [{variant.label}]: {graded.seen[student][test]:g} of "
              f"{graded.visible_points[test]:g} on the visible tests"
              for student, test, variant in _variants(graded, correct=False)
              if graded.seen[student][test] >= graded.visible_points[test]]
    assert not missed, "\n".join(missed)


def test_the_visible_score_a_student_sees_is_the_graded_runs_visible_part(graded: Graded):
    differ = [f"{student} {test}: {graded.seen[student][test]:g} in JupyterLab, "
              f"{graded.visible_graded[student][test]:g} when graded"
              for student in graded.variants for test in graded.points
              if graded.seen[student][test] != pytest.approx(graded.visible_graded[student][test])]
    assert not differ, "\n".join(differ)
