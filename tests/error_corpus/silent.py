"""Snippets JAX runs without an error whose result or behaviour surprises (the sharp bits)."""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from . import sharp

X = (jnp.arange(4.0),)
P = "trace-time-side-effects"


# --- print under trace --------------------------------------------------------------------------
@sharp("print", 'print("x is", x)', P, X)
def print_value(x):
    print("x is", x)
    return x * 2


@sharp("print", 'print(f"step {y}")', P, X)
def print_fstring(x):
    y = x.sum()
    print(f"step {y}")
    return y


@sharp("print", "print(x.shape)", P, X)
def print_shape(x):
    print(x.shape)
    return jnp.sin(x)


@sharp("print", 'print("loss", loss)', P, X)
def print_loss(w):
    loss = jnp.sum(w**2)
    print("loss", loss)
    return loss


@sharp("print", "print(c)", P, X)
def print_in_scan(xs):
    def body(c, x):
        print(c)
        return c + x, None

    return lax.scan(body, 0.0, xs)[0]


@sharp("print", 'print("grad", g)', P, X)
def print_in_grad(w):
    g = jax.grad(lambda v: jnp.sum(v**3))(w)
    print("grad", g)
    return g


# --- list append / global writes --------------------------------------------------------------
_SHAPES = []
_CALLS = 0
_LOG = {}
_HISTORY = []


@sharp("side-effect", "_SHAPES.append(x.shape)", P, X)
def record_shape(x):
    _SHAPES.append(x.shape)
    return x + 1


@sharp("side-effect", "_CALLS += 1", P, X)
def count_calls(x):
    global _CALLS
    _CALLS += 1
    return x * 2


@sharp("side-effect", '_LOG["last_size"] = x.size', P, X)
def log_size(x):
    _LOG["last_size"] = x.size
    return x - 1


@sharp("side-effect", "_HISTORY.extend", P, X)
def extend_history(x):
    _HISTORY.extend(["called", x.ndim])
    return jnp.cos(x)


@sharp("side-effect", '_HISTORY.append("step")', P, X)
def append_in_loop_body(x):
    def body(i, c):
        _HISTORY.append("step")
        return c + i

    return lax.fori_loop(0, 3, body, x)


_MODE = "train"


@sharp("side-effect", '_MODE = "eval"', P, X)
def switch_mode(x):
    global _MODE
    _MODE = "eval"
    return x


# --- out-of-bounds static indices -----------------------------------------------------------
OOB = "out-of-bounds"


@sharp("out-of-bounds", "x[5]", OOB, X)
def read_past_end(x):
    return x[5]


@sharp("out-of-bounds", "x.at[10].set(1.0)", OOB, X)
def write_past_end(x):
    return x.at[10].set(1.0)


@sharp("out-of-bounds", "x[-7]", OOB, X)
def read_before_start(x):
    return x[-7] * 2


@sharp("out-of-bounds", "x.at[4].add(3.0)", OOB, X)
def add_past_end(x):
    return x.at[4].add(3.0)


@sharp("out-of-bounds", "m[1, 3]", OOB, (jnp.ones((2, 3)),))
def read_matrix_column(m):
    return m[1, 3]


@sharp("out-of-bounds", "lax.dynamic_slice(x, (3,), (2,))", OOB, X)
def slice_runs_off(x):
    return lax.dynamic_slice(x, (3,), (2,))


@sharp("out-of-bounds", "x[np.array([0, 6])]", OOB, X)
def gather_past_end(x):
    return x[np.array([0, 6])]


# --- globals and closed-over arrays captured as constants ------------------------------------
C = "closed-over-constants"
_W = jnp.ones((4, 4))
_SCALE = 3.0
_TABLE = np.arange(4.0)
_BIAS = jnp.zeros(4)


@sharp("constant", "_W @ x", C, X)
def global_matrix(x):
    return _W @ x


@sharp("constant", "_SCALE * x", C, X)
def global_scale(x):
    return _SCALE * x


@sharp("constant", "_TABLE + x", C, X)
def global_numpy(x):
    return _TABLE + x


def _make_shift():
    offset = jnp.full(4, 2.0)

    def shift(x):
        return x + offset

    return shift


shift_by_closure = _make_shift()
sharp("constant", "x + offset", C, X)(shift_by_closure)


@sharp("constant", "x * _SCALE + _BIAS", C, X)
def two_globals(x):
    return x * _SCALE + _BIAS


def _make_layer():
    kernel = np.eye(4)

    def layer(x):
        return jnp.tanh(kernel @ x)

    return layer


closed_layer = _make_layer()
sharp("constant", "kernel @ x", C, X)(closed_layer)


# --- iterators and generators consumed while tracing ---------------------------------------
ITER = "trace-time-side-effects"
_STEPS = iter(range(100))
_NOISE = (k * 0.1 for k in range(100))
_CYCLE = itertools.cycle([1.0, -1.0])
_COUNTER = itertools.count()
_BATCHES = iter([1.0, 2.0, 3.0, 4.0, 5.0])
_LR = iter([0.1, 0.05, 0.01, 0.005])


@sharp("iterator", "next(_STEPS)", ITER, X)
def next_step(x):
    return x + next(_STEPS)


@sharp("iterator", "next(_NOISE)", ITER, X)
def noisy(x):
    return x + next(_NOISE)


@sharp("iterator", "next(_CYCLE)", ITER, X)
def alternate(x):
    def body(i, c):
        return c * next(_CYCLE)

    return lax.fori_loop(0, 4, body, x)


@sharp("iterator", "next(_COUNTER)", ITER, X)
def stamped(x):
    return x * next(_COUNTER)


@sharp("iterator", "_BATCHES", ITER, X)
def scan_over_batches(x):
    def body(c, _):
        return c + next(_BATCHES), None

    return lax.scan(body, x, None, length=3)[0]


@sharp("iterator", "next(_LR)", ITER, X)
def sgd_step(w):
    return w - next(_LR) * w


# --- Python loops unrolled into many equations ------------------------------------------------
U = "loops-compile-time"


@sharp("unrolled", "for _ in range(100):", U, X)
def hundred_steps(x):
    for _ in range(100):
        x = jnp.sin(x) + 1.0
    return x


@sharp("unrolled", "for i in range(64):", U, X)
def poly_eval(x):
    acc = jnp.zeros_like(x)
    for i in range(64):
        acc = acc * x + i
    return acc


@sharp("unrolled", "while k < 50:", U, X)
def while_unrolled(x):
    k = 0
    while k < 50:
        x = x * 0.9
        k += 1
    return x


@sharp("unrolled", "sum(x[i % 4] * i for i in range(40))", U, X)
def weighted_sum(x):
    return sum(x[i % 4] * i for i in range(40))


@sharp("unrolled", "for _ in range(30):", U, X)
def gradient_descent(w):
    def loss(w):
        return jnp.sum((w - 1.0) ** 2)

    for _ in range(30):
        w = w - 0.1 * jax.grad(loss)(w)
    return w


@sharp("unrolled", "[jnp.tanh(x * k) for k in range(60)]", U, X)
def many_features(x):
    feats = [jnp.tanh(x * k) for k in range(60)]
    return jnp.stack(feats)


# --- a static argument whose value recompiles -----------------------------------------------
R = "retracing"


@sharp("static", "slope", R, (jnp.arange(4.0), 0.1), static_argnums=(1,))
def leaky(x, slope):
    return jnp.where(x > 0, x, slope * x)


@sharp("static", "lr", R, (jnp.arange(4.0), 0.01), static_argnums=(1,))
def update(w, lr):
    return w - lr * w


@sharp(
    "static",
    "temperature",
    R,
    (jnp.arange(4.0),),
    kwargs={"temperature": 2.0},
    static_argnames=("temperature",),
)
def softmax_t(x, temperature):
    return jax.nn.softmax(x / temperature)


@sharp("static", "offset", R, (jnp.arange(4.0), 3), static_argnums=(1,))
def add_offset(x, offset):
    return x + offset


@sharp("static", "eps", R, (jnp.arange(4.0), 1e-5), static_argnums=(1,))
def normalise(x, eps):
    return x / (jnp.linalg.norm(x) + eps)


@sharp("static", "scale", R, (jnp.arange(4.0), 2.5), static_argnums=(1,))
def jitted_scale(x, scale):
    return jnp.exp(x) * scale
