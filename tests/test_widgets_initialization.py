"""The initializer explorer of lecture 10: the densities it draws follow the variance rules.

The references are the closed forms of the lecture: for a layer z = a W with W of variance
v and n inputs, Var(z) = n v E[a^2]. So

* uniform U(-1/sqrt(n), 1/sqrt(n)) (v = 1/(3n)) with tanh, which is the identity near 0, shrinks
  the std by 1/sqrt(3) per layer once the activations are small;
* He (v = 2/n) with ReLU (which keeps half of E[z^2]) keeps E[a^2] the same in every layer,
  while Xavier (v = 1/n for square layers) halves it;
* zero weights make every sigmoid unit output exactly sigmoid(0) = 1/2.
"""

import math

import numpy as np
import pytest

from course.widgets import init_explorer
from course.widgets.initialization import InitExplorer


@pytest.fixture
def explorer() -> InitExplorer:
    return init_explorer()  # uniform init, tanh, 5 hidden layers of 256 units


@pytest.fixture(scope="module")
def untouched() -> InitExplorer:
    """The default explorer, for tests that only read it (drawing costs a few tenths of a s)."""
    return init_explorer()


def second_moments(result) -> np.ndarray:
    """E[a^2] = std^2 + mean^2 of each layer's output."""
    return np.array(result["std"]) ** 2 + np.array(result["mean"]) ** 2


def plotted_densities(explorer: InitExplorer) -> list[np.ndarray]:
    """The bar heights drawn in each panel."""
    return [np.asarray(ax.patches[0].get_data().values) for ax in explorer.figure.axes]


def test_uniform_init_shrinks_tanh_activations_by_one_over_sqrt3_per_layer(untouched):
    std = untouched.result["std"]
    assert len(std) == 5
    ratios = [std[i + 1] / std[i] for i in range(4)]
    assert all(r < 0.7 for r in ratios)
    # deep layers are in tanh's linear range, where the ratio is sqrt(n v) = 1/sqrt(3)
    for ratio in ratios[-2:]:
        assert ratio == pytest.approx(1 / math.sqrt(3), abs=0.04)


def test_xavier_keeps_the_tanh_spread_where_uniform_lets_it_collapse(explorer):
    uniform_std = explorer.result["std"]
    uniform_bars = plotted_densities(explorer)
    explorer.controls["init"].value = "xavier_uniform"
    xavier_std = explorer.result["std"]
    assert explorer.result["init"] == "xavier_uniform"
    assert uniform_std[-1] / uniform_std[0] < 0.15
    assert xavier_std[-1] / xavier_std[0] > 0.55
    assert xavier_std[-1] > 5 * uniform_std[-1]
    # and the picture changed: the deepest panel is no longer a spike at 0
    xavier_bars = plotted_densities(explorer)
    assert not np.allclose(uniform_bars[-1], xavier_bars[-1])
    assert xavier_bars[-1].max() < uniform_bars[-1].max() / 3


def test_he_keeps_the_second_moment_of_relu_layers_and_xavier_halves_it():
    explorer = init_explorer(init="he_normal", activation="relu")
    he = second_moments(explorer.result)
    for previous, current in zip(he[:-1], he[1:], strict=True):
        assert current / previous == pytest.approx(1.0, abs=0.2)

    explorer.controls["init"].value = "xavier_normal"
    xavier = second_moments(explorer.result)
    # square 256 x 256 layers after the first: v = 1/256, so E[a^2] is halved each layer
    for previous, current in zip(xavier[1:-1], xavier[2:], strict=True):
        assert current / previous == pytest.approx(0.5, abs=0.1)


def test_zero_init_makes_every_sigmoid_unit_output_one_half():
    result = init_explorer(init="zeros", activation="sigmoid").result
    assert result["std"] == [0.0] * 5
    assert result["mean"] == [0.5] * 5
    for density, edges in result["histograms"]:
        (filled,) = np.flatnonzero(density)
        assert edges[filled] <= 0.5 <= edges[filled + 1]


def test_small_normal_init_kills_deep_relu_layers():
    explorer = init_explorer(init="normal", activation="relu")
    moments = second_moments(explorer.result)
    # Var(W) = 1e-4 with 256 inputs: each layer multiplies E[a^2] by 256e-4 / 2 = 0.0128
    for previous, current in zip(moments[1:-1], moments[2:], strict=True):
        assert current / previous == pytest.approx(256e-4 / 2, rel=0.2)
    assert explorer.result["std"][-1] < 1e-3 * explorer.result["std"][0]


def test_plotted_panels_match_the_returned_data(untouched):
    result = untouched.result
    axes = untouched.figure.axes
    assert len(axes) == 5
    for ax, (density, edges), std, label in zip(
        axes, result["histograms"], result["std"], result["labels"], strict=True
    ):
        drawn = ax.patches[0].get_data()
        np.testing.assert_allclose(drawn.values, density)
        np.testing.assert_allclose(drawn.edges, edges)
        assert ax.get_title() == label
        assert f"std {std:.3g}" in label
        # a density: the bars' area is 1
        assert np.sum(density * np.diff(edges)) == pytest.approx(1.0)


def test_depth_slider_changes_the_number_of_panels(explorer):
    explorer.controls["depth"].value = 8
    assert len(explorer.result["std"]) == 8
    assert len(explorer.figure.axes) == 8
    assert repr(explorer) == "InitExplorer(init='uniform', activation='tanh', depth=8)"


def test_the_seed_fixes_the_weights():
    first = init_explorer(init="he_normal", activation="relu", depth=2, seed=3).result["std"]
    again = init_explorer(init="he_normal", activation="relu", depth=2, seed=3).result["std"]
    other = init_explorer(init="he_normal", activation="relu", depth=2, seed=4).result["std"]
    assert first == again
    assert first != other


def test_controls_are_labelled_in_full_and_update_on_release(untouched):
    controls = untouched.controls
    assert controls["init"].description == "initializer"
    assert controls["activation"].description == "activation function"
    assert controls["depth"].description == "hidden layers"
    assert controls["depth"].continuous_update is False
    assert {value for _, value in controls["init"].options} == {
        "zeros", "normal", "uniform", "xavier_uniform", "xavier_normal", "he_uniform", "he_normal"
    }
    assert set(controls["activation"].options) == {"tanh", "relu", "sigmoid"}


def test_every_panel_has_a_title_and_axis_labels(explorer):
    for activation in ("tanh", "relu"):
        explorer.controls["activation"].value = activation
        for ax in explorer.figure.axes:
            assert ax.get_title()
            assert ax.get_xlabel()
            assert ax.get_ylabel() == "density"
    assert explorer.figure._suptitle is not None


@pytest.mark.parametrize(
    "arguments",
    [{"init": "glorot"}, {"activation": "softplus"}, {"depth": 0}, {"depth": 11}, {"units": 0}],
)
def test_bad_arguments_raise_a_clear_error(arguments):
    with pytest.raises(ValueError, match="must be"):
        init_explorer(**arguments)
