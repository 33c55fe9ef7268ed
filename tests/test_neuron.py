"""Tests for course.neuron: McCulloch-Pitts, the perceptron rule and the multi-output perceptron.

References used: truth tables from Python's bit operators, hand-traced perceptron updates (worked
out on paper in the comments), Novikoff's mistake bound, and the fact that no line classifies more
than 3 of the 4 XOR points correctly.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from course.data import gaussian_blobs, linearly_separable, logic_gate
from course.neuron import MultiOutputPerceptron, Perceptron, PerceptronUpdate, mcculloch_pitts

BITS = [(0, 0), (0, 1), (1, 0), (1, 1)]

# --------------------------------------------------------------------------------------------------
# McCulloch-Pitts
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weights", "threshold", "truth"),
    [
        ((1, 1), 2, lambda a, b: a & b),  # AND
        ((1, 1), 1, lambda a, b: a | b),  # OR
    ],
    ids=["AND", "OR"],
)
def test_mcculloch_pitts_two_input_gates(weights, threshold, truth):
    expected = [truth(a, b) for a, b in BITS]
    # one input vector at a time: a plain int
    for (a, b), want in zip(BITS, expected, strict=True):
        out = mcculloch_pitts(np.array([a, b]), weights, threshold)
        assert isinstance(out, int)
        assert out == want
    # the whole batch at once: an int array
    out = mcculloch_pitts(np.array(BITS), weights, threshold)
    assert isinstance(out, np.ndarray)
    assert np.issubdtype(out.dtype, np.integer)
    assert out.tolist() == expected


def test_mcculloch_pitts_not():
    assert mcculloch_pitts([0], [-1], 0) == 1
    assert mcculloch_pitts([1], [-1], 0) == 0
    assert mcculloch_pitts([[0], [1]], [-1], 0).tolist() == [1, 0]


def test_mcculloch_pitts_fires_at_equality_only_with_ge():
    # sum exactly equal to the threshold fires; just below does not
    assert mcculloch_pitts([0.5, 0.5], [1, 1], 1.0) == 1
    assert mcculloch_pitts([0.5, 0.49], [1, 1], 1.0) == 0


def test_mcculloch_pitts_no_threshold_gives_xor():
    # brute force over small integer weights and thresholds: none computes XOR
    xor = [a ^ b for a, b in BITS]
    for w1, w2, theta in itertools.product(range(-3, 4), range(-3, 4), np.arange(-3, 4, 0.5)):
        assert mcculloch_pitts(np.array(BITS), [w1, w2], theta).tolist() != xor


def test_mcculloch_pitts_shape_errors():
    with pytest.raises(ValueError, match=r"expected x of shape \(2,\).*got \(3,\)"):
        mcculloch_pitts([1, 0, 1], [1, 1], 1)
    with pytest.raises(ValueError, match=r"\(n, 2\).*got \(4, 3\)"):
        mcculloch_pitts(np.zeros((4, 3)), [1, 1], 1)
    with pytest.raises(ValueError, match="weights"):
        mcculloch_pitts([1, 0], [[1, 1]], 1)


# --------------------------------------------------------------------------------------------------
# Perceptron
# --------------------------------------------------------------------------------------------------


def test_perceptron_starts_from_zero_weights():
    p = Perceptron(3)
    assert p.weights.shape == (3,)
    assert np.all(p.weights == 0)
    assert p.bias == 0
    # sign(0) = +1: with zero weights every point is classified +1
    assert p.predict(np.random.default_rng(0).normal(size=(5, 3))).tolist() == [1] * 5


def test_perceptron_hand_traced_example():
    # Worked out on paper with the slides' rule, W = (0, 0), w_0 = 0 at the start:
    # epoch 0
    #   x=( 1, 1) y*=+1: z = 0        -> +1 correct
    #   x=(-1,-2) y*=-1: z = 0        -> +1 wrong: W = (0,0) - (-1,-2) = (1, 2), w_0 = -1
    #   x=( 2,-1) y*=+1: z = -1+2-2   -> -1 wrong: W = (1,2) + (2,-1) = (3, 1), w_0 = 0
    #   x=(-1, 1) y*=-1: z = -3+1     -> -1 correct
    # epoch 1: z = 4, -5, 5, -2 -> all correct, converged.
    X = np.array([[1.0, 1.0], [-1.0, -2.0], [2.0, -1.0], [-1.0, 1.0]])
    y = np.array([1, -1, 1, -1])
    p = Perceptron(2).fit(X, y, epochs=10)

    assert p.mistakes_per_epoch == [2, 0]
    assert p.converged
    assert len(p.history) == 2
    first, second = p.history
    assert isinstance(first, PerceptronUpdate)
    np.testing.assert_array_equal(first.weights, [1.0, 2.0])
    assert first.bias == -1.0
    assert (first.sample_index, first.epoch) == (1, 0)
    np.testing.assert_array_equal(second.weights, [3.0, 1.0])
    assert second.bias == 0.0
    assert (second.sample_index, second.epoch) == (2, 0)
    np.testing.assert_array_equal(p.weights, [3.0, 1.0])
    np.testing.assert_array_equal(p.decision_function(X), [4.0, -5.0, 5.0, -2.0])


def test_perceptron_first_update_is_y_times_x_of_first_misclassified():
    X, y = linearly_separable(40, rng=3, labels="pm1")
    p = Perceptron(2).fit(X, y)
    # with zero weights everything is predicted +1, so the first mistake is the first y = -1
    first_wrong = int(np.flatnonzero(y == -1)[0])
    update = p.history[0]
    assert update.sample_index == first_wrong
    np.testing.assert_array_equal(update.weights, y[first_wrong] * X[first_wrong])
    assert update.bias == y[first_wrong]


def test_perceptron_history_stores_copies():
    X, y = linearly_separable(60, rng=1, labels="pm1")
    p = Perceptron(2).fit(X, y)
    assert len(p.history) == sum(p.mistakes_per_epoch) >= 2
    # each step differs from the previous one by exactly y* x of the sample that caused it
    previous_w, previous_b = np.zeros(2), 0.0
    for step in p.history:
        i = step.sample_index
        np.testing.assert_allclose(step.weights - previous_w, y[i] * X[i])
        assert step.bias - previous_b == y[i]
        previous_w, previous_b = step.weights, step.bias
    np.testing.assert_array_equal(p.history[-1].weights, p.weights)
    assert p.history[0].weights is not p.weights


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_perceptron_converges_on_separable_data_within_novikoff_bound(seed, shuffle):
    X, y, w_true, b_true = linearly_separable(
        100, margin=0.3, rng=seed, labels="pm1", return_boundary=True
    )
    p = Perceptron(2).fit(X, y, epochs=1000, shuffle=shuffle, rng=seed)
    assert p.converged
    assert p.mistakes_per_epoch[-1] == 0
    assert all(m > 0 for m in p.mistakes_per_epoch[:-1])
    assert np.array_equal(p.predict(X), y)
    assert p.score(X, y) == 1.0
    # Novikoff: on the augmented points (1, x) the number of updates is at most (R / gamma)^2
    X_aug = np.column_stack([np.ones(len(X)), X])
    w_aug = np.concatenate([[b_true], w_true])
    gamma = np.min(y * (X_aug @ w_aug)) / np.linalg.norm(w_aug)
    radius = np.max(np.linalg.norm(X_aug, axis=1))
    assert sum(p.mistakes_per_epoch) <= (radius / gamma) ** 2


def test_perceptron_never_learns_xor():
    X, y01 = logic_gate("xor")
    y = 2 * y01 - 1
    p = Perceptron(2).fit(X, y, epochs=100)
    assert not p.converged
    assert len(p.mistakes_per_epoch) == 100
    assert min(p.mistakes_per_epoch) > 0
    # no line gets more than 3 of the 4 XOR points right
    assert p.score(X, y) <= 0.75


def test_perceptron_learns_and_or():
    for gate in ("and", "or", "nand"):
        X, y01 = logic_gate(gate)
        p = Perceptron(2).fit(X, 2 * y01 - 1, epochs=100)
        assert p.converged, gate
        assert p.predict(X).tolist() == (2 * y01 - 1).tolist()


def test_perceptron_fit_restarts_from_zero():
    X, y = linearly_separable(50, rng=0, labels="pm1")
    p = Perceptron(2).fit(X, y)
    weights, history = p.weights.copy(), [step.sample_index for step in p.history]
    p.fit(X, y)
    np.testing.assert_array_equal(p.weights, weights)
    assert [step.sample_index for step in p.history] == history


def test_perceptron_shuffle_uses_rng():
    X, y = linearly_separable(200, margin=0.1, rng=5, labels="pm1")

    def order(seed):
        return [s.sample_index for s in Perceptron(2).fit(X, y, shuffle=True, rng=seed).history]

    assert order(7) == order(7)
    assert order(7) != order(8)


def test_perceptron_record_history_off():
    X, y = linearly_separable(50, rng=0, labels="pm1")
    p = Perceptron(2).fit(X, y, record_history=False)
    assert p.history == []
    assert p.converged


def test_perceptron_stops_at_epochs():
    X, y01 = logic_gate("xor")
    p = Perceptron(2).fit(X, 2 * y01 - 1, epochs=3)
    assert len(p.mistakes_per_epoch) == 3


@pytest.mark.parametrize("bad", [[0, 1, 1, 0], [1, -1, 2, 1], [1.0, -1.0, 0.5, 1.0]])
def test_perceptron_rejects_labels_other_than_pm1(bad):
    X, _ = logic_gate("xor")
    with pytest.raises(ValueError, match=r"\+1 or -1.*2 \* y - 1"):
        Perceptron(2).fit(X, bad)


def test_perceptron_error_names_bad_values():
    X, y01 = logic_gate("and")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        Perceptron(2).fit(X, y01)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        Perceptron(2).score(X, y01)


def test_perceptron_shape_errors():
    p = Perceptron(3)
    with pytest.raises(ValueError, match=r"expected X of shape \(n, 3\), got \(5, 2\)"):
        p.predict(np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"expected X of shape \(n, 3\), got \(3,\)"):
        p.fit(np.zeros(3), np.ones(1))
    with pytest.raises(ValueError, match=r"expected y of shape \(5,\)"):
        p.fit(np.zeros((5, 3)), np.ones(4))
    with pytest.raises(ValueError, match="epochs"):
        p.fit(np.zeros((5, 3)), np.ones(5), epochs=0)
    with pytest.raises(ValueError, match="n_features"):
        Perceptron(0)


def test_perceptron_dtype():
    X, y = linearly_separable(30, rng=0, labels="pm1")
    p = Perceptron(2, dtype=np.float32).fit(X, y)
    assert p.weights.dtype == np.float32


# --------------------------------------------------------------------------------------------------
# Multi-output perceptron
# --------------------------------------------------------------------------------------------------


def test_multi_output_shapes_and_tie_rule():
    m = MultiOutputPerceptron(4, 3)
    assert m.weights.shape == (4, 3)
    assert m.bias.shape == (3,)
    assert np.all(m.weights == 0) and np.all(m.bias == 0)
    # all outputs tie at 0: argmax picks class 0
    assert m.predict(np.ones((2, 4))).tolist() == [0, 0]


def test_multi_output_dense_layer_formula():
    # z_i = w_{0,i} + sum_j x_j w_{j,i}, written out with loops
    rng = np.random.default_rng(0)
    m = MultiOutputPerceptron(3, 4)
    m.weights = rng.normal(size=(3, 4))
    m.bias = rng.normal(size=4)
    X = rng.normal(size=(5, 3))
    expected = np.array(
        [
            [m.bias[i] + sum(X[n, j] * m.weights[j, i] for j in range(3)) for i in range(4)]
            for n in range(5)
        ]
    )
    np.testing.assert_allclose(m.decision_function(X), expected)
    assert m.predict(X).tolist() == expected.argmax(axis=1).tolist()


def test_multi_output_hand_traced_updates():
    # Worked out on paper, W = 0, b = 0, 3 classes:
    # x=(1,2), y*=2: z = (0,0,0) -> y_hat = 0 wrong:
    #     W[:,2] = (1,2), b_2 = 1;  W[:,0] = (-1,-2), b_0 = -1
    # x=(3,0), y*=1: z = (-1-3, 0, 1+3) = (-4, 0, 4) -> y_hat = 2 wrong:
    #     W[:,1] = (3,0), b_1 = 1;  W[:,2] = (1,2) - (3,0) = (-2,2), b_2 = 0
    X = np.array([[1.0, 2.0], [3.0, 0.0]])
    y = np.array([2, 1])
    m = MultiOutputPerceptron(2, 3).fit(X[:1], y[:1], epochs=1)
    np.testing.assert_array_equal(m.weights, [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0]])
    np.testing.assert_array_equal(m.bias, [-1.0, 0.0, 1.0])
    assert m.mistakes_per_epoch == [1]

    m = MultiOutputPerceptron(2, 3).fit(X, y, epochs=1)
    np.testing.assert_array_equal(m.weights, [[-1.0, 3.0, -2.0], [-2.0, 0.0, 2.0]])
    np.testing.assert_array_equal(m.bias, [-1.0, 1.0, 0.0])
    assert m.mistakes_per_epoch == [2]
    assert not m.converged


def test_multi_output_reaches_100_percent_on_separated_blobs():
    centers = np.array([[-5.0, -5.0], [5.0, -5.0], [0.0, 5.0]])
    X, y = gaussian_blobs(150, centers=centers, std=0.5, rng=0)
    m = MultiOutputPerceptron(2, 3).fit(X, y, epochs=100)
    assert m.converged
    assert m.mistakes_per_epoch[-1] == 0
    assert np.array_equal(m.predict(X), y)
    assert m.score(X, y) == 1.0


def test_multi_output_shuffle_reproducible():
    X, y = gaussian_blobs(90, centers=3, std=2.0, rng=1)
    a = MultiOutputPerceptron(2, 3).fit(X, y, epochs=5, shuffle=True, rng=3)
    b = MultiOutputPerceptron(2, 3).fit(X, y, epochs=5, shuffle=True, rng=3)
    np.testing.assert_array_equal(a.weights, b.weights)
    assert a.mistakes_per_epoch == b.mistakes_per_epoch


@pytest.mark.parametrize("bad", [[0, 1, 3], [-1, 0, 1], [0, 1.5, 2]])
def test_multi_output_rejects_out_of_range_labels(bad):
    m = MultiOutputPerceptron(2, 3)
    with pytest.raises(ValueError, match=r"integers in 0\.\.2"):
        m.fit(np.zeros((3, 2)), bad)


def test_multi_output_shape_errors():
    m = MultiOutputPerceptron(3, 2)
    with pytest.raises(ValueError, match=r"expected X of shape \(n, 3\), got \(5, 2\)"):
        m.predict(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="n_classes"):
        MultiOutputPerceptron(3, 1)
