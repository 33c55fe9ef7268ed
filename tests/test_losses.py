"""Losses: the slides' formulas, gradients against central differences, stability, errors."""

import numpy as np
import pytest

from course.activations import softmax
from course.gradcheck import numerical_gradient, relative_error
from course.losses import MAE, MSE, BinaryCrossEntropy, CrossEntropy, SoftmaxCrossEntropy

RNG = np.random.default_rng(7)
M, K = 6, 4
LOGITS = RNG.standard_normal((M, K))
LABELS = RNG.integers(0, K, size=M)
ONE_HOT = np.eye(K)[LABELS]
PROBS = softmax(LOGITS)


def grad_error(loss, pred, target) -> float:
    pred = pred.copy()
    loss.forward(pred, target)
    analytic = loss.backward()
    numerical = numerical_gradient(lambda p: loss.forward(p, target), pred)
    return relative_error(analytic, numerical)


CASES = [
    (MSE(), RNG.standard_normal((M, 3)), RNG.standard_normal((M, 3))),
    (MSE(), RNG.standard_normal((M, 1)), RNG.standard_normal(M)),
    (MAE(), RNG.standard_normal((M, 3)), RNG.standard_normal((M, 3))),
    (CrossEntropy(), PROBS, LABELS),
    (CrossEntropy(), PROBS, ONE_HOT),
    (SoftmaxCrossEntropy(), LOGITS, LABELS),
    (SoftmaxCrossEntropy(), LOGITS, ONE_HOT),
    (BinaryCrossEntropy(), RNG.uniform(0.05, 0.95, (M, 1)), RNG.integers(0, 2, (M, 1))),
    (BinaryCrossEntropy(from_logits=True), RNG.standard_normal((M, 1)), RNG.integers(0, 2, M)),
]


@pytest.mark.parametrize("loss, pred, target", CASES, ids=lambda c: repr(c)[:30])
def test_gradients_match_central_differences(loss, pred, target):
    assert grad_error(loss, pred, target) < 1e-6


def test_slide_formulas():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    y_hat = np.array([1.5, 1.0, 3.0, 6.0])
    assert np.isclose(MSE()(y_hat, y), np.mean((y - y_hat) ** 2))  # (0.25+1+0+4)/4
    assert np.isclose(MSE()(y_hat, y), 1.3125)
    assert np.isclose(MAE()(y_hat, y), (0.5 + 1 + 0 + 2) / 4)
    # H(p, q) = -(1/m) sum_i sum_j y_j log p_j
    expected = -np.mean(np.log(PROBS[np.arange(M), LABELS]))
    assert np.isclose(CrossEntropy()(PROBS, LABELS), expected)
    assert np.isclose(CrossEntropy()(PROBS, ONE_HOT), expected)
    assert np.isclose(SoftmaxCrossEntropy()(LOGITS, LABELS), expected)
    p = np.array([0.9, 0.2, 0.6])
    t = np.array([1, 0, 0])
    bce = -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))
    assert np.isclose(BinaryCrossEntropy()(p, t), bce)
    z = np.log(p / (1 - p))
    assert np.isclose(BinaryCrossEntropy(from_logits=True)(z, t), bce)


def test_softmax_cross_entropy_gradient_is_p_minus_y_over_m():
    loss = SoftmaxCrossEntropy()
    loss.forward(LOGITS, LABELS)
    assert np.allclose(loss.backward(), (PROBS - ONE_HOT) / M)


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    z = np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 999.0]])
    loss = SoftmaxCrossEntropy()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = loss(z, np.array([0, 2]))
        grad = loss.backward()
    assert np.isclose(value, (0 + (1000 - 999 + np.log1p(np.exp(-1)))) / 2)
    assert np.all(np.isfinite(grad))
    assert np.isfinite(BinaryCrossEntropy(from_logits=True)(np.array([800.0, -800.0]), [0, 1]))


def test_cross_entropy_of_zero_probability_is_finite():
    assert np.isfinite(CrossEntropy()(np.array([[0.0, 1.0]]), np.array([0])))


def test_float32_is_kept():
    loss = SoftmaxCrossEntropy()
    loss.forward(LOGITS.astype(np.float32), LABELS)
    assert loss.backward().dtype == np.float32
    mse = MSE()
    mse.forward(np.ones((3, 2), dtype=np.float32), np.zeros((3, 2)))
    assert mse.backward().dtype == np.float32


def test_clear_errors():
    expected = r"labels must be in 0..3 for 4 classes, got labels from 0 to 4"
    with pytest.raises(ValueError, match=expected):
        SoftmaxCrossEntropy()(LOGITS, np.array([0, 1, 2, 3, 4, 0]))
    with pytest.raises(ValueError, match="labels must be in 0..3"):
        CrossEntropy()(PROBS, -LABELS - 1)
    with pytest.raises(ValueError, match="6 integer labels"):
        SoftmaxCrossEntropy()(LOGITS, LABELS[:4])
    with pytest.raises(ValueError, match="class labels must be integers"):
        SoftmaxCrossEntropy()(LOGITS, LABELS + 0.5)
    with pytest.raises(ValueError, match="expects probabilities.*SoftmaxCrossEntropy"):
        CrossEntropy()(LOGITS * 10, LABELS)
    with pytest.raises(ValueError, match="does not match prediction shape"):
        MSE()(np.ones((4, 2)), np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"targets must be in \[0, 1\]"):
        BinaryCrossEntropy()(np.full(3, 0.5), np.array([1, -1, 1]))
    with pytest.raises(RuntimeError, match="before forward"):
        MSE().backward()
