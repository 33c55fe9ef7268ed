"""A student's answers as plain data: what their functions returned, written as JSON and read back.

When a submission is graded, the test cells in the student's kernel only *record* what the
student's functions return (:mod:`autograder.checks`, record mode); the values are compared in
a separate kernel that has never run student code (:mod:`autograder.judge`). In between they
travel as data, never as code: this module turns the values the assignments' functions return
(numbers, booleans, strings, ``None``, NumPy arrays and scalars, and lists, tuples and dicts of
these) into JSON and back, and refuses anything else. Decoding cannot run code: it builds only
those types, so a hostile student cannot smuggle an object whose methods would run in the
judge.

The encoding keeps what the comparisons look at: an array's dtype and shape, a tuple against a
list, an int against a float, ``nan`` and ``inf``.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import numpy as np

MIME_TYPE = "application/vnd.nn-course.answers+json"  # how a record travels in a cell's output
MAX_DEPTH = 20  # nesting of lists, tuples and dicts
MAX_BYTES = 32 * 1024**2  # of one recorded call (all its cases)


class NotData(TypeError):
    """The value is not something the grader can record (a function, a generator, an object)."""


def encode(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON-compatible data; raises :class:`NotData` for anything unsupported."""
    if depth > MAX_DEPTH:
        raise NotData(f"nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, np.generic):  # before float: np.float64 is a float too
        if isinstance(value, np.object_):
            raise NotData("a NumPy object scalar")
        return {"scalar": encode(np.asarray(value), depth + 1)}
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        value = float(value)  # a subclass of float (with its own __eq__) becomes a float
        return value if math.isfinite(value) else {"float": repr(value)}
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject or value.dtype.fields is not None:
            raise NotData(f"an array of dtype {value.dtype} (numbers or booleans expected)")
        return {"ndarray": base64.b64encode(value.tobytes(order="C")).decode("ascii"),
                "dtype": value.dtype.str, "shape": list(value.shape)}
    if isinstance(value, tuple):
        return {"tuple": [encode(v, depth + 1) for v in value]}
    if isinstance(value, list):
        return [encode(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {"dict": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    raise NotData(f"a {type(value).__name__} (the grader records numbers, arrays, strings, "
                  "lists, tuples and dicts)")


def decode(data: Any, depth: int = 0) -> Any:
    """The value that :func:`encode` wrote; raises ValueError for anything it would not write."""
    if depth > MAX_DEPTH + 1:
        raise ValueError("nested too deeply")
    if data is None or isinstance(data, (bool, str, int, float)):
        return data
    if isinstance(data, list):
        return [decode(v, depth + 1) for v in data]
    if isinstance(data, dict) and len(data) == 1:
        (kind, inner), = data.items()
        if kind == "float" and inner in ("nan", "inf", "-inf"):
            return float(inner)
        if kind == "tuple" and isinstance(inner, list):
            return tuple(decode(v, depth + 1) for v in inner)
        if kind == "dict" and isinstance(inner, list):
            return {_hashable(decode(k, depth + 1)): decode(v, depth + 1) for k, v in inner}
        if kind == "scalar":
            array = decode(inner, depth + 1)
            if isinstance(array, np.ndarray) and array.shape == ():
                return array[()]
    if isinstance(data, dict) and set(data) == {"ndarray", "dtype", "shape"}:
        dtype = np.dtype(data["dtype"])
        if dtype.hasobject or dtype.fields is not None:
            raise ValueError(f"refused dtype {dtype}")
        shape = tuple(int(n) for n in data["shape"])
        raw = base64.b64decode(data["ndarray"], validate=True)
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    raise ValueError(f"not a recorded value: {str(data)[:80]}")


def _hashable(key: Any) -> Any:
    if isinstance(key, (list, dict, np.ndarray)):
        raise ValueError("a dict key that is not hashable")
    return key


def dumps(record: dict) -> str:
    """One record as JSON text (``nan`` never appears in it: :func:`encode` tags it)."""
    return json.dumps(record, allow_nan=False, separators=(",", ":"))


def loads(text: str) -> dict:
    """A record read back from JSON text."""
    record = json.loads(text)
    if not isinstance(record, dict):
        raise ValueError("a record must be a JSON object")
    return record
