"""Data sets for the lectures and the tests, and the small tools that feed them to a model.

Nothing here downloads anything: the toy sets are simulated with NumPy and the "real" set is
scikit-learn's bundled ``load_digits`` (8x8 images of handwritten digits), which stands in for MNIST
on machines without internet access.

Conventions (shared by the whole ``course`` package):

* A batch is rows: every generator returns ``(X, y)`` with ``X`` of shape ``(n, features)`` (float64
  unless ``dtype=`` says otherwise) and ``y`` of shape ``(n,)`` with integer class labels (int64).
  ``n`` is always the *total* number of samples; it is split as evenly as possible between the
  classes (the first classes get one more sample when it does not divide).
* Everything random takes ``rng=`` (a ``np.random.Generator``, an int seed, or ``None``): the same
  seed gives the same data set.
* The generators return the samples in a random order (``shuffle=True``); pass ``shuffle=False`` to
  get them grouped by class, class 0 first.

Contents:

* Truth tables: :func:`logic_gate` (AND, OR, NAND, NOR, XOR, NOT).
* 2-D toy sets: :func:`xor`, :func:`circles`, :func:`moons`, :func:`spirals`,
  :func:`gaussian_blobs`, :func:`linearly_separable` (for the perceptron).
* A real set with a fixed train/validation/test split: :func:`digits` (returns a :class:`Split`),
  built on :func:`stratified_split_indices`.
* Feeding a model: :func:`standardize`, :func:`minibatches`, :func:`one_hot`.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from course.rng import RngLike, make_rng

DIGITS_IMAGE_SHAPE = (8, 8)
"""Each row of :func:`digits` is one 8x8 image, flattened row by row: ``x.reshape(8, 8)``."""

# --------------------------------------------------------------------------------------------------
# Truth tables
# --------------------------------------------------------------------------------------------------

_TWO_INPUTS = [[0, 0], [0, 1], [1, 0], [1, 1]]

# Output column of each truth table, in the order of the input rows above.
_TRUTH_TABLES: dict[str, tuple[list[list[int]], list[int]]] = {
    "and": (_TWO_INPUTS, [0, 0, 0, 1]),
    "or": (_TWO_INPUTS, [0, 1, 1, 1]),
    "nand": (_TWO_INPUTS, [1, 1, 1, 0]),
    "nor": (_TWO_INPUTS, [1, 0, 0, 0]),
    "xor": (_TWO_INPUTS, [0, 1, 1, 0]),
    "not": ([[0], [1]], [1, 0]),
}


def logic_gate(name: str, dtype: DTypeLike = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """Truth table of a logic gate as a tiny data set.

    The two-input gates ("and", "or", "nand", "nor", "xor") return the 4 rows of ``{0, 1}^2`` in
    the order (0, 0), (0, 1), (1, 0), (1, 1); "not" returns the 2 rows (0,) and (1,).

    Args:
        name: the gate, case-insensitive: "and", "or", "nand", "nor", "xor" or "not".
        dtype: floating dtype of ``X``.

    Returns:
        ``(X, y)``: ``X`` of shape (4, 2) (or (2, 1) for "not"), ``y`` in {0, 1} of shape (4,)
        (or (2,)). For the perceptron, turn the labels into +1/-1 with ``2 * y - 1``.

    Example:
        >>> X, y = logic_gate("XOR")
        >>> y.tolist()
        [0, 1, 1, 0]
    """
    key = str(name).strip().lower()
    if key not in _TRUTH_TABLES:
        valid = ", ".join(repr(gate) for gate in _TRUTH_TABLES)
        raise ValueError(f"unknown logic gate {name!r}; valid names are {valid}")
    inputs, outputs = _TRUTH_TABLES[key]
    return np.array(inputs, dtype=dtype), np.array(outputs, dtype=np.int64)


# --------------------------------------------------------------------------------------------------
# Helpers shared by the generators
# --------------------------------------------------------------------------------------------------


def _check_n(n: int, at_least: int, what: str = "n") -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{what} must be an int, got {type(n).__name__}")
    if n < at_least:
        raise ValueError(f"{what} must be at least {at_least}, got {n}")
    return int(n)


def _check_nonnegative(value: float, what: str) -> float:
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{what} must be a finite number >= 0, got {value}")
    return float(value)


def _samples_per_class(n: int, n_classes: int) -> list[int]:
    """Split ``n`` as evenly as possible: the first ``n % n_classes`` classes get one more."""
    base, extra = divmod(n, n_classes)
    return [base + (1 if k < extra else 0) for k in range(n_classes)]


def _finish(
    X: np.ndarray, y: np.ndarray, shuffle: bool, rng: np.random.Generator, dtype: DTypeLike
) -> tuple[np.ndarray, np.ndarray]:
    """Optionally put the samples in a random order, and cast to the requested dtypes."""
    if shuffle:
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    return X.astype(dtype, copy=False), y.astype(np.int64, copy=False)


# --------------------------------------------------------------------------------------------------
# 2-D toy data sets
# --------------------------------------------------------------------------------------------------


def xor(
    n: int = 200,
    noise: float = 0.1,
    rng: RngLike = None,
    dtype: DTypeLike = np.float64,
    shuffle: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Simulated XOR: four clouds around the corners (+-1, +-1) of the square.

    A point generated around the corner ``(c_1, c_2)`` has label 1 when the signs differ
    (``c_1 c_2 < 0``: corners (-1, +1) and (+1, -1)) and label 0 when they agree. Each point is its
    corner plus Gaussian jitter of standard deviation ``noise``; with ``noise=0`` every point sits
    on its corner. The label belongs to the corner, so with a large ``noise`` (about 0.5 and more)
    some points drift into a neighbouring quadrant and the classes overlap.

    No line separates the two classes (the slides' "XOR can not be represented by perceptron");
    a network with one hidden layer can.

    Args:
        n: total number of points: half per class (class 0 gets the extra one when n is odd),
            each class split evenly between its two corners.
        noise: standard deviation of the Gaussian jitter around each corner.
        rng: random generator or seed.
        dtype: floating dtype of ``X``.
        shuffle: return the points in a random order (else corner by corner, class 0 first).

    Returns:
        ``(X, y)`` with ``X`` of shape (n, 2) and ``y`` in {0, 1} of shape (n,).
    """
    n = _check_n(n, 2)
    noise = _check_nonnegative(noise, "noise")
    rng = make_rng(rng)
    corners = np.array([[-1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]])  # class 0, then 1
    n_same_signs, n_signs_differ = _samples_per_class(n, 2)
    points_per_corner = _samples_per_class(n_same_signs, 2) + _samples_per_class(n_signs_differ, 2)
    corner_of_point = np.repeat(np.arange(4), points_per_corner)
    centers = corners[corner_of_point]
    X = centers + noise * rng.standard_normal((n, 2))
    y = (centers[:, 0] * centers[:, 1] < 0).astype(np.int64)
    return _finish(X, y, shuffle, rng, dtype)


def circles(
    n: int = 200,
    noise: float = 0.1,
    factor: float = 0.5,
    rng: RngLike = None,
    dtype: DTypeLike = np.float64,
    shuffle: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles: class 0 on the outer circle (radius 1), class 1 on the inner one.

    The points of each class are evenly spaced in angle, ``theta_k = 2 pi k / n_class``, at
    ``r (cos theta_k, sin theta_k)`` with ``r = 1`` (class 0) or ``r = factor`` (class 1), plus
    Gaussian jitter of standard deviation ``noise`` on each coordinate. Not linearly separable;
    separable with the extra feature ``x_1^2 + x_2^2``.

    Args:
        n: total number of points; the outer circle gets ``n // 2``, the inner one the rest.
        noise: standard deviation of the Gaussian jitter.
        factor: radius of the inner circle relative to the outer one, in [0, 1).
        rng: random generator or seed.
        dtype: floating dtype of ``X``.
        shuffle: return the points in a random order (else outer circle first).

    Returns:
        ``(X, y)`` with ``X`` of shape (n, 2) and ``y`` in {0, 1} of shape (n,).
    """
    n = _check_n(n, 2)
    noise = _check_nonnegative(noise, "noise")
    if not 0 <= factor < 1:
        raise ValueError(f"factor (inner radius / outer radius) must be in [0, 1), got {factor}")
    rng = make_rng(rng)
    n_outer = n // 2
    n_inner = n - n_outer
    theta_outer = np.linspace(0, 2 * np.pi, n_outer, endpoint=False)
    theta_inner = np.linspace(0, 2 * np.pi, n_inner, endpoint=False)
    outer = np.column_stack([np.cos(theta_outer), np.sin(theta_outer)])
    inner = factor * np.column_stack([np.cos(theta_inner), np.sin(theta_inner)])
    X = np.vstack([outer, inner]) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n_outer, np.int64), np.ones(n_inner, np.int64)])
    return _finish(X, y, shuffle, rng, dtype)


def moons(
    n: int = 200,
    noise: float = 0.1,
    rng: RngLike = None,
    dtype: DTypeLike = np.float64,
    shuffle: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half-moons.

    Class 0 is the upper half of the unit circle, ``(cos t, sin t)``; class 1 is the lower half of
    the unit circle centred at (1, 0.5), ``(1 - cos t, 0.5 - sin t)``; ``t`` runs evenly over
    [0, pi]. Each coordinate gets Gaussian jitter of standard deviation ``noise``.

    Args:
        n: total number of points; the upper moon gets ``n // 2``, the lower one the rest.
        noise: standard deviation of the Gaussian jitter.
        rng: random generator or seed.
        dtype: floating dtype of ``X``.
        shuffle: return the points in a random order (else upper moon first).

    Returns:
        ``(X, y)`` with ``X`` of shape (n, 2) and ``y`` in {0, 1} of shape (n,).
    """
    n = _check_n(n, 2)
    noise = _check_nonnegative(noise, "noise")
    rng = make_rng(rng)
    n_upper = n // 2
    n_lower = n - n_upper
    t_upper = np.linspace(0, np.pi, n_upper)
    t_lower = np.linspace(0, np.pi, n_lower)
    upper = np.column_stack([np.cos(t_upper), np.sin(t_upper)])
    lower = np.column_stack([1 - np.cos(t_lower), 0.5 - np.sin(t_lower)])
    X = np.vstack([upper, lower]) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n_upper, np.int64), np.ones(n_lower, np.int64)])
    return _finish(X, y, shuffle, rng, dtype)


def spirals(
    n: int = 300,
    classes: int = 3,
    noise: float = 0.2,
    rng: RngLike = None,
    dtype: DTypeLike = np.float64,
    shuffle: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """The CS231n spiral: ``classes`` arms winding out of the origin, one class per arm.

    Class ``k`` has ``N_k`` points ``r (sin t, cos t)`` with the radius ``r`` running evenly over
    [0, 1] and the angle ``t`` running evenly over [4k, 4(k + 1)] radians, plus Gaussian noise of
    standard deviation ``noise`` on the *angle* (not on the coordinates, as in CS231n).

    Args:
        n: total number of points, split as evenly as possible between the arms.
        classes: number of arms (classes), at least 1.
        noise: standard deviation of the noise on the angle, in radians.
        rng: random generator or seed.
        dtype: floating dtype of ``X``.
        shuffle: return the points in a random order (else arm by arm).

    Returns:
        ``(X, y)`` with ``X`` of shape (n, 2) and ``y`` in {0, ..., classes - 1} of shape (n,).
    """
    classes = _check_n(classes, 1, "classes")
    n = _check_n(n, classes)
    noise = _check_nonnegative(noise, "noise")
    rng = make_rng(rng)
    arms_X, arms_y = [], []
    for k, n_k in enumerate(_samples_per_class(n, classes)):
        radius = np.linspace(0.0, 1.0, n_k)
        angle = np.linspace(4.0 * k, 4.0 * (k + 1), n_k) + noise * rng.standard_normal(n_k)
        arms_X.append(np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]))
        arms_y.append(np.full(n_k, k, dtype=np.int64))
    return _finish(np.vstack(arms_X), np.concatenate(arms_y), shuffle, rng, dtype)


def gaussian_blobs(
    n: int = 200,
    centers: int | ArrayLike = 3,
    std: float = 1.0,
    rng: RngLike = None,
    dim: int | None = None,
    center_box: tuple[float, float] = (-10.0, 10.0),
    dtype: DTypeLike = np.float64,
    shuffle: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian clouds, one per class: ``x ~ N(mu_k, std^2 I)`` for class ``k``.

    Args:
        n: total number of points, split as evenly as possible between the clouds.
        centers: either the number of clouds ``k`` (their centres ``mu_k`` are then drawn uniformly
            in the box ``center_box^dim`` from ``rng``) or the centres themselves, an array of
            shape (k, dim).
        std: standard deviation of every cloud along every axis.
        rng: random generator or seed.
        dim: number of features. With an int ``centers`` it defaults to 2; with an array of
            centres it defaults to the array's width (and must equal it if given).
        center_box: (low, high) bounds of the random centres.
        dtype: floating dtype of ``X``.
        shuffle: return the points in a random order (else cloud by cloud).

    Returns:
        ``(X, y)`` with ``X`` of shape (n, dim) and ``y`` in {0, ..., k - 1} of shape (n,).
    """
    std = _check_nonnegative(std, "std")
    rng = make_rng(rng)
    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        n_centers = _check_n(centers, 1, "centers")
        dim = 2 if dim is None else _check_n(dim, 1, "dim")
        low, high = center_box
        if not low < high:
            raise ValueError(f"center_box must be (low, high) with low < high, got {center_box}")
        means = rng.uniform(low, high, size=(n_centers, dim))
    else:
        means = np.asarray(centers, dtype=np.float64)
        if means.ndim != 2 or means.shape[0] < 1:
            raise ValueError(
                "centers must be an int or an array of shape (k, dim) with one centre per row, "
                f"got an array of shape {means.shape}"
            )
        if dim is not None and dim != means.shape[1]:
            raise ValueError(
                f"dim={dim} does not match the centres, which have shape {means.shape} "
                f"(dim {means.shape[1]}); leave dim=None to use the centres' width"
            )
        n_centers, dim = means.shape
    n = _check_n(n, n_centers)
    counts = _samples_per_class(n, n_centers)
    y = np.repeat(np.arange(n_centers, dtype=np.int64), counts)
    X = means[y] + std * rng.standard_normal((n, dim))
    return _finish(X, y, shuffle, rng, dtype)


_BOX_HALF_WIDTH = 3.0  # linearly_separable draws its points in the box [-3, 3]^dim
_MAX_OFFSET = 0.5  # ... and its separating hyperplane passes within 0.5 of the origin


def linearly_separable(
    n: int = 100,
    margin: float = 0.5,
    rng: RngLike = None,
    labels: str = "01",
    dim: int = 2,
    return_boundary: bool = False,
    dtype: DTypeLike = np.float64,
    shuffle: bool = True,
) -> tuple[np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Two classes on either side of a random hyperplane, with an empty band around it.

    A random unit normal ``w`` (``||w|| = 1``) and offset ``b`` (``|b| <= 0.5``) define the
    hyperplane ``w^T x + b = 0``. Points are drawn uniformly in the box [-3, 3]^dim and kept only
    when their distance to the hyperplane, ``|w^T x + b|``, is at least ``margin``; half of the
    points (``n // 2``) lie on the negative side (class 0, or -1) and the rest on the positive side
    (class 1, or +1). So every point satisfies ``y_pm (w^T x + b) >= margin`` with ``y_pm = +-1``:
    the perceptron is guaranteed to converge on it.

    Args:
        n: total number of points (at least 2).
        margin: half-width of the empty band around the hyperplane, in [0, 2).
        rng: random generator or seed.
        labels: "01" for labels {0, 1}, "pm1" for labels {-1, +1} (what :class:`Perceptron` uses).
        dim: number of features.
        return_boundary: also return the true hyperplane ``(w, b)``.
        dtype: floating dtype of ``X`` (and of ``w``).
        shuffle: return the points in a random order (else the negative class first).

    Returns:
        ``(X, y)``, or ``(X, y, w, b)`` when ``return_boundary`` is true; ``X`` has shape (n, dim),
        ``y`` shape (n,), ``w`` shape (dim,) and ``b`` is a float.
    """
    n = _check_n(n, 2)
    dim = _check_n(dim, 1, "dim")
    margin = _check_nonnegative(margin, "margin")
    # For any unit w the box reaches at least 3 - 0.5 = 2.5 from the hyperplane on both sides,
    # so both classes always have room when margin < 2.
    if margin >= 2.0:
        raise ValueError(
            f"margin must be less than 2 (the points lie in the box [-3, 3]^dim), got {margin}; "
            "scale X yourself for a wider gap"
        )
    if labels not in ("01", "pm1"):
        raise ValueError(f"labels must be '01' (for 0/1) or 'pm1' (for -1/+1), got {labels!r}")
    rng = make_rng(rng)

    direction = rng.standard_normal(dim)
    w = direction / np.linalg.norm(direction)
    b = float(rng.uniform(-_MAX_OFFSET, _MAX_OFFSET))

    def draw_side(count: int, sign: float) -> np.ndarray:
        """Rejection sampling: uniform points in the box with sign * (w^T x + b) >= margin."""
        kept: list[np.ndarray] = []
        n_kept = 0
        while n_kept < count:
            candidates = rng.uniform(-_BOX_HALF_WIDTH, _BOX_HALF_WIDTH, size=(2 * count + 16, dim))
            ok = candidates[sign * (candidates @ w + b) >= margin]
            kept.append(ok)
            n_kept += len(ok)
        return np.vstack(kept)[:count]

    n_negative = n // 2
    n_positive = n - n_negative
    X = np.vstack([draw_side(n_negative, -1.0), draw_side(n_positive, +1.0)])
    y = np.concatenate([np.zeros(n_negative, np.int64), np.ones(n_positive, np.int64)])
    if labels == "pm1":
        y = 2 * y - 1
    X, y = _finish(X, y, shuffle, rng, dtype)
    if return_boundary:
        return X, y, w.astype(dtype), b
    return X, y


# --------------------------------------------------------------------------------------------------
# A real data set with a fixed split
# --------------------------------------------------------------------------------------------------


class Split(NamedTuple):
    """A train/validation/test split, unpackable as a 6-tuple::

        X_train, y_train, X_val, y_val, X_test, y_test = digits()

    The model is fitted on the training set, its hyperparameters (learning rate, epochs, ...) are
    chosen on the validation set, and the test set is used once, at the end.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    @property
    def n_classes(self) -> int:
        """Number of classes: the largest label in any part, plus one."""
        return int(max(self.y_train.max(), self.y_val.max(), self.y_test.max())) + 1

    @property
    def n_features(self) -> int:
        return int(self.X_train.shape[1])


def _size_to_count(size: float | int, n: int, what: str) -> int:
    """A split size given as a fraction in (0, 1) or as a number of samples -> a number."""
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        if not 0 < size < n:
            raise ValueError(f"{what} as a number of samples must be in 1..{n - 1}, got {size}")
        return int(size)
    if isinstance(size, (float, np.floating)) and 0 < size < 1:
        return int(round(size * n))
    raise ValueError(
        f"{what} must be a fraction in (0, 1) or a number of samples (int), got {size!r}"
    )


def _share_by_class(total: int, available: np.ndarray) -> np.ndarray:
    """Share ``total`` samples between classes in proportion to ``available`` (per class).

    Largest-remainder rounding: every class gets the floor of its exact share, and the samples
    left over go to the classes with the largest fractional parts, so the counts sum to ``total``.
    """
    exact = total * available / available.sum()
    counts = np.floor(exact).astype(np.int64)
    leftover = total - counts.sum()
    by_remainder = np.argsort(-(exact - counts), kind="stable")
    counts[by_remainder[:leftover]] += 1
    return counts


def stratified_split_indices(
    y: ArrayLike,
    val_size: float | int = 0.2,
    test_size: float | int = 0.2,
    rng: RngLike = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices of a stratified train/validation/test split of the labels ``y``.

    Stratified: each class is shared between the three parts in the same proportions as the whole
    data set (up to rounding), so every part has about the same class frequencies. Each class's
    indices are shuffled with ``rng`` and cut into test, validation and training parts; the part
    sizes are exact (largest-remainder rounding across classes).

    Args:
        y: integer class labels, shape (n,).
        val_size: size of the validation part, a fraction of n in (0, 1) or a number of samples.
        test_size: size of the test part, likewise.
        rng: random generator or seed; the default seed 0 gives the same split every call.

    Returns:
        ``(train_idx, val_idx, test_idx)``: disjoint sorted index arrays that together cover
        ``0..n-1``.
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"expected labels y of shape (n,), got {y.shape}")
    n = len(y)
    n_test = _size_to_count(test_size, n, "test_size")
    n_val = _size_to_count(val_size, n, "val_size")
    if n_test + n_val >= n:
        raise ValueError(
            f"val_size and test_size leave no training data: {n_val} + {n_test} of {n} samples"
        )
    rng = make_rng(rng)
    classes, class_sizes = np.unique(y, return_counts=True)
    test_per_class = _share_by_class(n_test, class_sizes)
    val_per_class = _share_by_class(n_val, class_sizes - test_per_class)

    train, val, test = [], [], []
    for label, n_test_k, n_val_k in zip(classes, test_per_class, val_per_class, strict=True):
        members = rng.permutation(np.flatnonzero(y == label))
        test.append(members[:n_test_k])
        val.append(members[n_test_k : n_test_k + n_val_k])
        train.append(members[n_test_k + n_val_k :])
    return tuple(np.sort(np.concatenate(part)) for part in (train, val, test))


_DIGITS_FILE_IN_SKLEARN = Path("datasets", "data", "digits.csv.gz")


def _digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's digits as ``(pixels (1797, 64) with values 0..16, labels (1797,))``.

    ``load_digits`` reads them from ``sklearn/datasets/data/digits.csv.gz`` (one image per row, its
    label last); reading that file ourselves gives the same arrays in 0.05 s, where importing
    ``sklearn.datasets`` (which imports SciPy) takes about 2 s, in every lecture that uses digits.
    If the file is not where this scikit-learn keeps it, ``load_digits`` itself is called.
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is None:
        raise ModuleNotFoundError(
            "digits() needs scikit-learn, which ships the data set: pip install scikit-learn"
        )
    for folder in spec.submodule_search_locations or []:
        path = Path(folder) / _DIGITS_FILE_IN_SKLEARN
        if path.is_file():
            table = np.loadtxt(path, delimiter=",")
            return table[:, :-1], table[:, -1]
    from sklearn.datasets import load_digits  # the slow way, for a scikit-learn laid out otherwise

    bunch = load_digits()
    return bunch.data, bunch.target


def digits(
    dtype: DTypeLike = np.float64,
    val_size: float | int = 0.2,
    test_size: float | int = 0.2,
    rng: RngLike = 0,
) -> Split:
    """The handwritten digits of scikit-learn (``load_digits``), split into train/val/test.

    Our stand-in for MNIST (which cannot be downloaded here): 1797 grey-scale images of 8x8 pixels
    (instead of 28x28), 10 classes (the digits 0-9), shipped with scikit-learn. Each row of ``X``
    is one image flattened row by row (``x.reshape(DIGITS_IMAGE_SHAPE)`` to show it); the pixel
    values 0..16 are divided by 16, so they lie in [0, 1].

    The split is stratified (see :func:`stratified_split_indices`) and fixed: with the default
    ``rng=0`` every call returns the same arrays (60/20/20: 1079/359/359 samples).

    Args:
        dtype: floating dtype of the images.
        val_size: validation part, a fraction in (0, 1) or a number of samples.
        test_size: test part, likewise.
        rng: seed (or generator) of the split.

    Returns:
        A :class:`Split` ``(X_train, y_train, X_val, y_val, X_test, y_test)``; the ``X_*`` have 64
        columns, the ``y_*`` are int64 labels in 0..9.
    """
    pixels, labels = _digits_arrays()
    X = (pixels / 16.0).astype(dtype)
    y = labels.astype(np.int64)
    train_idx, val_idx, test_idx = stratified_split_indices(y, val_size, test_size, rng)
    return Split(X[train_idx], y[train_idx], X[val_idx], y[val_idx], X[test_idx], y[test_idx])


# --------------------------------------------------------------------------------------------------
# Feeding data to a model
# --------------------------------------------------------------------------------------------------


def standardize(
    X: ArrayLike,
    mean: ArrayLike | None = None,
    std: ArrayLike | None = None,
    dtype: DTypeLike | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Z-score every feature: ``x_std = (x - mu) / sigma``, column by column.

    Fit the statistics on the training set and reuse them for validation and test data (using the
    test set's own statistics would leak information from it)::

        X_train_std, mu, sigma = standardize(X_train)
        X_val_std, _, _ = standardize(X_val, mu, sigma)

    A constant feature has ``sigma = 0``; there ``sigma`` is treated as 1 (the feature becomes 0
    instead of NaN), and the returned ``std`` holds that 1, so the same rule applies to new data.

    Args:
        X: data of shape (n, features).
        mean: per-feature means ``mu`` of shape (features,), or None to compute them from ``X``.
        std: per-feature standard deviations ``sigma`` (population, ``ddof=0``), or None to
            compute them from ``X``. Give both ``mean`` and ``std`` or neither.
        dtype: floating dtype of the result (default: ``X``'s if floating, else float64).

    Returns:
        ``(X_std, mean, std)``: the standardized copy of ``X`` and the statistics used.
    """
    X = np.asarray(X)
    if dtype is None:
        dtype = X.dtype if np.issubdtype(X.dtype, np.floating) else np.float64
    X = X.astype(dtype, copy=False)
    if X.ndim != 2:
        raise ValueError(f"expected X of shape (n, features), got {X.shape}")
    if (mean is None) != (std is None):
        raise ValueError(
            "give both mean and std (the training set's statistics) or neither "
            "(to compute them from X)"
        )
    if mean is None:
        mean = X.mean(axis=0)
        std = X.std(axis=0)
    mean = np.asarray(mean, dtype=dtype)
    std = np.asarray(std, dtype=dtype)
    n_features = X.shape[1]
    for name, stat in (("mean", mean), ("std", std)):
        if stat.shape != (n_features,):
            raise ValueError(
                f"expected {name} of shape ({n_features},) to match X of shape {X.shape}, "
                f"got {stat.shape}"
            )
    if np.any(std < 0):
        raise ValueError("std must be >= 0 for every feature")
    std = np.where(std == 0, 1.0, std).astype(dtype)  # constant feature: divide by 1, not by 0
    return (X - mean) / std, mean, std


def minibatches(
    X: ArrayLike,
    y: ArrayLike,
    batch_size: int,
    shuffle: bool = True,
    rng: RngLike = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """One epoch of ``(X_batch, y_batch)`` pairs: every sample appears in exactly one batch.

    In the slides' words, one **epoch** is when the entire data set is passed through the network
    once, and one **iteration** is when one batch is. Iterating over this generator once is one
    epoch of ``ceil(n / batch_size)`` iterations. The batch size picks the kind of gradient
    descent:

    * ``batch_size = len(X)``: batch gradient descent (one iteration per epoch, exact gradient),
    * ``batch_size = 1``: stochastic gradient descent (SGD, one sample per iteration),
    * ``1 < batch_size < len(X)``: mini-batch gradient descent, gradient averaged over a batch B.

    The last batch is smaller when ``batch_size`` does not divide ``n``; a ``batch_size`` larger
    than ``n`` gives a single batch. With ``shuffle=True`` the samples are visited in a new random
    order (drawn from ``rng``) at every call, and each batch is gathered with one index array; with
    ``shuffle=False`` they are visited in order and the batches are views (no copy) of ``X``, ``y``.

    Args:
        X: inputs of shape (n, ...), one sample per row.
        y: targets with the same number of rows n (labels of shape (n,), or one-hot rows).
        batch_size: number of samples per batch, a positive int.
        shuffle: visit the samples in a random order.
        rng: random generator or seed for the order (pass one Generator and call once per epoch to
            get a new order every epoch).

    Yields:
        ``(X_batch, y_batch)`` with ``batch_size`` rows (fewer for the last batch).

    Example::

        rng = np.random.default_rng(0)
        for epoch in range(n_epochs):
            for X_batch, y_batch in minibatches(X, y, batch_size=32, rng=rng):
                ...  # one iteration: forward, backward, optimizer step
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"batch_size must be a positive int, got {batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size}")
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError("X and y must be arrays with one sample per row, got a scalar")
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"X and y must have the same number of rows (samples), got X of shape {X.shape} and "
            f"y of shape {y.shape}"
        )
    # Validation above runs at call time; the batches are produced lazily by the inner generator.
    order = make_rng(rng).permutation(X.shape[0]) if shuffle else None
    return _iterate_batches(X, y, int(batch_size), order)


def _iterate_batches(
    X: np.ndarray, y: np.ndarray, batch_size: int, order: np.ndarray | None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    n = X.shape[0]
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        if order is None:
            yield X[start:stop], y[start:stop]
        else:
            batch = order[start:stop]
            yield X[batch], y[batch]


def one_hot(
    y: ArrayLike, n_classes: int | None = None, dtype: DTypeLike = np.float64
) -> np.ndarray:
    """One-hot encoding: row ``i`` is all zeros except a 1 in column ``y_i``.

    Args:
        y: integer labels in 0..n_classes-1, shape (n,).
        n_classes: number of columns (default: the largest label plus one).
        dtype: dtype of the result.

    Returns:
        An array of shape (n, n_classes).
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"expected labels y of shape (n,), got {y.shape}")
    if y.size and not np.all(np.equal(np.mod(y, 1), 0)):
        raise ValueError("labels must be whole numbers (class indices 0, 1, 2, ...)")
    labels = y.astype(np.int64)
    if n_classes is None:
        n_classes = int(labels.max()) + 1 if labels.size else 0
    n_classes = _check_n(n_classes, 0, "n_classes")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(
            f"labels must be in 0..{n_classes - 1} (n_classes={n_classes}), "
            f"got values from {labels.min()} to {labels.max()}"
        )
    encoded = np.zeros((labels.size, n_classes), dtype=dtype)
    encoded[np.arange(labels.size), labels] = 1
    return encoded
