"""The training-loop assignment grades the same under every OpenBLAS kernel a student's or a
lecturer's machine may pick.

Its exercises train networks (mini-batch gradient descent, early stopping); kernels sum in
different orders, so their runs differ in the last bits. Its tests promise to grade only what
holds whatever the rounding. Here the solution, and correct answers in students' own styles
(tests/fairness/a7_training_loop.py), are graded by the real pipeline in a fresh process per
kernel (OPENBLAS_CORETYPE and NumPy's SIMD features set as ``lectures/kernel_matrix.py`` sets
them: the zygote that forks the students' kernels, and the judges, start under it), and every
run must give full marks. Each submission also prints the BLAS kernel its own kernel ran on,
read back from the graded notebook, so that a kernel silently not applied cannot pass.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.coursedir import REPOSITORY, find_assignment
from autograder.samples import answered, released_copy, solution_cell_ids, with_answer, write

sys.path.insert(0, str(REPOSITORY / "lectures"))
from kernel_matrix import KERNELS, environment, plan  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from test_fairness import load_variants  # noqa: E402

NAME = "a7_training_loop"
# what threadpoolctl reports for a forced kernel, where it is not the kernel's own name
# (OpenBLAS's Prescott kernel reports the architecture "Katmai")
REPORTED_AS = {"Prescott": ("Prescott", "Katmai")}
SHOW_BLAS = ("from threadpoolctl import threadpool_info\n"
             "print('BLAS:', [i.get('architecture') for i in threadpool_info()"
             " if i['internal_api'] == 'openblas'])")
GRADE = """
import json, sys
from pathlib import Path
from autograder.coursedir import Assignment
from autograder.grading import GradingOptions, grade_submissions, use_this_environment
from autograder.submissions import collect
use_this_environment()
root, submissions, run = (Path(p) for p in sys.argv[1:4])
assignment = Assignment(sys.argv[4], root / "solutions" / sys.argv[4])
results = grade_submissions(assignment, collect(submissions, assignment), run,
                            GradingOptions(workers=2, feedback=False))
print(json.dumps({r.student_id: [r.score, r.problems] for r in results}))
"""


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The assignment released into a scratch course, and two submissions: the solution, and
    the first correct answer in another style of every exercise, each with a cell that prints
    the BLAS kernel it ran on."""
    root = tmp_path_factory.mktemp("course")
    assignment, release_nb, source = released_copy(find_assignment(NAME).source_dir, root)
    name = f"{assignment.notebooks[0]}.ipynb"
    solution = answered(release_nb, source, solution_cell_ids(source))
    styles, done = solution, set()
    for variant in load_variants(NAME):
        if variant.correct and variant.exercise not in done:
            styles = with_answer(styles, variant.exercise, variant.source)
            done.add(variant.exercise)
    folder = root / "submissions"
    for student, notebook in (("solution", solution), ("other_styles", styles)):
        notebook = copy.deepcopy(notebook)
        notebook.cells.append(nbformat.v4.new_code_cell(SHOW_BLAS))
        write(notebook, folder / student / name)
    return root, folder


@pytest.mark.parametrize("kernel", [k for k in KERNELS if k.name != "default"],
                         ids=lambda k: k.name)
def test_the_training_loop_assignment_grades_the_same_under_every_kernel(kernel, course,
                                                                         tmp_path):
    (_, why), = plan([kernel.name], skip_default=True)  # as the lectures' kernel matrix skips
    if why:
        pytest.skip(why)
    root, folder = course
    run = tmp_path / "run"
    done = subprocess.run([sys.executable, "-c", GRADE, str(root), str(folder), str(run), NAME],
                          env=environment(kernel), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    assert results == {"solution": [100.0, []], "other_styles": [100.0, []]}
    for student in results:
        graded = nbformat.read(run / "autograded" / student / NAME / f"{NAME}.ipynb", 4)
        printed = "".join(o.get("text", "") for o in graded.cells[-1].outputs)
        names = REPORTED_AS.get(kernel.coretype, (kernel.coretype,))
        assert any(f"BLAS: ['{name}']" in printed for name in names), printed
