"""``python -m autograder export``: grades.csv into the gradebook files Canvas and Moodle export.

The fixtures in tests/fixtures/lms/ are written by hand in the exact shapes the LMSs export:
Canvas's gradebook export (UTF-8 with BOM, a "Manual Posting" row, "    Points Possible",
computed columns; CRLF here, as a spreadsheet saves it) and Moodle's grading worksheet (UTF-8
with BOM, LF, fields quoted as PHP's fputcsv quotes them). Each test compares the file written
with the LMS's own, cell by cell (Python's csv module) and byte by byte, and one grades a real
batch with the real pipeline and exports it through the real command line.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from cli import run_cli

from autograder import export
from autograder.__main__ import main
from autograder.export import ExportError, export_grades

LMS = Path(__file__).parent / "fixtures" / "lms"
CANVAS = LMS / "canvas_gradebook.csv"
MOODLE = LMS / "moodle_worksheet.csv"
BOM = b"\xef\xbb\xbf"
A1 = 6  # the column "A1 Neuron Perceptron (10293)" of the Canvas fixture
GRADE, FEEDBACK = 4, 9  # Moodle's Grade and Feedback comments

CANVAS_GRADES = """\
student_id,score,max_score,status,problems
4101,92,100,graded,
aturing,75.5,100,graded with problems,time limit: cell 3 was stopped
4103,88,100,graded,
kgodel,0,100,not graded,hw.ipynb is not a text file
9999,50,100,graded,
"""

MOODLE_GRADES = """\
student_id,score,max_score,status,problems
1234567,85,100,graded with problems,test_ex2_cube: cube(3) returned 9 expected 27
Alan Turing_1234568_assignsubmission_file_,62.5,100,graded,
1234570,0,100,not graded,hw.ipynb is not a text file
Participant 1234571,95,100,graded (unsandboxed),
7777777,40,100,graded,
"""


def grades_file(folder: Path, text: str, name: str = "grades.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder / name


def cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def changed_cells(before: bytes, after: bytes) -> dict[tuple[int, int], tuple[str, str]]:
    """(row, column) -> (old, new) for every cell that differs; the shapes must be equal."""
    old, new = cells(before), cells(after)
    assert [len(r) for r in old] == [len(r) for r in new]
    return {(r, c): (old[r][c], new[r][c]) for r in range(len(old)) for c in range(len(old[r]))
            if old[r][c] != new[r][c]}


def test_canvas_fills_the_assignments_column_and_leaves_every_other_byte(tmp_path):
    grades = grades_file(tmp_path, CANVAS_GRADES)
    out = tmp_path / "upload.csv"
    summary = export_grades(grades, CANVAS, out, assignment="a1_neuron_perceptron")
    before, after = CANVAS.read_bytes(), out.read_bytes()
    assert changed_cells(before, after) == {(3, A1): ("85.00", "92.00"),  # Ada, by ID
                                            (4, A1): ("", "75.50")}  # Alan, by SIS Login ID
    # bytes: the BOM, every CRLF, every line but the two filled ones exactly as they were
    assert after.startswith(BOM) and after.count(b"\r\n") == before.count(b"\r\n") == 9
    assert after.count(b"\n") == before.count(b"\n")
    old_lines, new_lines = before.split(b"\r\n"), after.split(b"\r\n")
    assert [i for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b] == [3, 4]
    assert new_lines[3] == b'"Lovelace, Ada",4101,S001,alovelace,Section A,,92.00,,,9.00,' \
                           + b",".join([b"94.50"] * 8)
    assert new_lines[4] == b'"Turing, Alan",4102,S002,aturing,Section A,"Asked for ""extra"" ' \
                           b'time",75.50,,,7.50,' + b",".join([b"75.00"] * 8)
    # the rows that are not students: kept, and the Points Possible row read
    assert cells(after)[1][A1] == "Manual Posting" and cells(after)[2][0] == "    Points Possible"
    assert summary.max_points == 100 and not summary.scaled
    assert summary.column == "A1 Neuron Perceptron (10293)"
    assert [(g.student_id, g.value) for g in summary.filled] == [("4101", "92.00"),
                                                                  ("aturing", "75.50")]
    assert summary.no_submission == ("Noether, Emmy (ID 4104)", "Student, Test (ID 4199)")
    assert summary.not_graded == ("Gödel, Kurt (ID 4105)",)
    assert summary.not_in_roster == ("9999",)
    assert summary.kept == (("Hopper, Grace (ID 4103)", "excused in Canvas"),)
    assert [g.label for g in summary.changed] == ["Lovelace, Ada (ID 4101)"]
    report = export.describe(summary)
    for phrase in ("2 grades written", "no submission, left blank (2)", "Noether, Emmy",
                   "not graded", "Gödel, Kurt", "not in the LMS file, written nowhere (1)",
                   "9999", "excused in Canvas", "85.00 -> 92.00"):
        assert phrase in report


def test_canvas_column_by_title_and_by_the_grading_runs_folder(tmp_path):
    grades = grades_file(tmp_path / "grades" / "a1_neuron_perceptron", CANVAS_GRADES)
    by_folder = export_grades(grades, CANVAS, tmp_path / "a.csv")  # grades/<assignment>/
    assert by_folder.column == "A1 Neuron Perceptron (10293)"
    # "A2 Backprop" is exactly one title without its id, though two titles contain it
    by_title = export_grades(grades, CANVAS, tmp_path / "b.csv", column="A2 Backprop")
    assert set(changed_cells(CANVAS.read_bytes(), (tmp_path / "b.csv").read_bytes())) \
        == {(3, 7), (4, 7), (5, 7)}  # Grace is excused in A1 only
    assert by_title.column == "A2 Backprop (10294)"
    exact = export_grades(grades, CANVAS, tmp_path / "c.csv",
                          column="A2 Backprop written part (10297)")
    assert exact.max_points == 20 and exact.scaled  # our 100 points into Canvas's 20
    assert cells((tmp_path / "c.csv").read_bytes())[3][8] == "18.40"


def test_canvas_with_first_and_last_name_columns_semicolons_and_decimal_commas(tmp_path):
    """Canvas in a comma-decimal locale writes ; between fields and 100,00."""
    gradebook = tmp_path / "export.csv"
    gradebook.write_bytes(BOM + b"LastName;FirstName;ID;SIS Login ID;Section;"
                          b"A1 Neuron Perceptron (10293)\n    Points Possible;;;;;100,00\n"
                          b"Lovelace;Ada;4101;alovelace;Section A;\n")
    grades = grades_file(tmp_path, CANVAS_GRADES)
    summary = export_grades(grades, gradebook, tmp_path / "out.csv", column="A1 Neuron "
                            "Perceptron")
    assert (tmp_path / "out.csv").read_bytes() == gradebook.read_bytes().replace(
        b"Section A;\n", b"Section A;92,00\n")
    assert summary.filled[0].label == "Ada Lovelace (ID 4101)"


def test_moodle_fills_grade_in_its_scale_and_a_one_line_comment(tmp_path):
    grades = grades_file(tmp_path, MOODLE_GRADES)
    out = tmp_path / "worksheet.csv"
    summary = export_grades(grades, MOODLE, out)
    before, after = MOODLE.read_bytes(), out.read_bytes()
    ada = "Autograder: 85 of 100 points (grade 8.50 of 10.00); problems were found, see " \
          "your feedback file."
    emmy = "Autograder: 95 of 100 points (grade 9.50 of 10.00)."
    assert changed_cells(before, after) == {
        (1, GRADE): ("", "8.50"), (1, FEEDBACK): ("", ada),  # participant id
        (2, GRADE): ("7.00", "6.25"),  # a "Download all" folder; a marker's comment is kept
        (5, GRADE): ("9.00", "9.50"), (5, FEEDBACK): (cells(before)[5][FEEDBACK], emmy),
    }
    assert "test_ex2_cube" not in after.decode()  # never what the hidden tests checked
    assert after.startswith(BOM) and after.count(b"\n") == before.count(b"\n") == 6
    assert b"\r" not in after
    old_lines, new_lines = before.split(b"\n"), after.split(b"\n")
    assert [i for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b] == [1, 2, 5]
    assert new_lines[1] == ('"Participant 1234567","Ada Lovelace",ada@uni.example,"Submitted '
                            'for grading - Not graded",8.50,10.00,Yes,"Monday, 3 March 2025, '
                            f'10:15 AM",-,"{ada}"').encode()  # quoted like fputcsv's text
    assert summary.scaled and summary.max_points == 10 and summary.max_score == 100
    assert summary.feedback_column == "Feedback comments"
    assert summary.feedback_kept == ("Participant 1234568 Alan Turing",)
    assert summary.no_submission == ("Participant 1234569 Grace Hopper",)
    assert summary.not_graded == ("Participant 1234570 Kurt Gödel",)
    assert summary.not_in_roster == ("7777777",)
    report = export.describe(summary)
    assert "scaled from our 100 points to the LMS's 10" in report
    assert "Grace Hopper" in report and "7777777" in report and "Kurt Gödel" in report


GERMAN_WORKSHEET = (
    'ID,"Vollständiger Name",E-Mail-Adresse,Status,Bewertung,Bestwertung,"Bewertung kann '
    'geändert werden","Zuletzt geändert (Abgabe)","Zuletzt geändert (Bewertung)","Feedback als '
    'Kommentar"\n'
    'Teilnehmer/in1234567,"Ada Lovelace",ada@uni.example,"Zur Bewertung abgegeben",,"10,00",Ja,'
    '"Montag, 3. März 2025, 10:15",-,\n'
)


def test_moodle_in_another_language_fails_clearly_then_works_with_header(tmp_path, capsys):
    gradebook = tmp_path / "bewertungstabelle.csv"
    gradebook.write_bytes(BOM + GERMAN_WORKSHEET.encode())
    grades = grades_file(tmp_path, MOODLE_GRADES)
    out = tmp_path / "out.csv"
    assert main(["export", str(grades), str(gradebook), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert "format is not recognised" in error and "'Bewertung', 'Bestwertung'" in error
    assert "Maximum Grade" in error and "Moodle's identifiers in another language" in error
    assert not out.exists()
    assert main(["export", str(grades), str(gradebook), "--out", str(out),
                 "--header", "identifier=ID", "--header", "grade=Bewertung",
                 "--header", "maximum=Bestwertung",
                 "--header", "modified=Zuletzt geändert (Bewertung)",
                 "--header", "feedback=Feedback als Kommentar"]) == 0
    assert "1 grades written in column 'Bewertung'" in capsys.readouterr().out
    assert out.read_bytes() == gradebook.read_bytes().replace(
        b'abgegeben",,"10,00"', b'abgegeben","8,50","10,00"').replace(
        b'10:15",-,\n', b'10:15",-,"Autograder: 85 of 100 points (grade 8,50 of 10,00); '
                        b'problems were found, see your feedback file."\n')


@pytest.mark.parametrize("args, message", [
    (["--assignment", "a2_backprop"], "matches 2 columns: A2 Backprop (10294); A2 Backprop "
                                      "written part (10297)"),
    (["--assignment", "a5_init_batchnorm"], "matches no assignment column; assignment "
                                            "columns: A1 Neuron Perceptron (10293); A2"),
    (["--column", "Current Score"], "is not an assignment column (Canvas computes it"),
    ([], "which assignment's column? grades.csv does not say: give --column TITLE "
         "(assignment columns: A1 Neuron Perceptron (10293);"),
])
def test_canvas_ambiguous_or_missing_columns_exit_non_zero(tmp_path, capsys, args, message):
    grades = grades_file(tmp_path, CANVAS_GRADES)
    out = tmp_path / "out.csv"
    assert main(["export", str(grades), str(CANVAS), "--out", str(out), *args]) == 2
    error = capsys.readouterr().err
    assert message in error
    assert not out.exists()


def test_unknown_formats_and_files_not_ours_exit_non_zero(tmp_path, capsys):
    grades = grades_file(tmp_path, CANVAS_GRADES)
    sheet = tmp_path / "marks.csv"
    sheet.write_text("name,mark\nada,5\n")
    assert main(["export", str(grades), str(sheet), "--out", str(tmp_path / "o.csv")]) == 2
    error = capsys.readouterr().err
    assert "format is not recognised: its columns are 'name', 'mark'" in error
    assert "Canvas gradebook export" in error and "Moodle grading worksheet" in error
    assert main(["export", str(sheet), str(CANVAS), "--out", str(tmp_path / "o.csv")]) == 2
    assert "not a grades.csv written by `python -m autograder grade`: its columns are name, " \
           "mark" in capsys.readouterr().err
    scale = tmp_path / "scale.csv"
    scale.write_bytes(MOODLE.read_bytes().replace(b'"Maximum Grade"', b"Scale"))
    assert main(["export", str(grades), str(scale), "--out", str(tmp_path / "o.csv")]) == 2
    assert "missing 'Maximum Grade' (it has a Scale column" in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("text, message", [
    (CANVAS_GRADES + "\n4101,50,100,graded,\n", "student '4101' is on lines 2 and 8"),
    (CANVAS_GRADES.replace("75.5,100", "-3,100"), "line 3 has score '-3' of max_score '100'"),
    (CANVAS_GRADES.replace("88,100", "88,50"), "different max_score values (50, 100)"),
    (CANVAS_GRADES.replace("not graded", "skipped"), "line 5 has the status 'skipped'"),
])
def test_grades_files_that_are_not_ours_are_refused_by_line(tmp_path, text, message):
    with pytest.raises(ExportError, match=re.escape(message)):
        export_grades(grades_file(tmp_path, text), CANVAS, tmp_path / "o.csv", assignment="a1")
    assert not (tmp_path / "o.csv").exists()


def test_an_assignment_of_0_points_is_refused(tmp_path):
    gradebook = tmp_path / "canvas.csv"
    gradebook.write_bytes(CANVAS.read_bytes().replace(b",,100.00,100.00", b",,0.00,100.00"))
    with pytest.raises(ExportError, match="gives 'A1 Neuron Perceptron \\(10293\\)' 0 points"):
        export_grades(grades_file(tmp_path, CANVAS_GRADES), gradebook, tmp_path / "o.csv",
                      assignment="a1")


def test_the_lms_file_itself_is_never_overwritten(tmp_path, capsys):
    gradebook = tmp_path / "canvas.csv"
    shutil.copyfile(CANVAS, gradebook)
    grades = grades_file(tmp_path, CANVAS_GRADES)
    assert main(["export", str(grades), str(gradebook), "--out", str(gradebook),
                 "--assignment", "a1"]) == 2
    assert "is the input" in capsys.readouterr().err
    assert gradebook.read_bytes() == CANVAS.read_bytes()


def test_a_roster_row_matched_twice_is_an_error_not_a_guess(tmp_path):
    twice = grades_file(tmp_path, CANVAS_GRADES + "alovelace,10,100,graded,\n")  # Ada again
    with pytest.raises(ExportError, match="Lovelace, Ada .* fits two students of grades.csv: "
                                          "'4101' and 'alovelace'"):
        export_grades(twice, CANVAS, tmp_path / "out.csv", assignment="a1")
    shared_login = tmp_path / "canvas.csv"  # two rows with the same SIS Login ID
    shared_login.write_bytes(CANVAS.read_bytes().replace(b"enoether", b"aturing"))
    with pytest.raises(ExportError, match="'aturing' fits 2 rows of the LMS file by SIS Login"):
        export_grades(grades_file(tmp_path, CANVAS_GRADES), shared_login, tmp_path / "out.csv",
                      assignment="a1")
    assert not (tmp_path / "out.csv").exists()


def test_written_values_are_numbers_or_safe_text():
    from autograder.safe_text import spreadsheet_text

    record = export.GradeRecord("=HYPERLINK(1)", 5, 8, "graded", "")
    book = export.Gradebook("moodle", None, 0, [], ("participant id",), 8)
    assert export.feedback_comment(record, "5.00", book) == "Autograder: 5 of 8 points."
    assert spreadsheet_text("=1+1") == "'=1+1"


# -- with the real pipeline ------------------------------------------------------------------

@pytest.fixture(scope="module")
def graded_run(tmp_path_factory):
    """The tiny assignment graded by the real command line: alice answers everything, bob hands
    in the release unchanged, carol's notebook is not a text file (not graded)."""
    from autograder.samples import answered, released_copy, write

    root = tmp_path_factory.mktemp("course")
    _, release_nb, source = released_copy(Path(__file__).parent / "fixtures" / "tiny", root)
    folder = tmp_path_factory.mktemp("submissions")
    write(answered(release_nb, source, ["ex1_square", "ex2_cube"]),
          folder / "alice" / "tiny.ipynb")
    write(release_nb, folder / "bob" / "tiny.ipynb")
    (folder / "carol").mkdir()
    (folder / "carol" / "tiny.ipynb").write_bytes(b"\xff\xfe not utf-8")
    archive = folder / "lms_export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in folder.rglob("*.ipynb"):
            z.write(path, Path("course_export") / path.relative_to(folder))
    out = root / "results"
    done = run_cli("grade", "tiny", str(archive), "--course-dir", str(root), "--out", str(out),
                   "--workers", "2", "--timeout", "60", "--no-progress")
    assert done.returncode == 0, done.stderr[-2000:]
    return out / "grades.csv"


def test_cli_exports_a_real_grading_run_into_canvas(graded_run, tmp_path):
    gradebook = tmp_path / "2025-03-04T0900_Grades-NN101.csv"
    gradebook.write_bytes(BOM + (
        b"Student,ID,SIS User ID,SIS Login ID,Section,A1 Neuron Perceptron (10293),Tiny (10298),"
        b"Current Score,Unposted Current Score,Final Score,Unposted Final Score\n"
        b"    Points Possible,,,,,100.00,8.00,(read only),(read only),(read only),(read only)\n"
        b'"Liddell, Alice",5001,S101,alice,Section A,91.00,,91.00,91.00,91.00,91.00\n'
        b'"Builder, Bob",5002,S102,bob,Section A,,,,,0.00,0.00\n'
        b'"Carroll, Carol",5003,S103,carol,Section B,,,,,0.00,0.00\n'
        b'"Doe, Dave",5004,S104,dave,Section B,,,,,0.00,0.00\n'))
    out = tmp_path / "upload.csv"
    # no --column, no --assignment: the run's own nbgrader/source/tiny says which
    done = run_cli("export", str(graded_run), str(gradebook), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert changed_cells(gradebook.read_bytes(), out.read_bytes()) == {
        (2, 6): ("", "8.00"), (3, 6): ("", "0.00")}  # carol (not graded), dave: blank
    assert "2 grades written in column 'Tiny (10298)'" in done.stdout
    report = done.stdout.split("\n")
    carol = report.index("not graded (see grades.csv for why), left blank (1):")
    assert report[carol + 1] == "  - Carroll, Carol (ID 5003)"
    dave = report.index("roster students with no submission, left blank (1):")
    assert report[dave + 1] == "  - Doe, Dave (ID 5004)"
