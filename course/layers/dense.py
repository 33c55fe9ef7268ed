r"""The dense (fully connected) layer: z^{[l]} = a^{[l-1]} W^{[l]} + b^{[l]}.

Slides ("Multi Output Perceptron", "MLP notation"): every input is connected to every output,
W_{ij}^{[l]} is the weight of the edge from neuron i of layer l-1 to neuron j of layer l, and

    z_j^{[l]} = b_j^{[l]} + sum_i W_{ij}^{[l]} a_i^{[l-1]}.

With a batch of m samples as the rows of A^{[l-1]} (shape (m, n^{[l-1]})) this is one matrix
product, Z^{[l]} = A^{[l-1]} W^{[l]} + b^{[l]}, with W of shape (n^{[l-1]}, n^{[l]}) = (fan_in,
fan_out) and b broadcast over the rows. (The slides write a single sample as a column,
a^{[l]} = sigma(b + W^T a^{[l-1]}); it is the same computation, transposed.)

Backward, given G = dJ/dZ (shape (m, n^{[l]})), the chain rule gives

    dJ/dW = A^{[l-1]T} G        dJ/db = sum over the rows of G        dJ/dA^{[l-1]} = G W^T.
"""

from __future__ import annotations

import numpy as np

from course.init import Initializer, get_initializer
from course.layers.base import Layer, check_input
from course.parameter import Parameter
from course.rng import RngLike, make_rng


class Dense(Layer):
    """A fully connected layer with weights ``W`` (fan_in, fan_out) and bias ``b`` (fan_out,).

    Args:
        in_features: n^{[l-1]}, the number of inputs of each sample.
        out_features: n^{[l]}, the number of neurons of the layer.
        init: how to draw W: a name from :data:`course.init.INITIALIZERS` ("he_normal",
            "xavier_uniform", "zeros", ...) or a function ``f(fan_in, fan_out, rng, dtype)``.
            The bias starts at zero.
        rng: random generator or seed for the initial weights.
        dtype: float64 (default, exact gradient checks) or float32 (twice as fast).
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        init: str | Initializer = "he_normal",
        rng: RngLike = None,
        dtype=np.float64,
    ) -> None:
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Dense {name} must be a positive int, got {value!r}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        self.init = init
        initializer = get_initializer(init)
        weights = initializer(self.in_features, self.out_features, rng=make_rng(rng), dtype=dtype)
        self.W = self.add_parameter(Parameter(weights, name="W", dtype=dtype))
        self.b = self.add_parameter(Parameter(np.zeros(self.out_features), name="b", dtype=dtype))
        self._cache: np.ndarray | None = None  # the input A^{[l-1]} of the last forward pass

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Z = X W + b for a batch X of shape (m, in_features); returns shape (m, out_features).

        Computed in the layer's dtype: a float64 batch (NumPy's default) given to a float32
        layer is rounded to float32 first, as ``fit`` does with the whole data set (otherwise
        NumPy would compute in float64, at half the speed, and every layer after it too).
        """
        x = check_input(self, x, self.in_features)
        if x.dtype != self.W.data.dtype:
            x = x.astype(self.W.data.dtype)
        self._cache = x
        z = x @ self.W.data
        z += self.b.data
        return z

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Add dJ/dW = X^T G and dJ/db = sum_rows G into the grads; return dJ/dX = G W^T."""
        grad_out = self._accumulate_param_grads(grad_out)
        return grad_out @ self.W.data.T

    def backward_params_only(self, grad_out: np.ndarray) -> None:
        """Like :meth:`backward`, but skip dJ/dX (for the first layer, whose input is data).

        That product costs as much as dJ/dW, so training saves about a sixth of its work on
        a three-layer network by not computing a gradient nobody uses.
        """
        self._accumulate_param_grads(grad_out)

    def _accumulate_param_grads(self, grad_out: np.ndarray) -> np.ndarray:
        x = self._require_cache(self._cache)
        grad_out = self._check_grad_shape(grad_out, (x.shape[0], self.out_features))
        self.W.add_grad(x.T @ grad_out)  # dJ/dW = A^{[l-1]T} G
        self.b.add_grad(grad_out.sum(axis=0))  # dJ/db = sum over the rows of G
        return grad_out

    def extra_repr(self) -> str:
        init = self.init if isinstance(self.init, str) else getattr(self.init, "__name__", "custom")
        return f"{self.in_features} -> {self.out_features}, init={init!r}"
