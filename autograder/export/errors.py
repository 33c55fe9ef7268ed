"""The one error of ``export``: the export cannot be made, and nothing was written."""

from __future__ import annotations

from autograder.coursedir import SetupError


class ExportError(SetupError):
    """The export cannot be made (unknown format, ambiguous column, a file that is not ours):
    nothing is written, the command exits non-zero."""
