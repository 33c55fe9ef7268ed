"""Dense, Dropout and BatchNorm: gradient checks in both modes, the slides' properties, errors."""

import numpy as np
import pytest

from course.gradcheck import check_layer
from course.layers import BatchNorm, Dense, Dropout
from course.parameter import Parameter

RNG = np.random.default_rng(42)
X = RNG.standard_normal((8, 5))


# ----------------------------------------------------------------------------- Dense
def test_dense_computes_z_equals_a_W_plus_b_with_slide_indexing():
    layer = Dense(3, 2, rng=0)
    layer.W.data[...] = [[1, 2], [3, 4], [5, 6]]
    layer.b.data[...] = [10, 20]
    a_prev = np.array([[1.0, 0.0, -1.0]])
    # z_j = b_j + sum_i W_ij a_i
    expected = [10 + 1 - 5, 20 + 2 - 6]
    assert np.allclose(layer.forward(a_prev), [expected])
    assert layer.W.shape == (3, 2) and layer.b.shape == (2,)


@pytest.mark.parametrize("init", ["he_normal", "xavier_uniform", "uniform", "normal"])
def test_dense_gradient_check(init):
    assert check_layer(Dense(5, 4, init=init, rng=1), X, rng=0) < 1e-6


def test_dense_backward_accumulates_and_returns_input_grad():
    layer = Dense(5, 3, rng=0)
    G = RNG.standard_normal((8, 3))
    layer.forward(X)
    grad_in = layer.backward(G)
    assert np.allclose(layer.W.grad, X.T @ G)
    assert np.allclose(layer.b.grad, G.sum(axis=0))
    assert np.allclose(grad_in, G @ layer.W.data.T)
    layer.forward(X)
    layer.backward(G)
    assert np.allclose(layer.W.grad, 2 * X.T @ G)  # accumulated, as the chain rule sums
    layer.zero_grad()
    layer.forward(X)
    layer.backward_params_only(G)
    assert np.allclose(layer.W.grad, X.T @ G)


def test_dense_float32_stays_float32():
    layer = Dense(5, 3, rng=0, dtype=np.float32)
    out = layer.forward(X.astype(np.float32))
    assert out.dtype == np.float32
    layer.backward(np.ones_like(out))
    assert layer.W.grad.dtype == np.float32 and layer.W.data.dtype == np.float32


def test_dense_seed_reproducible():
    assert np.array_equal(Dense(4, 3, rng=7).W.data, Dense(4, 3, rng=7).W.data)
    assert not np.array_equal(Dense(4, 3, rng=7).W.data, Dense(4, 3, rng=8).W.data)


def test_dense_shape_errors_say_expected_and_got():
    layer = Dense(64, 128)
    expected = r"expected input of shape \(batch, 64\), got shape \(32, 28\)"
    with pytest.raises(ValueError, match=expected):
        layer.forward(np.ones((32, 28)))
    with pytest.raises(ValueError, match="reshape"):
        layer.forward(np.ones(64))
    with pytest.raises(RuntimeError, match="before forward"):
        Dense(2, 2).backward(np.ones((1, 2)))
    layer.forward(np.ones((4, 64)))
    with pytest.raises(ValueError, match="grad_out of shape"):
        layer.backward(np.ones((4, 10)))
    with pytest.raises(ValueError, match="Unknown initializer"):
        Dense(2, 2, init="glorot")
    with pytest.raises(ValueError, match="positive int"):
        Dense(0, 2)


def test_dense_repr_and_parameters():
    layer = Dense(3, 2, init="xavier_uniform")
    assert repr(layer) == "Dense(3 -> 2, init='xavier_uniform')"
    assert [p.name for p in layer.parameters()] == ["W", "b"]
    assert all(isinstance(p, Parameter) for p in layer.parameters())
    assert layer.num_parameters() == 8


# ----------------------------------------------------------------------------- Dropout
def _mask(shape, keep=0.6, seed=3):
    return (np.random.default_rng(seed).random(shape) < keep).astype(float)


@pytest.mark.parametrize("mode", ["inverted", "scale_at_test"])
@pytest.mark.parametrize("training", [True, False])
def test_dropout_gradient_check_with_fixed_mask(mode, training):
    layer = Dropout(0.4, rng=0, mode=mode)
    layer.fixed_mask = _mask(X.shape)
    if not training:
        layer.eval()
    assert check_layer(layer, X, rng=1) < 1e-6


def test_dropout_random_mask_is_refused_by_gradient_check():
    with pytest.raises(ValueError, match="fixed_mask"):
        check_layer(Dropout(0.5, rng=0), X)


@pytest.mark.parametrize("mode", ["inverted", "scale_at_test"])
@pytest.mark.parametrize("rate", [0.2, 0.5, 0.8])
def test_dropout_keeps_the_expected_activation(mode, rate):
    x = np.full((2000, 50), 3.0)
    layer = Dropout(rate, rng=0, mode=mode)
    train_mean = layer.forward(x).mean()
    test_mean = layer.eval().forward(x).mean()
    # E_train[a] = E_test[a]: both modes agree in expectation (2000 x 50 draws)
    assert abs(train_mean - test_mean) < 0.03 * 3.0
    dropped = 1 - layer.mask.mean()
    assert abs(dropped - rate) < 0.01


def test_dropout_training_and_test_formulas():
    x = np.arange(1.0, 13.0).reshape(3, 4)
    mask = _mask(x.shape, keep=0.5, seed=5)
    inverted = Dropout(0.5, mode="inverted")
    inverted.fixed_mask = mask
    assert np.allclose(inverted.forward(x), x * mask / 0.5)
    assert np.array_equal(inverted.eval().forward(x), x)  # identity at test time
    slides = Dropout(0.5, mode="scale_at_test")
    slides.fixed_mask = mask
    assert np.allclose(slides.forward(x), x * mask)
    assert np.allclose(slides.eval().forward(x), 0.5 * x)  # the keep probability at test


def test_dropout_rate_zero_is_identity_and_errors():
    x = RNG.standard_normal((4, 3))
    assert np.array_equal(Dropout(0.0, rng=0).forward(x), x)
    for bad in (-0.1, 1.0, 1.5):
        with pytest.raises(ValueError, match=r"must be in \[0, 1\)"):
            Dropout(bad)
    with pytest.raises(ValueError, match="Unknown dropout mode"):
        Dropout(0.5, mode="slides")
    layer = Dropout(0.5)
    layer.fixed_mask = np.ones((2, 2))
    with pytest.raises(ValueError, match="fixed_mask has shape"):
        layer.forward(np.ones((3, 2)))


def test_dropout_float32_and_seed():
    x = np.ones((50, 20), dtype=np.float32)
    assert Dropout(0.3, rng=1).forward(x).dtype == np.float32
    assert np.array_equal(Dropout(0.3, rng=1).forward(x), Dropout(0.3, rng=1).forward(x))


# ----------------------------------------------------------------------------- BatchNorm
def test_batchnorm_gradient_check_training_and_eval():
    layer = BatchNorm(5)
    layer.gamma.data[...] = RNG.uniform(0.5, 2, 5)
    layer.beta.data[...] = RNG.standard_normal(5)
    assert check_layer(layer, X, rng=0) < 1e-6
    layer.running_mean[...] = RNG.standard_normal(5)
    layer.running_var[...] = RNG.uniform(0.5, 2, 5)
    assert check_layer(layer.eval(), X, rng=0) < 1e-6


def test_batchnorm_normalizes_each_feature_in_training():
    x = RNG.normal(loc=[5, -3, 100], scale=[1, 10, 0.1], size=(64, 3))
    out = BatchNorm(3).forward(x)
    assert np.allclose(out.mean(axis=0), 0, atol=1e-10)
    assert np.allclose(out.std(axis=0), 1, atol=1e-3)
    layer = BatchNorm(3)
    layer.gamma.data[...] = [2, 3, 4]
    layer.beta.data[...] = [1, -1, 0.5]
    out = layer.forward(x)
    assert np.allclose(out.mean(axis=0), [1, -1, 0.5])
    assert np.allclose(out.std(axis=0), [2, 3, 4], atol=1e-2)


def test_batchnorm_running_statistics_and_eval_mode():
    rng = np.random.default_rng(1)
    layer = BatchNorm(2, momentum=0.9)
    for _ in range(300):
        layer.forward(rng.normal(loc=[4, -2], scale=[2, 0.5], size=(32, 2)))
    assert np.allclose(layer.running_mean, [4, -2], atol=0.15)
    assert np.allclose(layer.running_var, [4, 0.25], rtol=0.1)
    layer.eval()
    single = np.array([[6.0, -1.5]])  # one sample: only the running statistics make sense
    expected = (single - layer.running_mean) / np.sqrt(layer.running_var + layer.eps)
    assert np.allclose(layer.forward(single), expected)
    before = layer.running_mean.copy()
    layer.forward(rng.normal(size=(10, 2)))
    assert np.array_equal(layer.running_mean, before)  # eval mode does not update them


def test_batchnorm_first_update_follows_the_momentum_formula():
    x = RNG.standard_normal((10, 5))
    layer = BatchNorm(5, momentum=0.8)
    layer.forward(x)
    assert np.allclose(layer.running_mean, 0.2 * x.mean(axis=0))
    assert np.allclose(layer.running_var, 0.8 + 0.2 * x.var(axis=0, ddof=1))


def test_batchnorm_errors():
    with pytest.raises(ValueError, match=r"expected input of shape \(batch, 4\)"):
        BatchNorm(4).forward(np.ones((3, 5)))
    with pytest.raises(ValueError, match="at least 2 samples"):
        BatchNorm(4).forward(np.ones((1, 4)))
    with pytest.raises(ValueError, match="momentum"):
        BatchNorm(4, momentum=1.0)
    assert BatchNorm(4).eval().forward(np.ones((1, 4))).shape == (1, 4)


def test_batchnorm_float32():
    layer = BatchNorm(3, dtype=np.float32)
    out = layer.forward(RNG.standard_normal((6, 3)).astype(np.float32))
    assert out.dtype == np.float32
    layer.backward(np.ones_like(out))
    assert layer.gamma.grad.dtype == np.float32
