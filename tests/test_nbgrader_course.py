"""The repository is an nbgrader course directory: nbgrader's own API (the one behind the
formgrader and assignment-list JupyterLab extensions) finds the assignments in solutions/."""

from pathlib import Path

from nbgrader.apps.api import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config.loader import PyFileConfigLoader

from autograder.coursedir import REPOSITORY, assignments


def test_nbgrader_reads_the_course_config_and_finds_every_assignment(tmp_path):
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPOSITORY)).load_config()
    assert config.CourseDirectory.source_directory == "solutions"
    # a scratch copy of the course, so that the test writes no gradebook into the repository
    for assignment in assignments():
        target = tmp_path / "solutions" / assignment.name
        target.mkdir(parents=True)
        for notebook in assignment.source_dir.glob("*.ipynb"):
            (target / notebook.name).write_bytes(notebook.read_bytes())
    coursedir = CourseDirectory(config=config, root=str(tmp_path))
    api = NbGraderAPI(coursedir=coursedir, config=config)
    assert sorted(api.get_source_assignments()) == [a.name for a in assignments()]
    assert Path(coursedir.format_path("solutions", ".", "a1_neuron_perceptron")).is_dir()
