"""Tests for course.optim.

Each optimizer is checked against a plain-formula reference written here (straightforward NumPy,
one new array per term, float64), then on two test functions written here with their gradients:
an ill-conditioned quadratic and the Rosenbrock function.
"""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest

from course.optim import SGD, Adadelta, Adagrad, Adam, Momentum, Optimizer, RMSProp
from course.optim import base as optim_base
from course.parameter import Parameter

# ---------------------------------------------------------------------------------------------
# Plain-formula references: each takes the current theta, the gradient, the learning rate and a
# dict of its own memory (empty at first), and returns the new theta.
# ---------------------------------------------------------------------------------------------


def reference_sgd(theta, g, lr, memory):
    return theta - lr * g


def reference_momentum(theta, g, lr, memory, beta=0.9):
    # The slides: v = beta * v + (1 - beta) * gradient; parameters = parameters - lr * v
    v = memory.get("v", 0.0)
    v = beta * v + (1 - beta) * g
    memory["v"] = v
    return theta - lr * v


def reference_adagrad(theta, g, lr, memory, eps=1e-8):
    G = memory.get("G", 0.0) + g**2
    memory["G"] = G
    return theta - lr * g / (np.sqrt(G) + eps)


def reference_adadelta(theta, g, lr, memory, rho=0.9, eps=1e-6):
    # Zeiler (2012), Algorithm 1, with the step scaled by lr (PyTorch's convention).
    Eg2 = rho * memory.get("Eg2", 0.0) + (1 - rho) * g**2
    rms_dx = np.sqrt(memory.get("Edx2", 0.0) + eps)
    rms_g = np.sqrt(Eg2 + eps)
    dx = -(rms_dx / rms_g) * g
    Edx2 = rho * memory.get("Edx2", 0.0) + (1 - rho) * dx**2
    memory["Eg2"], memory["Edx2"] = Eg2, Edx2
    return theta + lr * dx


def reference_rmsprop(theta, g, lr, memory, beta=0.9, eps=1e-8):
    v = beta * memory.get("v", 0.0) + (1 - beta) * g**2
    memory["v"] = v
    return theta - lr * g / (np.sqrt(v) + eps)


def reference_adam(theta, g, lr, memory, beta1=0.9, beta2=0.999, eps=1e-8):
    # Kingma & Ba (2015), Algorithm 1, written term by term.
    t = memory.get("t", 0) + 1
    m = beta1 * memory.get("m", 0.0) + (1 - beta1) * g
    v = beta2 * memory.get("v", 0.0) + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    memory["t"], memory["m"], memory["v"] = t, m, v
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps)


def reference_adam_slides(theta, g, lr, memory, beta1=0.9, beta2=0.999, eps=1e-8):
    # The slides: m_t = b1 m + (1 - b1) g,  v_t = b2 v + (1 - b2) g^2,
    #             w_{t+1} = w_t - m_t (alpha / (sqrt(v_t) + eps))
    m = beta1 * memory.get("m", 0.0) + (1 - beta1) * g
    v = beta2 * memory.get("v", 0.0) + (1 - beta2) * g**2
    memory["m"], memory["v"] = m, v
    return theta - m * (lr / (np.sqrt(v) + eps))


# (optimizer class, its hyperparameters except lr, reference, learning rate)
CASES = {
    "SGD": (SGD, {}, reference_sgd, 0.1),
    "Momentum": (Momentum, {"beta": 0.8}, reference_momentum, 0.1),
    "Adagrad": (Adagrad, {"eps": 1e-3}, reference_adagrad, 0.1),
    "Adadelta": (Adadelta, {"rho": 0.85, "eps": 1e-4}, reference_adadelta, 0.7),
    "RMSProp": (RMSProp, {"beta": 0.8, "eps": 1e-3}, reference_rmsprop, 0.01),
    "Adam": (Adam, {"beta1": 0.8, "beta2": 0.95, "eps": 1e-3}, reference_adam, 0.01),
    "Adam-slides": (
        Adam,
        {"beta1": 0.8, "beta2": 0.95, "eps": 1e-3, "bias_correction": False},
        reference_adam_slides,
        0.01,
    ),
}

# The state each optimizer keeps per parameter (besides "step" and the "scratch" buffer).
STATE_KEYS = {
    SGD: set(),
    Momentum: {"velocity"},
    Adagrad: {"sum_sq_grad"},
    Adadelta: {"avg_sq_grad", "avg_sq_delta", "delta"},
    RMSProp: {"avg_sq_grad"},
    Adam: {"exp_avg", "exp_avg_sq"},
}


def make(cls, params, lr, **hyper):
    """Build an optimizer, whatever the position of lr in its signature (Adadelta's is last)."""
    return cls(params, lr=lr, **hyper)


def reference_kwargs(hyper):
    return {k: v for k, v in hyper.items() if k != "bias_correction"}


def random_gradients(rng, shapes, steps):
    """A gradient sequence per parameter; the second parameter gets all-zero grads at step 2."""
    grads = [[rng.standard_normal(shape) for shape in shapes] for _ in range(steps)]
    grads[2][1] = np.zeros(shapes[1])
    return grads


# ---------------------------------------------------------------------------------------------
# Against the references
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", list(CASES))
def test_matches_plain_formula_step_by_step_float64(case):
    cls, hyper, reference, lr = CASES[case]
    rng = np.random.default_rng(0)
    shapes = [(3, 4), (5,)]
    init = [rng.standard_normal(shape) for shape in shapes]
    params = [Parameter(x) for x in init]
    opt = make(cls, params, lr, **hyper)

    thetas = [x.copy() for x in init]
    memories = [{}, {}]
    lrs = [lr, lr, lr, lr / 3, lr / 3, 2 * lr]  # lr is changed between steps
    for step, grads in enumerate(random_gradients(rng, shapes, len(lrs))):
        opt.lr = lrs[step]
        for p, g in zip(params, grads, strict=True):
            p.grad[...] = g
        opt.step()
        for i, g in enumerate(grads):
            thetas[i] = reference(thetas[i], g, lrs[step], memories[i], **reference_kwargs(hyper))
            np.testing.assert_allclose(params[i].data, thetas[i], rtol=1e-12, atol=1e-14)
        assert all(opt.state[p]["step"] == step + 1 for p in params)


@pytest.mark.parametrize("case", list(CASES))
def test_a_large_parameter_is_updated_in_blocks_with_the_same_numbers(case, monkeypatch):
    """A 600 kB parameter is updated in three blocks: it follows the plain formula, and its
    values, bit for bit, and its state are those of the update of the whole array at once."""
    cls, hyper, reference, lr = CASES[case]
    rng = np.random.default_rng(2)
    shape = (300, 250)
    assert np.prod(shape) * 8 > 2 * optim_base.BLOCK_BYTES
    init = rng.standard_normal(shape)
    grads = [rng.standard_normal(shape) for _ in range(4)]

    def train(block_bytes):
        monkeypatch.setattr(optim_base, "BLOCK_BYTES", block_bytes)
        p = Parameter(init)
        opt = make(cls, [p], lr, **hyper)
        for g in grads:
            p.grad[...] = g
            opt.step()
        return p, opt.state[p]

    p, state = train(optim_base.BLOCK_BYTES)
    whole, whole_state = train(1 << 40)
    assert p.data.tobytes() == whole.data.tobytes()
    for key, value in state.items():
        if isinstance(value, np.ndarray) and key != "scratch":
            assert value.tobytes() == whole_state[key].tobytes(), key
    theta, memory = init.copy(), {}
    for g in grads:
        theta = reference(theta, g, lr, memory, **reference_kwargs(hyper))
    np.testing.assert_allclose(p.data, theta, rtol=1e-12, atol=1e-14)


def test_a_parameter_that_is_a_strided_view_is_updated_whole():
    """Blocks are flat views: a parameter whose data is not contiguous is updated at once."""
    p = Parameter(np.zeros((400, 400)))
    p.data = np.zeros((400, 800))[:, ::2]  # not contiguous
    p.grad = np.ones((400, 400))
    SGD([p], lr=0.5).step()
    np.testing.assert_array_equal(p.data, -0.5)


@pytest.mark.parametrize("case", list(CASES))
def test_float32_stays_float32_and_agrees_with_float64(case):
    cls, hyper, reference, lr = CASES[case]
    rng = np.random.default_rng(1)
    init = rng.standard_normal((4, 6))
    p = Parameter(init, dtype=np.float32)
    # NumPy float64 scalars as hyperparameters and as a new lr must not promote the update.
    hyper64 = {k: np.float64(v) if isinstance(v, float) else v for k, v in hyper.items()}
    opt = make(cls, [p], np.float64(lr), **hyper64)
    theta, memory = init.copy(), {}
    for _ in range(5):
        g = rng.standard_normal((4, 6))
        p.grad[...] = g
        opt.lr = np.float64(lr)
        opt.step()
        theta = reference(theta, g, lr, memory, **reference_kwargs(hyper))
    assert p.data.dtype == np.float32
    assert p.grad.dtype == np.float32
    for key, value in opt.state[p].items():
        if isinstance(value, np.ndarray):
            assert value.dtype == np.float32, key
    np.testing.assert_allclose(p.data, theta, rtol=1e-4, atol=1e-5)


def test_adam_without_bias_correction_is_the_slides_formula():
    rng = np.random.default_rng(2)
    w0 = rng.standard_normal(7)
    p = Parameter(w0)
    opt = Adam([p], lr=0.05, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=False)
    m = v = np.zeros(7)
    w = w0.copy()
    for _ in range(10):
        g = rng.standard_normal(7)
        p.grad[...] = g
        opt.step()
        m = 0.9 * m + (1 - 0.9) * g
        v = 0.999 * v + (1 - 0.999) * g**2
        w = w - m * (0.05 / (np.sqrt(v) + 1e-8))
        np.testing.assert_allclose(p.data, w, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(opt.state[p]["exp_avg"], m, rtol=1e-12)
        np.testing.assert_allclose(opt.state[p]["exp_avg_sq"], v, rtol=1e-12)


def test_adam_first_step_moves_each_coordinate_by_about_lr():
    rng = np.random.default_rng(3)
    g = rng.uniform(0.1, 10.0, size=(5, 5)) * rng.choice([-1.0, 1.0], size=(5, 5))
    p = Parameter(np.zeros((5, 5)))
    p.grad[...] = g
    Adam([p], lr=0.01).step()
    np.testing.assert_allclose(p.data, -0.01 * np.sign(g), rtol=1e-6)

    # The slides' form (no bias correction) takes a first step sqrt(1000) / 10 ~ 3.2 times larger.
    q = Parameter(np.zeros((5, 5)))
    q.grad[...] = g
    Adam([q], lr=0.01, bias_correction=False).step()
    np.testing.assert_allclose(q.data, -0.01 * 0.1 / math.sqrt(0.001) * np.sign(g), rtol=1e-5)


def test_momentum_equals_pytorch_form_with_rescaled_lr():
    # The docstring's claim: PyTorch's v = beta v + g, theta -= eta v is Momentum(eta / (1 - beta)).
    rng = np.random.default_rng(4)
    eta, beta = 0.02, 0.9
    p = Parameter(rng.standard_normal(6))
    theta, v = p.data.copy(), np.zeros(6)
    opt = Momentum([p], lr=eta / (1 - beta), beta=beta)
    for _ in range(8):
        g = rng.standard_normal(6)
        p.grad[...] = g
        opt.step()
        v = beta * v + g
        theta = theta - eta * v
    np.testing.assert_allclose(p.data, theta, rtol=1e-12)


def test_momentum_with_beta_zero_is_sgd():
    rng = np.random.default_rng(5)
    a = Parameter(rng.standard_normal(4))
    b = Parameter(a.data)
    sgd, momentum = SGD([a], lr=0.3), Momentum([b], lr=0.3, beta=0.0)
    for _ in range(4):
        a.grad[...] = b.grad[...] = rng.standard_normal(4)
        sgd.step()
        momentum.step()
    np.testing.assert_allclose(a.data, b.data, rtol=1e-15)


# ---------------------------------------------------------------------------------------------
# Test functions: an ill-conditioned quadratic (condition number 50) and Rosenbrock.
# ---------------------------------------------------------------------------------------------


def quadratic(z):
    x, y = z
    return 0.5 * (x**2 + 50.0 * y**2)


def quadratic_grad(z):
    x, y = z
    return np.array([x, 50.0 * y])


def rosenbrock(z):
    x, y = z
    return (1.0 - x) ** 2 + 100.0 * (y - x**2) ** 2


def rosenbrock_grad(z):
    x, y = z
    return np.array([-2.0 * (1.0 - x) - 400.0 * x * (y - x**2), 200.0 * (y - x**2)])


def minimize(f_grad, start, make_optimizer, steps):
    z = Parameter(np.array(start, dtype=np.float64))
    opt = make_optimizer([z])
    for _ in range(steps):
        opt.zero_grad()
        z.grad += f_grad(z.data)
        opt.step()
    return z.data


QUADRATIC_START = (2.0, 1.0)  # f = 27
ROSENBROCK_START = (-1.5, 2.0)  # f = 12.5
STEPS = 1000

# Per optimizer: how it is built for each function, and the value it must get below in 1000 steps
# (measured values, for the record: quadratic SGD 7e-27, Momentum 5e-45, Adagrad 5e-143,
# Adadelta 2.5e-3, RMSProp 6.4e-4, Adam 6e-46; Rosenbrock SGD 2.3e-4, Momentum 5.7e-5,
# Adagrad 0.042, Adadelta 0.14, RMSProp 0.052, Adam 3.3e-4).
QUADRATIC_RUNS = {
    "SGD": (lambda ps: SGD(ps, lr=0.03), 1e-10),
    "Momentum": (lambda ps: Momentum(ps, lr=0.1, beta=0.9), 1e-10),
    "Adagrad": (lambda ps: Adagrad(ps, lr=0.5), 1e-10),
    "Adadelta": (lambda ps: Adadelta(ps, rho=0.95, eps=1e-6, lr=1.0), 0.02),
    "RMSProp": (lambda ps: RMSProp(ps, lr=0.01, beta=0.9), 0.005),
    "Adam": (lambda ps: Adam(ps, lr=0.1), 1e-10),
}
ROSENBROCK_RUNS = {
    "SGD": (lambda ps: SGD(ps, lr=2e-3), 2e-3),
    "Momentum": (lambda ps: Momentum(ps, lr=1e-2, beta=0.9), 1e-3),
    "Adagrad": (lambda ps: Adagrad(ps, lr=2.0), 0.2),
    "Adadelta": (lambda ps: Adadelta(ps, rho=0.95, eps=1e-6, lr=1.0), 0.5),
    "RMSProp": (lambda ps: RMSProp(ps, lr=0.01, beta=0.9), 0.2),
    "Adam": (lambda ps: Adam(ps, lr=0.05), 3e-3),
}


@pytest.mark.parametrize("name", list(QUADRATIC_RUNS))
def test_decreases_ill_conditioned_quadratic(name):
    make_optimizer, bound = QUADRATIC_RUNS[name]
    z = minimize(quadratic_grad, QUADRATIC_START, make_optimizer, STEPS)
    assert quadratic(QUADRATIC_START) == 27.0
    assert quadratic(z) < bound


@pytest.mark.parametrize("name", list(ROSENBROCK_RUNS))
def test_decreases_rosenbrock(name):
    make_optimizer, bound = ROSENBROCK_RUNS[name]
    z = minimize(rosenbrock_grad, ROSENBROCK_START, make_optimizer, STEPS)
    assert rosenbrock(ROSENBROCK_START) == 12.5
    assert rosenbrock(z) < bound
    if name in ("SGD", "Momentum", "Adam"):
        np.testing.assert_allclose(z, [1.0, 1.0], atol=0.05)  # near the minimum at (1, 1)


def test_test_function_gradients_match_finite_differences():
    z, h = np.array([-0.7, 1.3]), 1e-6
    for f, grad in ((quadratic, quadratic_grad), (rosenbrock, rosenbrock_grad)):
        numeric = [(f(z + h * e) - f(z - h * e)) / (2 * h) for e in np.eye(2)]
        np.testing.assert_allclose(grad(z), numeric, rtol=1e-7)


# ---------------------------------------------------------------------------------------------
# The contract: zero_grad, lr, state, validation, in-place updates
# ---------------------------------------------------------------------------------------------

ALL = [SGD, Momentum, Adagrad, Adadelta, RMSProp, Adam]


@pytest.mark.parametrize("cls", ALL)
def test_zero_grad_zeroes_in_place(cls):
    params = [Parameter(np.ones((2, 3))), Parameter(np.ones(3))]
    grads = [p.grad for p in params]
    for p in params:
        p.grad += 5.0
    make(cls, params, 0.1).zero_grad()
    for p, g in zip(params, grads, strict=True):
        assert p.grad is g
        assert not p.grad.any()


def test_lr_change_takes_effect_on_the_next_step():
    p = Parameter(np.zeros(2))
    opt = SGD([p], lr=0.5)
    p.grad[...] = [1.0, -2.0]
    opt.step()
    np.testing.assert_array_equal(p.data, [-0.5, 1.0])
    opt.lr = 0.25
    opt.step()
    np.testing.assert_array_equal(p.data, [-0.75, 1.5])
    opt.lr = 0
    opt.step()
    np.testing.assert_array_equal(p.data, [-0.75, 1.5])


def test_invalid_lr_assignment_raises_and_keeps_the_old_value():
    opt = Adam([Parameter(np.zeros(2))], lr=0.01)
    with pytest.raises(ValueError, match=r"Invalid learning rate: -0\.5"):
        opt.lr = -0.5
    assert opt.lr == 0.01


def test_invalid_learning_rate_message():
    with pytest.raises(ValueError) as info:
        SGD([Parameter(np.zeros(2))], lr=-1)
    assert str(info.value) == "Invalid learning rate: -1 (must be >= 0)"


@pytest.mark.parametrize(
    "cls, kwargs, text",
    [
        (SGD, {"lr": -0.1}, "learning rate: -0.1"),
        (SGD, {"lr": float("nan")}, "learning rate: nan"),
        (SGD, {"lr": float("inf")}, "learning rate: inf"),
        (Momentum, {"lr": 0.1, "beta": 1.0}, "beta: 1.0"),
        (Momentum, {"lr": 0.1, "beta": -0.1}, "beta: -0.1"),
        (Adagrad, {"lr": -2}, "learning rate: -2"),
        (Adagrad, {"eps": -1e-8}, "eps: -1e-08"),
        (Adadelta, {"rho": 1.5}, "rho: 1.5"),
        (Adadelta, {"eps": 0.0}, "eps: 0.0"),
        (Adadelta, {"lr": -1.0}, "learning rate: -1.0"),
        (RMSProp, {"beta": 1}, "beta: 1"),
        (RMSProp, {"eps": -1.0}, "eps: -1.0"),
        (Adam, {"lr": -0.001}, "learning rate: -0.001"),
        (Adam, {"beta1": 1.0}, "beta1: 1.0"),
        (Adam, {"beta2": -0.5}, "beta2: -0.5"),
        (Adam, {"beta2": float("nan")}, "beta2: nan"),
        (Adam, {"eps": -1e-8}, "eps: -1e-08"),
    ],
)
def test_invalid_hyperparameters_raise_with_the_value(cls, kwargs, text):
    with pytest.raises(ValueError, match=f"Invalid {text}".replace(".", r"\.")):
        cls([Parameter(np.zeros(2))], **kwargs)


def test_non_numbers_are_type_errors():
    p = Parameter(np.zeros(2))
    with pytest.raises(TypeError, match="str"):
        SGD([p], lr="0.1")
    with pytest.raises(TypeError, match="bias_correction"):
        Adam([p], bias_correction="no")


def test_params_validation():
    p = Parameter(np.zeros(2), name="w")
    with pytest.raises(ValueError, match="empty"):
        SGD([], lr=0.1)
    with pytest.raises(ValueError, match="empty"):
        SGD(iter(()), lr=0.1)
    with pytest.raises(TypeError, match="element 1 is a ndarray"):
        SGD([p, np.zeros(2)], lr=0.1)
    with pytest.raises(TypeError, match="single Parameter"):
        SGD(p, lr=0.1)
    with pytest.raises(TypeError, match="int"):
        SGD(3, lr=0.1)
    with pytest.raises(ValueError, match="same parameter twice"):
        SGD([p, p], lr=0.1)


def test_params_may_be_a_generator():
    params = [Parameter(np.ones(2)), Parameter(np.ones(3))]
    opt = Adam((p for p in params), lr=0.1)
    assert opt.params == params
    for p in params:
        p.grad += 1.0
    opt.step()
    assert all((p.data < 1.0).all() for p in params)


def test_base_optimizer_step_is_abstract():
    opt = Optimizer([Parameter(np.zeros(2))], lr=0.1)
    with pytest.raises(NotImplementedError):
        opt.step()


@pytest.mark.parametrize("cls", ALL)
def test_state_is_lazy_per_parameter_and_named(cls):
    a, b = Parameter(np.zeros((2, 2))), Parameter(np.zeros(3))
    opt = make(cls, [a, b], 0.1)
    assert opt.state == {}
    a.grad += 1.0
    b.grad -= 2.0
    opt.step()
    assert set(opt.state) == {a, b}
    assert opt.state[a] is not opt.state[b]
    for p in (a, b):
        assert set(opt.state[p]) == STATE_KEYS[cls] | {"step", "scratch"}
        assert opt.state[p]["step"] == 1
        for key in STATE_KEYS[cls]:
            assert opt.state[p][key].shape == p.shape
    for key in STATE_KEYS[cls]:
        assert not np.shares_memory(opt.state[a][key], opt.state[b][key])


def test_state_values_are_what_their_names_say():
    rng = np.random.default_rng(6)
    p = Parameter(np.zeros(4))
    adam, adagrad = Adam([p], lr=0.0, beta1=0.5, beta2=0.75), Adagrad([p], lr=0.0)
    grads = rng.standard_normal((3, 4))
    for g in grads:
        p.grad[...] = g
        adam.step()
        adagrad.step()
    np.testing.assert_allclose(adagrad.state[p]["sum_sq_grad"], (grads**2).sum(axis=0))
    # m = (1 - b1) * sum_k b1^(t-k) g_k: weights b1^2, b1, 1 for the oldest .. newest gradient
    ages = np.arange(2, -1, -1)
    np.testing.assert_allclose(adam.state[p]["exp_avg"], 0.5 * (0.5**ages) @ grads)
    np.testing.assert_allclose(adam.state[p]["exp_avg_sq"], 0.25 * (0.75**ages) @ grads**2)


@pytest.mark.parametrize("cls", ALL)
def test_all_zero_gradient_is_a_valid_update(cls):
    # A parameter whose gradient is all zeros (for example an unused one) gets updated by the rule:
    # with nothing in its history it does not move, and nothing turns into nan.
    p = Parameter(np.full((2, 2), 3.0))
    opt = make(cls, [p], 0.1)
    for _ in range(3):
        opt.step()
    np.testing.assert_array_equal(p.data, 3.0)
    assert opt.state[p]["step"] == 3


def test_momentum_keeps_moving_on_zero_gradient():
    p = Parameter(np.zeros(1))
    opt = Momentum([p], lr=1.0, beta=0.5)
    p.grad[...] = 2.0
    opt.step()  # v = 1, theta = -1
    p.zero_grad()
    opt.step()  # v = 0.5, theta = -1.5
    np.testing.assert_allclose(p.data, [-1.5])


@pytest.mark.parametrize("shape", [(100, 100), (400, 400)])  # 80 kB: whole; 1.3 MB: in blocks
@pytest.mark.parametrize("cls", ALL)
def test_step_updates_in_place_without_temporaries(cls, shape):
    rng = np.random.default_rng(7)
    p = Parameter(rng.standard_normal(shape))
    p.grad[...] = rng.standard_normal(shape)
    data = p.data
    opt = make(cls, [p], 0.01)
    opt.step()  # creates the state
    arrays = {key: value for key, value in opt.state[p].items() if isinstance(value, np.ndarray)}
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        opt.step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak - before < 8_000, f"step allocated {peak - before} bytes"
    assert p.data is data
    for key, value in arrays.items():
        assert opt.state[p][key] is value


def test_repr():
    p = [Parameter(np.zeros(2))]
    expected = "Adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08, bias_correction=True)"
    assert repr(Adam(p)) == expected
    assert repr(SGD(p, lr=0.5)) == "SGD(lr=0.5)"
    assert repr(Momentum(p, lr=0.1)) == "Momentum(lr=0.1, beta=0.9)"
    assert repr(Adagrad(p)) == "Adagrad(lr=0.01, eps=1e-08)"
    assert repr(Adadelta(p)) == "Adadelta(rho=0.9, eps=1e-06, lr=1.0)"
    assert repr(RMSProp(p)) == "RMSProp(lr=0.001, beta=0.9, eps=1e-08)"
