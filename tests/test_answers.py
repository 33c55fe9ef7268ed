"""The codec that carries a student's answers from their kernel to the judge (autograder.answers).

What comes back must be what went in, as far as the comparisons can tell (dtype, shape, tuple
against list, int against float, nan and inf); anything that is not plain data is refused on
the way out, and anything the encoder would not write is refused on the way in.
"""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from autograder import answers


def round_trip(value):
    return answers.decode(json.loads(answers.dumps({"v": answers.encode(value)}))["v"])


@pytest.mark.parametrize("value", [
    None, True, False, 0, -7, 2**70, 1.5, "text", [], (), {},
    [1, 2.5, "x"], (1, (2, [3, (4,)])), {"SGD": [1.0, 0.5], "Adam": (0.1,)}, {1: "a", (2, 3): None},
])
def test_plain_values_come_back_equal_and_of_the_same_types(value):
    back = round_trip(value)
    assert back == value
    assert type(back) is type(value)


def test_arrays_keep_dtype_shape_and_values():
    for array in [np.arange(12, dtype=np.int64).reshape(3, 4), np.array([True, False]),
                  np.linspace(0, 1, 7, dtype=np.float32), np.zeros((0, 3)),
                  np.asfortranarray(np.random.default_rng(0).normal(size=(4, 5))),
                  np.array(3.25), np.array([1 + 2j])]:
        back = round_trip(array)
        assert back.dtype == array.dtype and back.shape == array.shape
        assert np.array_equal(back, array)
        back[...] = 0  # a writable copy, not a view of the message
    strided = np.arange(10.0)[::3]
    assert np.array_equal(round_trip(strided), strided)


def test_special_floats_and_numpy_scalars():
    back = round_trip([float("nan"), float("inf"), -float("inf"), np.float32(0.5),
                       np.int64(3), np.bool_(True), np.float64(0.25)])
    assert np.isnan(back[0]) and back[1] == np.inf and back[2] == -np.inf
    assert type(back[3]) is np.float32 and back[3] == 0.5
    assert type(back[4]) is np.int64 and type(back[5]) is np.bool_
    assert type(back[6]) is np.float64 and back[6] == 0.25
    text = answers.dumps({"v": answers.encode(float("nan"))})
    assert "NaN" not in text  # strict JSON


@pytest.mark.parametrize("value, words", [
    (lambda x: x, "a function"),
    ((i for i in range(3)), "a generator"),
    (object(), "a object"),
    (np.array([1, "a"], dtype=object), "dtype object"),
    ({"a": {1, 2}}, "a set"),
])
def test_what_is_not_data_is_refused_with_what_it_is(value, words):
    with pytest.raises(answers.NotData, match=words):
        answers.encode(value)


def test_a_float_that_equals_everything_comes_back_as_a_plain_float():
    class Liar(float):
        def __eq__(self, other):
            return True

        __hash__ = float.__hash__

    back = round_trip(Liar(2.0))
    assert type(back) is float and back == 2.0 and back != 3.0


def test_too_deep_nesting_is_refused():
    deep = []
    for _ in range(answers.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(answers.NotData, match="nested"):
        answers.encode(deep)


@pytest.mark.parametrize("data", [
    {"ndarray": base64.b64encode(b"12345678").decode(), "dtype": "|O", "shape": [1]},
    {"ndarray": "not base64!", "dtype": "<f8", "shape": [1]},
    {"ndarray": base64.b64encode(b"1234").decode(), "dtype": "<f8", "shape": [1]},
    {"float": "1e999"},
    {"dict": [[[1, 2], "a list as a key"]]},
    {"eval": "__import__('os').system('true')"},
    {"tuple": "not a list"},
])
def test_decoding_refuses_what_the_encoder_would_not_write(data):
    with pytest.raises((ValueError, TypeError)):
        answers.decode(data)
