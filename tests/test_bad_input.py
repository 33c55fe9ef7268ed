"""Bad input to fit and the losses: a clear message that says what is wrong, where, and what to
do, given before anything is trained (or, where training happened, with nothing trained lost)."""

import re
import warnings

import numpy as np
import pytest

from course.activations import ReLU, Sigmoid
from course.layers import Dense
from course.losses import MSE, BinaryCrossEntropy, CrossEntropy, SoftmaxCrossEntropy
from course.network import Sequential
from course.optim import SGD
from course.train import History, TrainingDiverged, _best_epoch, fit

RNG = np.random.default_rng(0)
X = RNG.standard_normal((200, 5))
Y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)  # three classes
Y_REG = X[:, :1] * 2.0


def classifier(dtype=np.float64) -> Sequential:
    return Sequential(Dense(5, 8, rng=1, dtype=dtype), ReLU(), Dense(8, 3, rng=2, dtype=dtype))


def weights(model) -> list[np.ndarray]:
    return [p.data.copy() for p in model.parameters()]


def fit_raising(model, loss, X, y, **kwargs) -> str:
    """fit, expected to refuse the data before training: returns the message, and checks that
    the model is exactly as it was (not a single step was taken)."""
    before = weights(model)
    optimizer = SGD(model.parameters(), lr=0.1)
    with pytest.raises((ValueError, TypeError)) as info:
        fit(model, loss, optimizer, X, y, epochs=3, batch_size=16, progress=False, rng=0,
            **kwargs)
    assert all(np.array_equal(a, b) for a, b in zip(before, weights(model), strict=True))
    assert optimizer.state == {}
    return str(info.value)


def test_nan_in_X_val_is_found_before_training_with_where_and_what_to_do():
    X_val = X[:50].copy()
    X_val[[3, 41], 2] = np.nan
    X_val[7, 4] = np.inf
    message = fit_raising(classifier(), SoftmaxCrossEntropy(), X, Y, X_val=X_val, y_val=Y[:50])
    assert message.startswith("X_val holds 2 NaN and 1 inf values")
    assert "3 of its 50 rows (rows 3, 7, 41)" in message
    assert "2 of its 5 columns (columns 2, 4)" in message
    assert "np.isfinite(X_val).all(axis=1)" in message  # how to drop them
    assert "nothing was trained" in message


@pytest.mark.parametrize("value, word", [(np.nan, "NaN"), (np.inf, "inf"), (-np.inf, "inf")])
def test_nan_or_inf_in_X_is_named_as_bad_data_not_as_divergence(value, word):
    X_bad = X.copy()
    X_bad[10:17, 1] = value
    message = fit_raising(classifier(), SoftmaxCrossEntropy(), X_bad, Y)
    assert message.startswith(f"X holds 7 {word} values, in 7 of its 200 rows")
    assert "(rows 10, 11, 12, 13, 14, ...)" in message  # at most five listed
    assert "1 of its 5 columns (column 1)" in message
    assert "learning rate" not in message


def test_nan_in_regression_targets_is_named_y():
    y = Y_REG.copy()
    y[4, 0] = np.nan
    message = fit_raising(Sequential(Dense(5, 1, rng=1)), MSE(), X, y)
    assert message.startswith("y holds 1 NaN value, in 1 of its 200 rows (row 4)")
    assert "X, y = X[keep], y[keep]" in message
    assert "columns" not in message and "nanmean" not in message  # targets are not imputed


def test_nan_in_y_val():
    y_val = Y_REG[:20, 0].copy()
    y_val[[0, 9]] = np.inf
    message = fit_raising(Sequential(Dense(5, 1, rng=1)), MSE(), X, Y_REG, X_val=X[:20],
                          y_val=y_val)
    assert message.startswith("y_val holds 2 inf values, in 2 of its 20 rows (rows 0, 9)")


def test_a_number_too_large_for_float32_is_named_as_such():
    X_huge = X.copy()
    X_huge[5, 0] = 1e300  # finite in float64, inf in the float32 model
    message = fit_raising(classifier(np.float32), SoftmaxCrossEntropy(), X_huge, Y)
    assert message.startswith("X holds 1 inf value, in 1 of its 200 rows (row 5)")
    assert "finite in the array you passed" in message and "float32" in message
    assert "Rescale" in message


def test_string_labels_say_how_to_number_them():
    names = np.array(["cat", "dog", "bird"])[Y]
    message = fit_raising(classifier(), SoftmaxCrossEntropy(), X, names)
    assert "class labels must be integers 0..2" in message
    assert "'dog'" in message and "<U4" in message
    assert "np.unique(y, return_inverse=True)" in message
    # the advice works: the numbered labels train
    classes, labels = np.unique(names, return_inverse=True)
    model = classifier()
    history = fit(model, SoftmaxCrossEntropy(), SGD(model.parameters(), lr=0.1), X, labels,
                  epochs=2, batch_size=16, progress=False)
    assert history.epochs == 2 and list(classes) == ["bird", "cat", "dog"]


def test_string_labels_in_the_losses_directly():
    logits = RNG.standard_normal((3, 2))
    for loss in (SoftmaxCrossEntropy(), CrossEntropy()):
        pred = logits if isinstance(loss, SoftmaxCrossEntropy) else np.full((3, 2), 0.5)
        with pytest.raises(TypeError, match=re.escape("np.unique(y, return_inverse=True)")):
            loss(pred, ["yes", "no", "yes"])
        with pytest.raises(TypeError, match="class labels must be integers 0..1"):
            loss(pred, np.array(["yes", 1, 0], dtype=object))  # a mixed pandas-like column
    assert SoftmaxCrossEntropy()(logits, np.array([1, 0, 1], dtype=object)) > 0  # numbers
    with pytest.raises(TypeError, match=r"labels 0 and 1.*'spam', 'ham'.*astype\(int\)"):
        BinaryCrossEntropy()(np.full((3, 1), 0.5), np.array(["spam", "ham", "spam"]))
    with pytest.raises(TypeError, match="MSE target must be numbers.*'a'"):
        MSE()(np.zeros(2), ["a", "b"])


@pytest.mark.parametrize("n", [200, 9000])  # the targets are checked a few thousand at a time
def test_a_bad_label_in_a_late_batch_stops_fit_before_training(n):
    X_n = np.resize(X, (n, 5))
    y = np.resize(Y, n)
    y[n - 10] = 3  # only in the last batch of an unshuffled epoch, for a 3-class network
    message = fit_raising(classifier(), SoftmaxCrossEntropy(), X_n, y, shuffle=False)
    assert "labels must be in 0..2 for 3 classes, got labels from 0 to 3" in message


@pytest.mark.parametrize("sign", [1, -1])
def test_validation_loss_that_is_never_finite_keeps_the_trained_history(sign):
    """Finite X_val whose outputs overflow (to inf, or to NaN where infinities of both signs
    meet): fit finishes, keeps the History and the trained weights (the same as without
    validation data), and warns."""
    X_val = np.full((20, 5), 1e308)
    X_val[:, 1::2] *= sign
    model, reference = classifier(), classifier()
    with pytest.warns(RuntimeWarning, match="validation loss was NaN or infinite at all 3"):
        history = fit(model, SoftmaxCrossEntropy(), SGD(model.parameters(), lr=0.1), X, Y,
                      epochs=3, batch_size=16, X_val=X_val, y_val=Y[:20], progress=False, rng=0)
    fit(reference, SoftmaxCrossEntropy(), SGD(reference.parameters(), lr=0.1), X, Y, epochs=3,
        batch_size=16, progress=False, rng=0)
    assert isinstance(history, History) and history.epochs == 3
    assert not np.any(np.isfinite(history.val_loss)) and history.best_epoch is None
    assert np.isnan(history.val_loss[0]) == (sign == -1)
    assert history.train_loss[-1] < history.train_loss[0]
    for a, b in zip(weights(model), weights(reference), strict=True):
        assert np.array_equal(a, b)


def test_some_nan_validation_losses_still_give_a_best_epoch():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _best_epoch([1.0, float("nan"), 0.5, float("inf")]) == 2


def test_a_real_divergence_is_still_reported_as_one_with_its_history():
    model = Sequential(Dense(5, 1, rng=1))
    with pytest.raises(TrainingDiverged, match="smaller learning rate") as info:
        fit(model, MSE(), SGD(model.parameters(), lr=50.0), X * 10, Y_REG, epochs=50,
            batch_size=200, progress=False)
    assert info.value.history.iterations > 0
    assert len(info.value.history.iteration_loss) == info.value.history.iterations


def test_binary_cross_entropy_clips_at_eps_as_documented():
    """p~ = clip(p, eps, 1 - eps): a saturated wrong output costs -log(eps), not inf, and its
    gradient is (1/m) (p~ - y) / (p~ (1 - p~)) at the clipped p~."""
    loss = BinaryCrossEntropy(eps=1e-7)
    p, y = np.array([[1.0], [0.0], [0.3]]), np.array([0, 1, 1])
    value = loss(p, y)
    clipped = np.array([[1 - 1e-7], [1e-7], [0.3]])
    expected = -np.mean([np.log(1e-7), np.log(1e-7), np.log(0.3)])
    assert value == pytest.approx(expected, rel=1e-9)
    np.testing.assert_allclose(loss.backward(),
                               (clipped - y[:, None]) / (clipped * (1 - clipped)) / 3)
    assert BinaryCrossEntropy()(np.array([0.0]), np.array([1])) == pytest.approx(
        -np.log(1e-12))


def test_binary_cross_entropy_of_a_saturated_float32_sigmoid_is_finite():
    """In float32, 1 - 1e-12 rounds to 1: the upper clip is the largest float32 below 1."""
    out = Sigmoid().forward(np.array([[40.0], [-40.0]], dtype=np.float32))
    assert out[0, 0] == 1.0  # the sigmoid saturated
    loss = BinaryCrossEntropy()
    value = loss(out, np.array([0, 1]))
    top = np.float32(1) - np.float32(2.0**-24)
    assert value == pytest.approx(-(np.log(1 - top) + np.log(np.float32(1e-12))) / 2, rel=1e-6)
    grad = loss.backward()
    assert grad.dtype == np.float32 and np.all(np.isfinite(grad))
    assert grad[0, 0] > 0 and grad[1, 0] < 0  # pushes both wrong outputs the right way
