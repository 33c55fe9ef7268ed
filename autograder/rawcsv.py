"""A CSV file edited in place: every byte outside the cells that are set stays as it was.

Python's ``csv`` module reads values and writes them back in its own dialect (its quoting, its
line endings), so a gradebook exported by an LMS and written again that way differs from the
original in every quoted cell and on every line. Here a file is cut into each field's exact
text (quotes included) and each row's own line ending; joining them gives the file back byte
for byte, and only a cell that is set is written anew, quoted as the LMS quoted it.

The text is read as UTF-8 with ``surrogateescape``: a file saved in another encoding (a
spreadsheet's Windows code page) still comes back unchanged, since only the cells we set, which
hold ASCII, are new. UTF-16 files are refused with a clear message.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

DELIMITERS = (",", ";", "\t")  # a spreadsheet that saves CSV in a comma-decimal locale uses ;
QUOTE = '"'


class CsvError(ValueError):
    """The file cannot be read as CSV (an unclosed quote, UTF-16 text)."""


@dataclass
class CsvRow:
    """One record: its fields as written in the file, and the line ending after it."""

    fields: list[str]  # each field's text, quotes included
    end: str  # "\r\n", "\n", "\r", or "" for a last line without one

    def value(self, column: int) -> str:
        """The cell's value (quotes removed), ``""`` past the row's last field."""
        return unquote(self.fields[column]) if column < len(self.fields) else ""


class CsvFile:
    """A CSV file as rows of exact field text; ``to_bytes()`` gives the same bytes back."""

    def __init__(self, rows: list[CsvRow], delimiter: str, bom: bool):
        self.rows = rows
        self.delimiter = delimiter
        self.bom = bom
        self.quotes_spaces = _quotes_spaces(rows)  # the file's quoting style, for new cells

    @classmethod
    def parse(cls, data: bytes) -> CsvFile:
        """Cut ``data`` into rows and fields; the delimiter is the one among ``, ; TAB`` that
        the first line uses most (outside quotes)."""
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise CsvError("the file is UTF-16 text: save it as \"CSV UTF-8\" and try again")
        bom = data.startswith(codecs.BOM_UTF8)
        text = data[len(codecs.BOM_UTF8):].decode("utf-8", "surrogateescape") if bom \
            else data.decode("utf-8", "surrogateescape")
        delimiter = _delimiter(text)
        table = cls(_split(text, delimiter), delimiter, bom)
        if table.to_bytes() != data:  # cannot happen: the split keeps every character
            raise RuntimeError("rawcsv: the file did not survive being read; nothing written")
        return table

    def to_bytes(self) -> bytes:
        text = "".join(self.delimiter.join(row.fields) + row.end for row in self.rows)
        return (codecs.BOM_UTF8 if self.bom else b"") + text.encode("utf-8", "surrogateescape")

    @property
    def header(self) -> list[str]:
        """The first row's values, stripped of surrounding spaces."""
        return [self.rows[0].value(i).strip() for i in range(len(self.rows[0].fields))]

    def value(self, row: int, column: int) -> str:
        return self.rows[row].value(column)

    def set(self, row: int, column: int, value: str) -> None:
        """Write ``value`` into one cell, quoted as this file would quote it: if the cell was
        quoted, if the value needs it, or if it has a space and the file quotes such text (as
        PHP's ``fputcsv`` does, which Moodle uses). A row too short to hold the column gets
        empty fields up to it."""
        fields = self.rows[row].fields
        fields.extend([""] * (column + 1 - len(fields)))
        quote = (fields[column].startswith(QUOTE)
                 or any(c in value for c in (self.delimiter, QUOTE, "\r", "\n"))
                 or (" " in value and self.quotes_spaces))
        fields[column] = QUOTE + value.replace(QUOTE, QUOTE * 2) + QUOTE if quote else value


def unquote(field: str) -> str:
    """A field's value: the quotes around it removed and doubled quotes inside made single;
    text after a closing quote is kept, as the ``csv`` module keeps it."""
    if not field.startswith(QUOTE):
        return field
    close = _closing_quote(field, 1)
    return field[1:close].replace(QUOTE * 2, QUOTE) + field[close + 1:]


def _closing_quote(text: str, start: int) -> int:
    """Index of the quote that closes a quoted field whose text starts at ``start``, or -1."""
    while True:
        at = text.find(QUOTE, start)
        if at < 0 or not text.startswith(QUOTE * 2, at):
            return at
        start = at + 2


def _quotes_spaces(rows: list[CsvRow]) -> bool:
    """Whether the file quotes text with spaces (and never leaves such a field unquoted)."""
    fields = [f for row in rows for f in row.fields if " " in f]
    return bool(fields) and all(f.startswith(QUOTE) for f in fields)


def _delimiter(text: str) -> str:
    first_line, inside, i = [], False, 0
    while i < len(text) and (inside or text[i] not in "\r\n"):
        if text[i] == QUOTE:
            inside = not inside
        elif not inside:
            first_line.append(text[i])
        i += 1
    return max(DELIMITERS, key=first_line.count)


def _split(text: str, delimiter: str) -> list[CsvRow]:
    rows: list[CsvRow] = []
    fields: list[str] = []
    start = 0
    while True:
        end = start
        if text.startswith(QUOTE, start):
            close = _closing_quote(text, start + 1)
            if close < 0:
                line = text.count("\n", 0, start) + 1
                raise CsvError(f"a quoted field that starts on line {line} is never closed")
            end = close + 1
        while end < len(text) and text[end] not in (delimiter, "\r", "\n"):
            end += 1
        fields.append(text[start:end])
        if text.startswith(delimiter, end):
            start = end + 1
            continue
        line_end = "\r\n" if text.startswith("\r\n", end) else text[end:end + 1]
        rows.append(CsvRow(fields, line_end))
        fields, start = [], end + len(line_end)
        if start >= len(text):
            return rows
