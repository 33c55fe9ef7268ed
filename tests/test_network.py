"""Sequential: forward/backward through the layers, gradient checks of whole networks, predict,
repr, and the slides' claims about what MLPs can and cannot learn."""

import numpy as np
import pytest

from course.activations import Identity, ReLU, Sigmoid, Softmax, Tanh
from course.data import circles, logic_gate
from course.gradcheck import check_layer
from course.layers import BatchNorm, Dense, Dropout
from course.losses import BinaryCrossEntropy, SoftmaxCrossEntropy
from course.network import Sequential
from course.optim import SGD, Adam
from course.train import fit

X = np.random.default_rng(0).standard_normal((7, 4))


def test_forward_is_the_layer_by_layer_formula():
    model = Sequential(Dense(4, 5, rng=1), Tanh(), Dense(5, 3, rng=2), Softmax())
    W1, b1 = model[0].W.data, model[0].b.data
    W2, b2 = model[2].W.data, model[2].b.data
    a1 = np.tanh(X @ W1 + b1)  # a^[1] = sigma(b^[1] + W^[1]T x), rows as samples
    z2 = a1 @ W2 + b2
    expected = np.exp(z2) / np.exp(z2).sum(axis=1, keepdims=True)
    assert np.allclose(model(X), expected)
    assert np.allclose(model.forward(X), expected)


@pytest.mark.parametrize(
    "layers",
    [
        lambda: [Dense(4, 6, rng=1), Tanh(), Dense(6, 3, rng=2), Sigmoid()],
        lambda: [Dense(4, 6, rng=1), ReLU(), Dense(6, 6, rng=2), Softmax()],
        lambda: [Dense(4, 6, rng=1), BatchNorm(6), ReLU(), Dense(6, 2, rng=2)],
    ],
)
def test_whole_network_gradient_check(layers):
    assert check_layer(Sequential(*layers()), X, rng=0) < 1e-6


def test_network_with_dropout_gradient_check_in_both_modes():
    dropout = Dropout(0.5, rng=0)
    dropout.fixed_mask = (np.random.default_rng(1).random((7, 6)) < 0.5).astype(float)
    model = Sequential(Dense(4, 6, rng=1), Tanh(), dropout, Dense(6, 2, rng=2))
    assert check_layer(model, X, rng=0) < 1e-6
    assert check_layer(model.eval(), X, rng=0) < 1e-6


def test_backward_computes_the_input_gradient_only_when_asked():
    """The natural loop's model.backward(g) skips dJ/dx = G W^[1]T; input_grad=True gives it,
    equal to the closed form, with the same parameter gradients either way."""
    model = Sequential(Dense(4, 6, rng=1), ReLU(), Dense(6, 2, rng=2))
    G = np.random.default_rng(3).standard_normal((7, 2))
    model.forward(X)
    dx = model.backward(G, input_grad=True)
    W1, W2 = model[0].W.data, model[2].W.data
    z1 = X @ W1 + model[0].b.data
    np.testing.assert_allclose(dx, ((G @ W2.T) * (z1 > 0)) @ W1.T)
    full = [p.grad.copy() for p in model.parameters()]
    model.zero_grad()
    model.forward(X)
    assert model.backward(G) is None
    assert all(np.array_equal(a, p.grad) for a, p in zip(full, model.parameters()))
    model.zero_grad()
    model.forward(X)
    assert model.backward(G, input_grad=False) is None
    assert all(np.array_equal(a, p.grad) for a, p in zip(full, model.parameters()))


def test_backward_skips_the_first_layers_input_product():
    """Where the work goes: without input_grad the first Dense layer's backward never runs."""
    calls = []

    class CountingDense(Dense):
        def backward(self, grad_out):
            calls.append(self)
            return super().backward(grad_out)

    first, second = CountingDense(4, 6, rng=1), CountingDense(6, 2, rng=2)
    model = Sequential(first, Tanh(), second)
    model.forward(X)
    model.backward(np.ones((7, 2)))
    assert calls == [second]
    model.backward(np.ones((7, 2)), input_grad=True)
    assert calls == [second, second, first]


def test_a_network_inside_a_network_passes_the_gradient_on():
    """A Sequential used as a layer (not first) must return dJ/d(its input) to the outer one."""
    inner = Sequential(Dense(6, 5, rng=2), Tanh())
    nested = Sequential(Dense(4, 6, rng=1), Tanh(), inner, Dense(5, 2, rng=3))
    flat = Sequential(Dense(4, 6, rng=1), Tanh(), Dense(6, 5, rng=2), Tanh(), Dense(5, 2, rng=3))
    G = np.random.default_rng(4).standard_normal((7, 2))
    for model in (nested, flat):
        model.forward(X)
    np.testing.assert_allclose(nested.backward(G, input_grad=True), flat.backward(G, True))
    for a, b in zip(nested.parameters(), flat.parameters(), strict=True):
        np.testing.assert_allclose(a.grad, b.grad)
    assert check_layer(nested, X, rng=0) < 1e-6
    x6 = np.random.default_rng(5).standard_normal((7, 6))
    assert check_layer(Sequential(inner, Dense(5, 2, rng=3)), x6, rng=0) < 1e-6  # inner first


def test_train_eval_predict_and_parameters():
    model = Sequential(Dense(4, 6, rng=1), Dropout(0.5, rng=0), Dense(6, 3, rng=2))
    assert len(model.parameters()) == 4
    model.eval()
    assert not model.training and not model[1].training
    model.train()
    assert model[1].training
    labels = model.predict(X)
    assert labels.shape == (7,) and labels.dtype.kind == "i"
    model.eval()
    assert np.array_equal(labels, np.argmax(model(X), axis=1))
    model.train()
    assert model.training  # predict restored the mode
    binary = Sequential(Dense(4, 1, rng=3), Sigmoid())
    assert np.array_equal(binary.predict(X), (binary(X)[:, 0] > 0.5).astype(int))
    logit = Sequential(Dense(4, 1, rng=3))
    assert np.array_equal(logit.predict(X), (logit(X)[:, 0] > 0).astype(int))


def test_repr_lists_layers_and_parameter_counts():
    text = repr(Sequential(Dense(64, 128, rng=0), ReLU(), Dense(128, 10, rng=0)))
    assert "Dense(64 -> 128" in text and "ReLU()" in text and "Dense(128 -> 10" in text
    assert "8,320" in text and "1,290" in text and "9,610" in text


def test_errors():
    with pytest.raises(ValueError, match="at least one layer"):
        Sequential()
    with pytest.raises(TypeError, match="layer 1 must be a course Layer"):
        Sequential(Dense(2, 2), np.tanh)
    model = Sequential(Dense(3, 2))
    expected = r"expected input of shape \(batch, 3\), got shape \(5, 4\)"
    with pytest.raises(ValueError, match=expected):
        model(np.ones((5, 4)))


def test_mlp_solves_xor():
    """The slides: a perceptron cannot represent XOR, an MLP with one hidden layer can."""
    X_xor, y_xor = logic_gate("xor")
    model = Sequential(
        Dense(2, 4, init="xavier_normal", rng=0), Tanh(), Dense(4, 1, rng=1), Sigmoid()
    )
    fit(model, BinaryCrossEntropy(), Adam(model.parameters(), lr=0.05), X_xor, y_xor,
        epochs=500, batch_size=4, progress=False, rng=0)
    assert np.array_equal(model.predict(X_xor), y_xor)


def test_linear_activations_cannot_fit_circles_but_relu_can():
    """The slides: linear activations produce linear decisions no matter the network size."""
    X_c, y_c = circles(400, noise=0.05, rng=0)

    def trained_accuracy(activation) -> float:
        model = Sequential(
            Dense(2, 16, rng=1), activation(), Dense(16, 16, rng=2), activation(),
            Dense(16, 2, rng=3),
        )
        fit(model, SoftmaxCrossEntropy(), Adam(model.parameters(), lr=0.01), X_c, y_c,
            epochs=150, batch_size=32, progress=False, rng=0)
        return float(np.mean(model.predict(X_c) == y_c))

    assert trained_accuracy(Identity) < 0.7
    assert trained_accuracy(ReLU) > 0.97


def test_zero_initialization_fails_to_break_symmetry():
    """The slides: with W = 0 every hidden unit learns the same feature, forever."""
    X_c, y_c = circles(200, noise=0.1, rng=0)

    def hidden_weights(init: str) -> tuple[np.ndarray, np.ndarray]:
        model = Sequential(Dense(2, 8, init=init, rng=0), Sigmoid(), Dense(8, 2, init=init, rng=1))
        fit(model, SoftmaxCrossEntropy(), SGD(model.parameters(), lr=0.5), X_c, y_c,
            epochs=30, batch_size=20, progress=False, rng=0)
        return model[0].W.data, model[2].W.data

    W1, W2 = hidden_weights("zeros")
    assert np.abs(W2).max() > 0  # it did train the output layer...
    assert np.allclose(W1, W1[:, :1])  # ...but all 8 hidden units have the same weights
    assert np.allclose(W2, W2[:1, :])  # and the same outgoing weights
    W1_random, _ = hidden_weights("he_normal")
    assert not np.allclose(W1_random, W1_random[:, :1])
