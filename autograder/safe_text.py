"""Text that came from students or an LMS file, made safe to show: in a terminal (control
characters shown as escapes, so that a name cannot fake or hide lines of a report) and in a
spreadsheet (a cell that would run as a formula is written as text).

Imported by the submissions' checks, the grading report and ``export``; it imports nothing, so
that ``export`` (which must not pull in nbgrader) and ``report`` share one rule.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such a cell


def printable(text: str) -> str:
    """``text`` with control characters (newlines, terminal escapes) shown as escapes."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


def spreadsheet_text(text: str) -> str:
    """Text a spreadsheet will not run as a formula: with a leading ' when it starts like one."""
    return f"'{text}" if text.startswith(FORMULA_START) else text


def csv_text(text: str) -> str:
    """Text from a submission, safe in a spreadsheet and a terminal: a folder named
    ``=HYPERLINK(...)`` is shown as text (with a leading ') instead of being run as a formula,
    and control characters (terminal escapes) as escapes."""
    safe = printable(text)
    return f"'{safe}" if text.startswith(FORMULA_START) else safe
