"""The gradebook file made in this process is the one nbgrader makes, and nbgrader uses it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from nbgrader.api import Gradebook

from autograder.gradebook_file import create_gradebook, schema_version
from autograder.grading import use_this_environment


def _contents(path: Path):
    with sqlite3.connect(path) as db:
        schema = sorted(db.execute("SELECT type, name, sql FROM sqlite_master"))
        versions = list(db.execute("SELECT version_num FROM alembic_version"))
    return schema, versions


def test_the_same_database_as_nbgrader_creates(tmp_path):
    use_this_environment()  # nbgrader's own way runs the environment's alembic
    theirs, ours = tmp_path / "theirs.db", tmp_path / "ours.db"
    Gradebook(f"sqlite:///{theirs}").close()
    create_gradebook(ours)
    assert _contents(ours) == _contents(theirs)
    assert _contents(ours)[1] == [(schema_version(),)]


def test_nbgrader_uses_it_and_an_existing_one_is_left_as_it_is(tmp_path):
    path = tmp_path / "course" / "gradebook.db"
    create_gradebook(path)
    with Gradebook(f"sqlite:///{path}") as gradebook:
        gradebook.add_student("ada", first_name="Ada")
    create_gradebook(path)
    with Gradebook(f"sqlite:///{path}") as gradebook:
        assert [s.id for s in gradebook.students] == ["ada"]
