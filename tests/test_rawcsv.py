"""autograder/rawcsv.py: a CSV file cut into exact field text gives the same bytes back, and the
same values as Python's csv module reads."""

from __future__ import annotations

import csv
import io
import random

import pytest

from autograder.rawcsv import CsvError, CsvFile


def values(table: CsvFile) -> list[list[str]]:
    return [[row.value(i) for i in range(len(row.fields))] for row in table.rows]


def test_random_files_read_as_the_csv_module_reads_them_and_come_back_byte_for_byte():
    rng = random.Random(0)
    pieces = ["a", "b", " ", ",", ";", "\t", '"', "\n", "\r\n", "é", "7", "="]
    for _ in range(1500):
        delimiter = rng.choice([",", ";", "\t"])
        rows = [[f"h{i}" for i in range(5)]] + [
            ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 5)))
             for _ in range(rng.randint(1, 5))] for _ in range(rng.randint(0, 6))]
        out = io.StringIO(newline="")
        csv.writer(out, delimiter=delimiter, lineterminator=rng.choice(["\r\n", "\n"]),
                   quoting=rng.choice([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])).writerows(rows)
        text = out.getvalue() if rng.random() < 0.7 else out.getvalue().rstrip("\r\n")
        data = (b"\xef\xbb\xbf" if rng.random() < 0.5 else b"") + text.encode()
        table = CsvFile.parse(data)
        assert table.delimiter == delimiter
        assert values(table) == list(csv.reader(io.StringIO(text, newline=""),
                                                delimiter=delimiter))
        assert table.to_bytes() == data


def test_setting_a_cell_changes_only_that_cell_and_quotes_as_the_file_does():
    data = b'Name,Mark,Note\r\n"Lovelace, Ada",,"x"\r\nTuring Alan,7\n'
    table = CsvFile.parse(data)
    table.set(1, 1, "8.5")
    table.set(1, 2, 'said "hi", left')  # was quoted, and needs it
    table.set(2, 2, "late, 1 day")  # past the row's end: one empty field added, quoted
    assert table.to_bytes() == (b'Name,Mark,Note\r\n"Lovelace, Ada",8.5,"said ""hi"", left"'
                                b'\r\nTuring Alan,7,"late, 1 day"\n')


def test_a_file_that_quotes_text_with_spaces_gets_new_text_quoted_too():
    """PHP's fputcsv (Moodle's worksheets) quotes every field with a space."""
    table = CsvFile.parse(b'Identifier,"Full name",Note\n"Participant 1","Ada L",\n')
    table.set(1, 2, "two words")
    assert table.to_bytes().endswith(b',"two words"\n')
    plain = CsvFile.parse(b"Student,Section,Note\nAda,Section A,\n")  # Canvas leaves them bare
    plain.set(1, 2, "two words")
    assert plain.to_bytes().endswith(b",two words\n")


def test_bytes_that_are_not_utf8_survive_untouched():
    data = "Name;Note\r\nG\xf6del;\r\n".encode("cp1252")  # a spreadsheet's Windows code page
    table = CsvFile.parse(data)
    assert table.delimiter == ";"
    table.set(1, 1, "8")
    assert table.to_bytes() == "Name;Note\r\nG\xf6del;8\r\n".encode("cp1252")


def test_broken_files_are_refused_with_the_reason():
    with pytest.raises(CsvError, match="starts on line 2 is never closed"):
        CsvFile.parse(b'a,b\n"open,1\n2,3\n')
    with pytest.raises(CsvError, match="UTF-16"):
        CsvFile.parse("a\tb\n".encode("utf-16"))
