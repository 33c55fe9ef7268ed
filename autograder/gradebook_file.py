"""A course's gradebook file (``gradebook.db``), created in this process.

nbgrader's :class:`~nbgrader.api.Gradebook`, opening a database that has no tables yet, creates
them and stamps the schema's version for later migrations. It learns that version by running
``alembic heads`` in a subprocess, and that subprocess imports nbgrader afresh: 4 to 5 seconds on
a 2-core machine, paid by every release and every grading run (each grading run has a gradebook
of its own). Here the database is created the way nbgrader creates it, with the version read in
this process from nbgrader's own migration scripts (a fifth of a second), so that nbgrader finds
an existing database and goes on as usual.
"""

from __future__ import annotations

import functools
from pathlib import Path

import nbgrader
from alembic.config import Config
from alembic.script import ScriptDirectory
from nbgrader.api import Base
from sqlalchemy import create_engine, inspect, text


@functools.cache
def schema_version() -> str:
    """The newest revision of nbgrader's gradebook schema (what ``alembic heads`` prints with
    nbgrader's migration scripts): a constant of the installed nbgrader."""
    config = Config()
    config.set_main_option("script_location", str(Path(nbgrader.__file__).parent / "alembic"))
    return ScriptDirectory.from_config(config).get_current_head()


def create_gradebook(path: Path) -> None:
    """Create the gradebook database ``path`` with nbgrader's tables and schema version, as
    nbgrader's ``Gradebook`` does for a new database; a database that has tables is left as it
    is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path.resolve()}", future=True)
    try:
        if inspect(engine).get_table_names():
            return
        Base.metadata.create_all(bind=engine)
        with engine.begin() as connection:
            connection.execute(text(
                "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"),
                               {"v": schema_version()})
    finally:
        engine.dispose()
