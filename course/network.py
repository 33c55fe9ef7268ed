r"""A network as a sequence of layers (slides: "Neural Network with 1 Hidden Layer", MLP notation).

For a network with L layers and input x the slides write

    o = a^{[L]} = sigma^{[L]}(b^{[L]} + W^{[L]T} sigma^{[L-1]}( ...
                    sigma^{[1]}(b^{[1]} + W^{[1]T} x) ... )).

:class:`Sequential` computes exactly that by calling each layer's ``forward`` in order
(forward propagation), and the chain rule backwards by calling each layer's ``backward`` in
reverse order (backward propagation): the modular approach of the backpropagation slides.

Example: a 64-128-10 MLP for the digits data::

    model = Sequential(Dense(64, 128, rng=0), ReLU(), Dense(128, 10, rng=1))
"""

from __future__ import annotations

import numpy as np

from course.layers.base import Layer
from course.parameter import Parameter


class Sequential(Layer):
    """Layers applied one after another; itself a :class:`Layer`, so networks nest.

    Attributes:
        layers: the list of layers, in forward order.
    """

    def __init__(self, *layers: Layer) -> None:
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        if not layers:
            raise ValueError("Sequential needs at least one layer, e.g. Sequential(Dense(2, 1))")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(
                    f"Sequential layer {i} must be a course Layer (Dense, ReLU, ...), "
                    f"got {type(layer).__name__}"
                )
        self.layers: list[Layer] = list(layers)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Forward propagation: a^{[l]} = layer_l(a^{[l-1]}), starting from a^{[0]} = x."""
        a = x
        for layer in self.layers:
            a = layer.forward(a)
        return a

    def backward(self, grad_out: np.ndarray, input_grad: bool = False) -> np.ndarray | None:
        """Backward propagation: pass dJ/da^{[l]} through the layers in reverse order.

        Every layer adds its parameter gradients (dJ/dW^{[l]}, dJ/db^{[l]}) into ``.grad``.
        Like the slides' algorithm, it stops at the first layer: the network's input
        x = a^{[0]} is data, and its gradient dJ/dx (for a Dense first layer, G W^{[1]T}, a
        matrix product as large as dJ/dW^{[1]}) is of no use to training, so it is computed
        only when asked: ``backward(grad_out, input_grad=True)`` returns dJ/dx (for a gradient
        check of the whole network, or a network used as a layer of another), and
        ``backward(grad_out)`` returns None. PyTorch does the same: it computes x.grad only for
        an input created with requires_grad=True.
        """
        grad = grad_out
        for layer in reversed(self.layers[1:]):
            grad = input_gradient(layer, grad)
        first = self.layers[0]
        if input_grad:
            return input_gradient(first, grad)
        first.backward_params_only(grad)
        return None

    def backward_params_only(self, grad_out: np.ndarray) -> None:
        self.backward(grad_out, input_grad=False)

    def parameters(self) -> list[Parameter]:
        """All trainable parameters, layer by layer (W^{[1]}, b^{[1]}, W^{[2]}, ...)."""
        return [p for layer in self.layers for p in layer.parameters()]

    def train(self) -> Sequential:
        self.training = True
        for layer in self.layers:
            layer.train()
        return self

    def eval(self) -> Sequential:
        self.training = False
        for layer in self.layers:
            layer.eval()
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Class labels for a batch, computed in eval mode (the mode is restored afterwards).

        With several outputs: the index of the largest one (argmax over classes). With one
        output: 1 where it exceeds 0.5 if the last layer is a sigmoid (a probability), else
        where it exceeds 0 (a logit).
        """
        was_training = self.training
        self.eval()
        try:
            out = self.forward(x)
        finally:
            if was_training:
                self.train()
        if out.ndim == 2 and out.shape[1] > 1:
            return np.argmax(out, axis=1)
        threshold = 0.5 if getattr(self.layers[-1], "name", "") == "sigmoid" else 0.0
        return (out.reshape(len(out)) > threshold).astype(np.int64)

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Network outputs for a batch in eval mode (probabilities if the last layer says so)."""
        was_training = self.training
        self.eval()
        try:
            return self.forward(x)
        finally:
            if was_training:
                self.train()

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, index: int) -> Layer:
        return self.layers[index]

    def __iter__(self):
        return iter(self.layers)

    def __repr__(self) -> str:
        rows = [("#", "layer", "parameters")]
        for i, layer in enumerate(self.layers):
            rows.append((str(i), repr(layer), f"{layer.num_parameters():,}"))
        width0 = max(len(r[0]) for r in rows)
        width1 = max(len(r[1]) for r in rows)
        width2 = max(len(r[2]) for r in rows)
        lines = ["Sequential("]
        for n, text, count in rows:
            lines.append(f"  {n:>{width0}}  {text:<{width1}}  {count:>{width2}}")
        lines.append(f"  total trainable parameters: {self.num_parameters():,}")
        lines.append(")")
        return "\n".join(lines)


def input_gradient(layer: Layer, grad_out: np.ndarray) -> np.ndarray:
    """``layer.backward(grad_out)``: dJ/d(input) of a layer, whose parameter gradients are added
    into their ``.grad`` on the way. A :class:`Sequential` returns it only when asked."""
    if isinstance(layer, Sequential):
        return layer.backward(grad_out, input_grad=True)
    return layer.backward(grad_out)
