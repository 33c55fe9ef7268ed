"""Tests for course.data: the toy generators, the digits split and the batching helpers.

References used: Python's bit operators for the truth tables, the geometry each generator promises
(radii, quadrants, distances to the true hyperplane), scikit-learn's raw ``load_digits`` arrays,
and NumPy's own mean/std.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits

from course import data
from course.data import (
    DIGITS_IMAGE_SHAPE,
    Split,
    circles,
    digits,
    gaussian_blobs,
    linearly_separable,
    logic_gate,
    minibatches,
    moons,
    one_hot,
    spirals,
    standardize,
    stratified_split_indices,
    xor,
)

# generator name -> (function, expected number of classes, extra kwargs)
GENERATORS = {
    "xor": (xor, 2, {}),
    "circles": (circles, 2, {}),
    "moons": (moons, 2, {}),
    "spirals": (spirals, 3, {}),
    "gaussian_blobs": (gaussian_blobs, 3, {}),
    "linearly_separable": (linearly_separable, 2, {}),
}

# --------------------------------------------------------------------------------------------------
# Truth tables
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("and", lambda a, b: a & b),
        ("or", lambda a, b: a | b),
        ("nand", lambda a, b: 1 - (a & b)),
        ("nor", lambda a, b: 1 - (a | b)),
        ("xor", lambda a, b: a ^ b),
    ],
)
def test_logic_gate_truth_tables(name, rule):
    X, y = logic_gate(name)
    assert X.shape == (4, 2) and X.dtype == np.float64
    assert y.shape == (4,) and np.issubdtype(y.dtype, np.integer)
    assert sorted(map(tuple, X.astype(int).tolist())) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    for (a, b), label in zip(X.astype(int), y, strict=True):
        assert label == rule(a, b)


def test_logic_gate_not_case_insensitive_and_dtype():
    X, y = logic_gate("NOT")
    assert X.tolist() == [[0.0], [1.0]] and y.tolist() == [1, 0]
    X, y = logic_gate(" Xor ", dtype=np.float32)
    assert X.dtype == np.float32 and y.tolist() == [0, 1, 1, 0]


def test_logic_gate_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match=r"'xnor'.*'and', 'or', 'nand', 'nor', 'xor', 'not'"):
        logic_gate("xnor")


# --------------------------------------------------------------------------------------------------
# Generators: the shared contract
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", GENERATORS)
@pytest.mark.parametrize("n", [7, 90])
def test_generator_shapes_dtypes_labels(name, n):
    make, n_classes, kwargs = GENERATORS[name]
    X, y = make(n=n, rng=0, **kwargs)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert set(np.unique(y).tolist()) == set(range(n_classes))
    # classes as balanced as possible
    counts = np.bincount(y, minlength=n_classes)
    assert counts.max() - counts.min() <= 1
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("name", GENERATORS)
def test_generator_dtype_argument(name):
    make, _, kwargs = GENERATORS[name]
    X, y = make(n=20, rng=0, dtype=np.float32, **kwargs)
    assert X.dtype == np.float32 and y.dtype == np.int64


@pytest.mark.parametrize("name", GENERATORS)
def test_generator_reproducible_with_seed(name):
    make, _, kwargs = GENERATORS[name]
    X1, y1 = make(n=50, rng=123, **kwargs)
    X2, y2 = make(n=50, rng=123, **kwargs)
    X3, _ = make(n=50, rng=124, **kwargs)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    # a Generator is used as it is: two draws from one stream differ
    rng = np.random.default_rng(5)
    assert not np.array_equal(make(n=50, rng=rng, **kwargs)[0], make(n=50, rng=rng, **kwargs)[0])


@pytest.mark.parametrize("name", GENERATORS)
def test_generator_shuffle_false_groups_by_class(name):
    make, _, kwargs = GENERATORS[name]
    _, y = make(n=40, rng=0, shuffle=False, **kwargs)
    assert np.all(np.diff(y) >= 0)
    _, y = make(n=40, rng=0, **kwargs)
    assert np.any(np.diff(y) < 0)  # shuffled by default


@pytest.mark.parametrize("make", [xor, circles, moons, spirals])
def test_negative_noise_is_refused(make):
    with pytest.raises(ValueError, match="noise"):
        make(n=10, noise=-0.1)


# --------------------------------------------------------------------------------------------------
# Generators: the geometry each one promises
# --------------------------------------------------------------------------------------------------


def test_xor_noise_free_points_sit_on_corners_and_follow_sign_rule():
    X, y = xor(n=40, noise=0.0, rng=0)
    assert set(map(tuple, X.tolist())) == {(-1.0, -1.0), (-1.0, 1.0), (1.0, -1.0), (1.0, 1.0)}
    signs_differ = np.sign(X[:, 0]) != np.sign(X[:, 1])
    np.testing.assert_array_equal(y, signs_differ.astype(int))


def test_xor_noise_is_the_jitter_std():
    X, y = xor(n=4000, noise=0.1, rng=0)
    corners = np.sign(X)  # noise 0.1 never crosses an axis in practice
    np.testing.assert_array_equal(y, (corners[:, 0] != corners[:, 1]).astype(int))
    assert abs(np.std(X - corners) - 0.1) < 0.005


def test_circles_radii():
    X, y = circles(n=101, noise=0.0, factor=0.3, rng=0)
    radius = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.3)
    assert (y == 0).sum() == 50 and (y == 1).sum() == 51
    # noisy circles: the mean radius stays close
    X, y = circles(n=2000, noise=0.05, factor=0.5, rng=1)
    radius = np.linalg.norm(X, axis=1)
    assert abs(radius[y == 0].mean() - 1.0) < 0.02
    assert abs(radius[y == 1].mean() - 0.5) < 0.02


def test_circles_factor_must_be_below_one():
    with pytest.raises(ValueError, match="factor"):
        circles(factor=1.0)


def test_moons_geometry():
    X, y = moons(n=100, noise=0.0, rng=0)
    upper, lower = X[y == 0], X[y == 1]
    # upper moon: upper half of the unit circle around (0, 0)
    np.testing.assert_allclose(np.linalg.norm(upper, axis=1), 1.0)
    assert np.all(upper[:, 1] >= -1e-12)
    # lower moon: lower half of the unit circle around (1, 0.5)
    np.testing.assert_allclose(np.linalg.norm(lower - [1.0, 0.5], axis=1), 1.0)
    assert np.all(lower[:, 1] <= 0.5 + 1e-12)


def test_spirals_radius_and_class_sizes():
    X, y = spirals(n=100, classes=4, noise=0.0, rng=0)
    assert np.bincount(y).tolist() == [25, 25, 25, 25]
    for k in range(4):
        radius = np.sort(np.linalg.norm(X[y == k], axis=1))
        np.testing.assert_allclose(radius, np.linspace(0, 1, 25), atol=1e-12)
    # arm k at radius 1 ends at angle 4(k + 1): the point r (sin t, cos t)
    for k in range(4):
        arm = X[y == k]
        tip = arm[np.argmax(np.linalg.norm(arm, axis=1))]
        np.testing.assert_allclose(tip, [np.sin(4 * (k + 1)), np.cos(4 * (k + 1))], atol=1e-12)
    # noise is on the angle: radii do not change
    X, y = spirals(n=90, classes=3, noise=0.5, rng=0)
    radius = np.sort(np.linalg.norm(X[y == 0], axis=1))
    np.testing.assert_allclose(radius, np.linspace(0, 1, 30), atol=1e-12)


def test_gaussian_blobs_given_centers():
    centers = np.array([[0.0, 0.0, 0.0], [10.0, 0.0, -5.0]])
    X, y = gaussian_blobs(n=4000, centers=centers, std=0.5, rng=0)
    assert X.shape == (4000, 3)
    for k in range(2):
        np.testing.assert_allclose(X[y == k].mean(axis=0), centers[k], atol=0.05)
        np.testing.assert_allclose(X[y == k].std(axis=0), 0.5, atol=0.03)
    with pytest.raises(ValueError, match="dim=2"):
        gaussian_blobs(centers=centers, dim=2)


def test_gaussian_blobs_random_centers_in_box():
    X, y = gaussian_blobs(n=300, centers=5, std=0.0, rng=0, dim=4, center_box=(-2.0, 3.0))
    assert X.shape == (300, 4)
    assert set(np.unique(y).tolist()) == set(range(5))
    # with std 0 every point is its centre
    centers = np.array([X[y == k][0] for k in range(5)])
    np.testing.assert_array_equal(X, centers[y])
    assert np.all((centers >= -2.0) & (centers <= 3.0))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("dim", [2, 5])
def test_linearly_separable_respects_margin(seed, dim):
    X, y, w, b = linearly_separable(
        n=200, margin=0.7, rng=seed, labels="pm1", dim=dim, return_boundary=True
    )
    assert X.shape == (200, dim) and w.shape == (dim,)
    assert np.isclose(np.linalg.norm(w), 1.0)
    assert set(y.tolist()) == {-1, 1}
    assert (y == 1).sum() == 100
    assert np.all(y * (X @ w + b) >= 0.7)
    assert np.all(np.abs(X) <= 3.0)


def test_linearly_separable_label_styles():
    X01, y01 = linearly_separable(n=50, rng=4)
    Xpm, ypm = linearly_separable(n=50, rng=4, labels="pm1")
    np.testing.assert_array_equal(X01, Xpm)
    np.testing.assert_array_equal(ypm, 2 * y01 - 1)
    with pytest.raises(ValueError, match="labels"):
        linearly_separable(labels="+-")
    with pytest.raises(ValueError, match="margin"):
        linearly_separable(margin=2.5)


# --------------------------------------------------------------------------------------------------
# digits
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw_digits():
    bunch = load_digits()
    return bunch.data, bunch.target


def test_digits_split_sizes_values_and_types(raw_digits):
    split = digits()
    assert isinstance(split, Split) and isinstance(split, tuple)
    X_train, y_train, X_val, y_val, X_test, y_test = split  # 6-tuple unpacking
    assert len(X_train) + len(X_val) + len(X_test) == 1797
    assert (len(X_train), len(X_val), len(X_test)) == (1079, 359, 359)
    for X, y in ((X_train, y_train), (X_val, y_val), (X_test, y_test)):
        assert X.shape == (len(y), 64) and X.dtype == np.float64
        assert y.dtype == np.int64
        assert X.min() >= 0.0 and X.max() <= 1.0
        assert set(np.unique(y).tolist()) == set(range(10))
    assert X_train.max() == 1.0  # scaled by 16, not by the max of some part
    assert split.n_classes == 10 and split.n_features == 64
    assert DIGITS_IMAGE_SHAPE == (8, 8)


def test_digits_parts_are_disjoint_and_match_sklearn(raw_digits):
    data_raw, target = raw_digits
    train_idx, val_idx, test_idx = stratified_split_indices(target, 0.2, 0.2, rng=0)
    all_idx = np.concatenate([train_idx, val_idx, test_idx])
    assert len(np.unique(all_idx)) == 1797 == len(all_idx)  # disjoint and complete
    split = digits()
    for X, y, idx in (
        (split.X_train, split.y_train, train_idx),
        (split.X_val, split.y_val, val_idx),
        (split.X_test, split.y_test, test_idx),
    ):
        np.testing.assert_array_equal(X, data_raw[idx] / 16.0)
        np.testing.assert_array_equal(y, target[idx])
    # the images themselves are all distinct in load_digits, so no image is in two parts
    seen_train = {row.tobytes() for row in split.X_train}
    assert not any(row.tobytes() in seen_train for row in split.X_val)
    assert not any(row.tobytes() in seen_train for row in split.X_test)


def test_digits_read_from_sklearns_file_are_load_digits_and_so_is_the_fallback(
    raw_digits, monkeypatch
):
    import sklearn

    import course.data

    assert (Path(sklearn.__file__).parent / course.data._DIGITS_FILE_IN_SKLEARN).is_file()
    for where in ("sklearn's csv file", "load_digits, when the file is not there"):
        pixels, labels = course.data._digits_arrays()
        np.testing.assert_array_equal(pixels, raw_digits[0], err_msg=where)
        np.testing.assert_array_equal(labels, raw_digits[1], err_msg=where)
        monkeypatch.setattr(course.data, "_DIGITS_FILE_IN_SKLEARN", "no/such/file.csv.gz")


def test_digits_identical_across_calls_and_seed_dependent():
    a, b = digits(), digits()
    for part_a, part_b in zip(a, b, strict=True):
        np.testing.assert_array_equal(part_a, part_b)
    c = digits(rng=1)
    assert not np.array_equal(a.y_train, c.y_train)


def test_digits_stratified(raw_digits):
    _, target = raw_digits
    overall = np.bincount(target) / len(target)
    split = digits()
    for y in (split.y_train, split.y_val, split.y_test):
        np.testing.assert_allclose(np.bincount(y, minlength=10) / len(y), overall, atol=0.01)


def test_digits_counts_and_dtype():
    split = digits(dtype=np.float32, val_size=400, test_size=397)
    assert (len(split.y_train), len(split.y_val), len(split.y_test)) == (1000, 400, 397)
    assert split.X_train.dtype == np.float32


def test_stratified_split_exact_sizes_and_errors():
    y = np.repeat([0, 1, 2], [50, 30, 20])
    train, val, test = stratified_split_indices(y, val_size=0.1, test_size=0.3, rng=0)
    assert (len(train), len(val), len(test)) == (60, 10, 30)
    assert np.bincount(y[test]).tolist() == [15, 9, 6]
    assert np.bincount(y[val]).tolist() == [5, 3, 2]
    with pytest.raises(ValueError, match="no training data"):
        stratified_split_indices(y, val_size=0.5, test_size=0.5)
    with pytest.raises(ValueError, match="test_size"):
        stratified_split_indices(y, test_size=1.5)


# --------------------------------------------------------------------------------------------------
# standardize
# --------------------------------------------------------------------------------------------------


def test_standardize_train_statistics():
    rng = np.random.default_rng(0)
    X = rng.normal(loc=[5.0, -3.0, 100.0], scale=[2.0, 0.1, 30.0], size=(500, 3))
    X_std, mean, std = standardize(X)
    np.testing.assert_allclose(X_std.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X_std.std(axis=0), 1.0, atol=1e-12)
    np.testing.assert_allclose(mean, np.mean(X, axis=0))
    np.testing.assert_allclose(std, np.std(X, axis=0))
    assert X_std is not X and np.all(X[:, 0] != X_std[:, 0])  # input left untouched


def test_standardize_uses_given_statistics():
    rng = np.random.default_rng(1)
    X_train = rng.normal(size=(100, 2)) * [3.0, 0.5] + [1.0, 2.0]
    X_val = rng.normal(size=(20, 2))
    _, mean, std = standardize(X_train)
    X_val_std, mean_out, std_out = standardize(X_val, mean, std)
    np.testing.assert_allclose(X_val_std, (X_val - X_train.mean(0)) / X_train.std(0))
    np.testing.assert_array_equal(mean_out, mean)
    np.testing.assert_array_equal(std_out, std)


def test_standardize_constant_feature_gives_zeros_not_nan():
    X = np.array([[1.0, 7.0], [2.0, 7.0], [3.0, 7.0]])
    X_std, mean, std = standardize(X)
    assert not np.any(np.isnan(X_std))
    np.testing.assert_array_equal(X_std[:, 1], 0.0)
    assert std[1] == 1.0
    X_new, _, _ = standardize(np.array([[2.0, 9.0]]), mean, std)
    np.testing.assert_allclose(X_new, [[0.0, 2.0]])


def test_standardize_errors_and_dtype():
    X = np.ones((4, 3))
    with pytest.raises(ValueError, match="both mean and std"):
        standardize(X, mean=np.zeros(3))
    with pytest.raises(ValueError, match=r"expected mean of shape \(3,\)"):
        standardize(X, mean=np.zeros(2), std=np.ones(2))
    with pytest.raises(ValueError, match=r"\(n, features\)"):
        standardize(np.ones(3))
    assert standardize(np.ones((2, 2), dtype=np.float32))[0].dtype == np.float32
    assert standardize(np.ones((2, 2), dtype=np.int64))[0].dtype == np.float64


# --------------------------------------------------------------------------------------------------
# minibatches
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "batch_size"), [(10, 3), (10, 5), (10, 1), (10, 10), (10, 64)])
@pytest.mark.parametrize("shuffle", [True, False])
def test_minibatches_cover_every_sample_once(n, batch_size, shuffle):
    X = np.arange(2 * n, dtype=float).reshape(n, 2)
    y = np.arange(n)
    batches = list(minibatches(X, y, batch_size, shuffle=shuffle, rng=0))
    sizes = [len(yb) for _, yb in batches]
    full, rest = divmod(n, batch_size)
    assert sizes == [batch_size] * full + ([rest] if rest else [])
    seen = np.concatenate([yb for _, yb in batches])
    assert sorted(seen.tolist()) == list(range(n))
    for Xb, yb in batches:  # rows stay paired with their labels
        np.testing.assert_array_equal(Xb, X[yb])
    if not shuffle:
        assert seen.tolist() == list(range(n))


def test_minibatches_shuffle_depends_on_rng():
    X, y = np.zeros((50, 1)), np.arange(50)

    def order(rng):
        return np.concatenate([yb for _, yb in minibatches(X, y, 8, rng=rng)]).tolist()

    assert order(1) == order(1)
    assert order(1) != order(2)
    assert order(1) != list(range(50))
    rng = np.random.default_rng(3)
    assert order(rng) != order(rng)  # one generator: a new order every epoch


def test_minibatches_unshuffled_are_views():
    X, y = np.zeros((6, 2)), np.zeros(6)
    Xb, _ = next(iter(minibatches(X, y, 4, shuffle=False)))
    assert np.shares_memory(Xb, X)


@pytest.mark.parametrize("bad", [0, -2])
def test_minibatches_batch_size_must_be_positive(bad):
    with pytest.raises(ValueError, match="positive int"):
        minibatches(np.zeros((4, 1)), np.zeros(4), bad)  # raises at call time, not at next()


@pytest.mark.parametrize("bad", [2.0, "4", True, None])
def test_minibatches_batch_size_must_be_int(bad):
    with pytest.raises(TypeError, match="positive int"):
        minibatches(np.zeros((4, 1)), np.zeros(4), bad)


def test_minibatches_rows_must_match():
    with pytest.raises(ValueError, match=r"same number of rows.*\(5, 2\).*\(4,\)"):
        minibatches(np.zeros((5, 2)), np.zeros(4), 2)


# --------------------------------------------------------------------------------------------------
# one_hot
# --------------------------------------------------------------------------------------------------


def test_one_hot():
    encoded = one_hot([2, 0, 1, 2])
    np.testing.assert_array_equal(encoded, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert encoded.dtype == np.float64
    assert one_hot(np.array([1]), n_classes=4).tolist() == [[0.0, 1.0, 0.0, 0.0]]
    np.testing.assert_array_equal(one_hot([3, 1], 5).argmax(axis=1), [3, 1])
    with pytest.raises(ValueError, match=r"0\.\.2"):
        one_hot([0, 3], n_classes=3)
    with pytest.raises(ValueError, match="whole numbers"):
        one_hot([0.5, 1])


def test_module_has_no_print():
    import inspect

    assert "print(" not in inspect.getsource(data)
