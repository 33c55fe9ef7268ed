"""The output limit of graded notebooks (autograder.execute.TruncateOutput), on its own.

A cell's printed and displayed text shares one budget; images have their own, larger one and
are kept whole or not at all; a cell's value (its score) and its errors are always kept, cut to
size. Every cut says so, in words the summary looks for.
"""

from __future__ import annotations

import nbformat

from autograder.execute import CUT_MARK, TruncateOutput


def truncated(outputs, max_chars=100, max_image_chars=1000):
    cell = nbformat.v4.new_code_cell("print('...')")
    cell.outputs = outputs
    step = TruncateOutput(max_chars=max_chars, max_image_chars=max_image_chars)
    return step.preprocess_cell(cell, {}, 0)[0].outputs


def stream(text):
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def test_small_outputs_are_kept_as_they_are():
    outputs = [stream("hello\n"), nbformat.v4.new_output(
        "execute_result", data={"text/plain": "5.0"}, execution_count=1)]
    assert truncated([dict(o) for o in outputs]) == outputs


def test_printed_text_shares_one_budget_per_cell():
    kept = truncated([stream("a" * 60), stream("b" * 60), stream("c" * 60), stream("d" * 60)])
    assert kept[0]["text"] == "a" * 60
    assert kept[1]["text"].startswith("b" * 40 + "\n... [20 more characters cut by the grader]")
    assert kept[2]["text"] == "\n... [2 more outputs cut by the grader]\n"
    assert len(kept) == 3


def test_many_short_lines_do_not_make_a_huge_notebook():
    kept = truncated([stream("x\n") for _ in range(30_000)], max_chars=20_000)
    assert sum(len(o["text"]) for o in kept) < 21_000
    assert CUT_MARK in kept[-1]["text"]


def test_the_score_and_errors_are_always_kept_and_cut_to_size():
    kept = truncated([
        stream("z" * 500),
        nbformat.v4.new_output("execute_result", data={"text/plain": "3.0"}, execution_count=2),
        nbformat.v4.new_output("error", ename="ValueError", evalue="v" * 10_000,
                               traceback=["t" * 10_000] * 1000),
    ])
    kinds = [o["output_type"] for o in kept]
    assert kinds == ["stream", "execute_result", "error"]
    assert kept[1]["data"]["text/plain"] == "3.0"
    assert len(kept[2]["evalue"]) < 200 and len(kept[2]["traceback"]) == 200
    assert all(len(line) < 200 for line in kept[2]["traceback"])


def test_images_are_kept_whole_within_their_own_budget():
    png = nbformat.v4.new_output("display_data", data={"image/png": "i" * 600,
                                                       "text/plain": "<Figure>"})
    kept = truncated([stream("a" * 100), dict(png), dict(png)])
    assert kept[1]["data"]["image/png"] == "i" * 600  # not cut: a cut image is broken
    assert kept[2]["text"] == "\n... [1 more outputs cut by the grader]\n"
