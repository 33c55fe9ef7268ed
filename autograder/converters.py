"""nbgrader's converters without their one change to the whole process: the working folder.

nbgrader's ``BaseConverter.start()`` changes into the course root for the conversion and back.
With converters in threads (the graders of :mod:`autograder.grading`), one comes back to the
folder another changed into, and the process can be left in a grader's folder after it is
removed: every kernel started after that fails, since its launcher asks for the working folder.
Nothing needs the change: every path a converter uses comes from ``CourseDirectory.root``, which
nbgrader makes absolute.
"""

from __future__ import annotations

from nbconvert.writers import FilesWriter
from nbgrader.converters import GenerateAssignment
from nbgrader.converters.base import BaseConverter


class KeepsWorkingDirectory(BaseConverter):
    """nbgrader's ``BaseConverter.start()``, the same steps without the change of folder.

    Named after the nbgrader converter in a class's bases (``class C(Autograde,
    KeepsWorkingDirectory)``), it takes the place of ``BaseConverter.start`` alone: a
    converter's own ``start()`` (GenerateAssignment's) still runs and calls this one."""

    def start(self) -> None:
        self.init_notebooks()
        self.writer = FilesWriter(parent=self, config=self.config)
        self.exporter = self.exporter_class(parent=self, config=self.config)
        for step in self.preprocessors:
            self.exporter.register_preprocessor(step)
        self.convert_notebooks()


class GenerateAssignmentKeepingDirectory(GenerateAssignment, KeepsWorkingDirectory):
    """nbgrader's GenerateAssignment (a release), leaving the working folder alone."""
