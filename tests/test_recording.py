"""The coordinator's recording (autograder.recording) leaves the gradebook as nbgrader's own
Autograde leaves it, with the run's gradebook opened once; a student whose recording fails
is kept out of it, and the next is recorded as if nothing had happened.

Real nbgrader on both sides: ``nbgrader autograde`` in a course directory of its own, and the
grading pipeline, on the same honest submissions of the tiny assignment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook, MissingEntry

from autograder.execute import GradingContext
from autograder.grading import GradingOptions, grade_submissions
from autograder.recording import RunGradebook, record_grades
from autograder.samples import answered, released_copy, write
from autograder.submissions import collect

FIXTURE = Path(__file__).parent / "fixtures" / "tiny"
HONEST = {"good": ["ex1_square", "ex2_cube"], "only_square": ["ex1_square"], "blank": []}


def gradebook_rows(db: Path) -> dict:
    """Every student's submission as the gradebook holds it: per notebook, its score and
    penalty; per cell, the auto score, whether it waits for a human, and the auto comment."""
    rows = {}
    with Gradebook(f"sqlite:///{db}") as gradebook:
        for submission in gradebook.assignment_submissions("tiny"):
            for notebook in submission.notebooks:
                rows[submission.student.id, notebook.name] = {
                    "score": notebook.score, "penalty": notebook.late_submission_penalty,
                    "grades": sorted((g.name, g.auto_score, g.needs_manual_grade)
                                     for g in notebook.grades),
                    "comments": sorted((c.name, c.auto_comment) for c in notebook.comments)}
    return rows


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    """The honest submissions, graded by the pipeline and by plain nbgrader autograde."""
    root = tmp_path_factory.mktemp("course")
    assignment, release_nb, source = released_copy(FIXTURE, root)
    folder = tmp_path_factory.mktemp("submissions")
    for student, answers in HONEST.items():
        write(answered(release_nb, source, answers), folder / student / "tiny.ipynb")
    run = tmp_path_factory.mktemp("run") / "nbgrader"
    grade_submissions(assignment, collect(folder, assignment), run, GradingOptions(workers=2))
    plain = tmp_path_factory.mktemp("plain")
    shutil.copytree(assignment.source_dir, plain / "source" / "tiny")
    (plain / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.course_id = "course"\n')
    for student in HONEST:
        shutil.copytree(folder / student, plain / "submitted" / student / "tiny")
    env = dict(os.environ,
               PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    for command in ("generate_assignment", "autograde"):
        subprocess.run([sys.executable, "-m", "nbgrader", command, "tiny"], cwd=plain, env=env,
                       check=True, capture_output=True)
    return run, plain


def test_the_gradebook_holds_what_nbgrader_s_autograde_would_have_saved(honest):
    run, plain = honest
    ours, nbgraders = gradebook_rows(run / "gradebook.db"), gradebook_rows(plain / "gradebook.db")
    assert set(ours) == {(student, "tiny") for student in HONEST}
    assert ours == nbgraders
    assert ours["good", "tiny"]["score"] == 8 and ours["blank", "tiny"]["score"] == 0


def test_a_student_whose_recording_fails_is_left_out_and_the_next_is_recorded(honest):
    run, _ = honest
    received = run / "received"
    broken = received / "broken" / "tiny"
    broken.mkdir(parents=True)
    (broken / "tiny.ipynb").write_text('{"cells": [ oops')  # as if damaged on its way back
    shutil.rmtree(received / "again", ignore_errors=True)
    shutil.copytree(received / "good", received / "again")
    shutil.copytree(run / "submitted" / "good", run / "submitted" / "again", dirs_exist_ok=True)
    with RunGradebook(run) as gradebook:
        context = GradingContext(gradebook=gradebook)
        with pytest.raises(Exception):  # noqa: B017, PT011 - nbgrader's own error, any kind
            record_grades("broken", "tiny", run, context)
        record_grades("again", "tiny", run, context)
    with Gradebook(f"sqlite:///{run / 'gradebook.db'}") as gradebook:
        assert gradebook.find_submission("tiny", "again").score == 8
        with pytest.raises(MissingEntry):
            gradebook.find_submission("tiny", "broken")
