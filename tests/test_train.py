"""fit: epochs and iterations as the slides define them, History, early stopping, divergence,
and the digits MLP reaching 95% test accuracy."""

import math

import numpy as np
import pytest

from course.activations import ReLU, Sigmoid
from course.data import digits, gaussian_blobs
from course.layers import Dense
from course.losses import MSE, SoftmaxCrossEntropy
from course.network import Sequential
from course.optim import SGD, Adam
from course.regularization import EarlyStopping
from course.train import History, TrainingDiverged, accuracy, evaluate, fit


def small_problem(n=90, dtype=np.float64):
    X, y = gaussian_blobs(n, centers=3, std=0.5, rng=0)
    model = Sequential(Dense(2, 8, rng=1, dtype=dtype), ReLU(), Dense(8, 3, rng=2, dtype=dtype))
    return model, X, y


@pytest.mark.parametrize("batch_size, per_epoch", [(90, 1), (1, 90), (16, 6), (200, 1)])
def test_epochs_and_iterations(batch_size, per_epoch):
    """Batch GD: one iteration per epoch; SGD: n; mini-batch: ceil(n / k)."""
    model, X, y = small_problem()
    history = fit(model, SoftmaxCrossEntropy(), SGD(model.parameters(), lr=0.1), X, y,
                  epochs=3, batch_size=batch_size, progress=False, rng=0)
    assert history.epochs == 3 and history.epoch == [1, 2, 3]
    assert history.iterations == 3 * per_epoch
    assert len(history.iteration_loss) == 3 * per_epoch
    assert len(history.train_loss) == len(history.train_acc) == 3
    assert history.val_loss == [] and history.best_epoch is None


def test_history_values_are_what_the_model_does():
    model, X, y = small_problem()
    loss = SoftmaxCrossEntropy()
    history = fit(model, loss, Adam(model.parameters(), lr=0.01), X, y, epochs=5,
                  batch_size=len(X), X_val=X, y_val=y, progress=False, shuffle=False)
    # with one full batch, the epoch's training loss is the loss before that epoch's step
    assert history.train_loss[1:] == pytest.approx(history.val_loss[:-1])
    val_loss, val_acc = evaluate(model, loss, X, y)
    assert history.val_loss[-1] == pytest.approx(val_loss)
    assert history.val_acc[-1] == pytest.approx(val_acc)
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.best_epoch == int(np.argmin(history.val_loss))
    assert "epochs=5" in repr(history)


def test_same_seed_same_training():
    runs = []
    for _ in range(2):
        model, X, y = small_problem()
        runs.append(fit(model, SoftmaxCrossEntropy(), SGD(model.parameters(), lr=0.1), X, y,
                        epochs=2, batch_size=10, progress=False, rng=5).iteration_loss)
    assert runs[0] == runs[1]


def test_early_stopping_stops_and_restores_the_best_weights():
    X, y = gaussian_blobs(60, centers=2, std=3.0, rng=1)
    X_val, y_val = gaussian_blobs(60, centers=2, std=3.0, rng=2)
    model = Sequential(Dense(2, 64, rng=1), ReLU(), Dense(64, 2, rng=2))
    stopper = EarlyStopping(patience=3)
    history = fit(model, SoftmaxCrossEntropy(), Adam(model.parameters(), lr=0.05), X, y,
                  epochs=300, batch_size=8, X_val=X_val, y_val=y_val,
                  callbacks=[stopper], progress=False, rng=0)
    assert history.stopped_early and history.epochs < 300
    assert history.best_epoch == stopper.best_epoch == history.epochs - 1 - 3
    best = history.val_loss[history.best_epoch]
    assert best == min(history.val_loss)
    assert evaluate(model, SoftmaxCrossEntropy(), X_val, y_val)[0] == pytest.approx(best)


def test_function_callback_can_stop():
    model, X, y = small_problem()
    seen = []

    def stop_after_two(history, model_):
        seen.append(history.epochs)
        return history.epochs == 2

    history = fit(model, SoftmaxCrossEntropy(), SGD(model.parameters(), lr=0.1), X, y,
                  epochs=10, batch_size=30, callbacks=[stop_after_two], progress=False)
    assert seen == [1, 2] and history.epochs == 2 and history.stopped_early


def test_divergence_is_stopped_with_a_helpful_error():
    model, X, y = small_problem()
    X = X * 1e3
    with pytest.raises(TrainingDiverged, match="smaller learning rate.*clip") as info:
        fit(model, MSE(), SGD(model.parameters(), lr=10.0), X, np.eye(3)[y],
            epochs=50, batch_size=10, progress=False)
    assert info.value.history.iterations >= 1
    assert all(math.isfinite(v) for v in info.value.history.iteration_loss)


def test_clip_norm_and_l2_options_change_training():
    def final_weights(**options):
        model, X, y = small_problem()
        fit(model, SoftmaxCrossEntropy(), SGD(model.parameters(), lr=0.5), X, y, epochs=5,
            batch_size=10, progress=False, rng=0, **options)
        return model[0].W.data

    plain = final_weights()
    assert np.linalg.norm(final_weights(l2=0.05)) < np.linalg.norm(plain)
    assert not np.allclose(final_weights(clip_norm=0.01), plain)


def test_float32_model_trains_in_float32():
    model, X, y = small_problem(dtype=np.float32)
    fit(model, SoftmaxCrossEntropy(), Adam(model.parameters(), lr=0.01), X, y, epochs=2,
        batch_size=10, progress=False)
    assert all(p.data.dtype == np.float32 for p in model.parameters())


def test_regression_accuracy_is_nan_and_binary_accuracy_thresholds():
    assert math.isnan(accuracy(np.array([[0.3], [0.7]]), np.array([0.5, 1.2])))
    assert accuracy(np.array([[0.3], [0.7]]), np.array([0, 1])) == 1.0
    assert accuracy(np.array([[0.2, 0.8], [0.9, 0.1]]), np.array([[0, 1], [0, 1]])) == 0.5
    X = np.linspace(-1, 1, 20).reshape(-1, 1)
    model = Sequential(Dense(1, 1, rng=0), Sigmoid())
    history = fit(model, MSE(), SGD(model.parameters(), lr=0.1), X, X[:, 0] * 0.3, epochs=1,
                  batch_size=5, progress=False)
    assert math.isnan(history.train_acc[0])


def test_bad_arguments():
    model, X, y = small_problem()
    opt = SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        fit(model, SoftmaxCrossEntropy(), opt, X, y, epochs=0, batch_size=4, progress=False)
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        fit(model, SoftmaxCrossEntropy(), opt, X, y, epochs=1, batch_size=2.5, progress=False)
    with pytest.raises(ValueError, match="both X_val and y_val"):
        fit(model, SoftmaxCrossEntropy(), opt, X, y, epochs=1, batch_size=4, X_val=X,
            progress=False)
    with pytest.raises(ValueError, match="X has 90 samples but y has 89"):
        fit(model, SoftmaxCrossEntropy(), opt, X, y[:-1], epochs=1, batch_size=4, progress=False)
    with pytest.raises(ValueError, match=r"expected input of shape \(batch, 2\)"):
        fit(model, SoftmaxCrossEntropy(), opt, np.ones((90, 3)), y, epochs=1, batch_size=4,
            progress=False)
    with pytest.raises(TypeError, match="callbacks must be"):
        fit(model, SoftmaxCrossEntropy(), opt, X, y, epochs=1, batch_size=4, callbacks=[3],
            progress=False)
    assert isinstance(History(), History)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_digits_mlp_reaches_95_percent_within_20_epochs(seed):
    """The issue's end-to-end check: 64-128-10 ReLU MLP with Adam on the digits data, with the
    settings of ``python -m course``, for several seeds."""
    data = digits()
    model = Sequential(Dense(64, 128, rng=seed), ReLU(), Dense(128, 10, rng=seed + 1))
    loss = SoftmaxCrossEntropy()
    history = fit(model, loss, Adam(model.parameters(), lr=0.005), data.X_train, data.y_train,
                  epochs=20, batch_size=32, X_val=data.X_val, y_val=data.y_val,
                  progress=False, rng=seed)
    _, test_acc = evaluate(model, loss, data.X_test, data.y_test)
    assert history.epochs == 20
    assert test_acc >= 0.95
