"""A third batch, written blind: each expectation was checked against JAX itself, not the coach."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from . import case, sharp

V = (jnp.array([0.5, -1.5, 2.5, -3.5]),)
M = (jnp.arange(6.0).reshape(2, 3),)
K = (jax.random.key(7),)


def _reuse_checker():
    return jax.debug_key_reuse(True)


# --- tracers asked for concrete Python values, in new disguises ----------------------------------
@case("ConcretizationTypeError", "int(x.sum())", ("astype",), "static-vs-traced", V)
def count_as_int(x):
    total = int(x.sum())
    return x * total


@case("ConcretizationTypeError", "jnp.ones(int(n))", ("static_argnums",), "static-args", (3,))
def ones_of_int(n):
    return jnp.ones(int(n)) * 2


@case(
    "ConcretizationTypeError",
    "history.append(float(value))",
    ("has_aux|jax.debug.print|jax.debug.callback",),
    "has-aux",
    (jnp.ones(3),),
)
def log_loss_in_grad(w):
    history = []

    def loss(w):
        value = jnp.sum((w - 2.0) ** 2)
        history.append(float(value))
        return value

    return jax.grad(loss)(w)


@case(
    "TracerIntegerConversionError",
    "range(len(x) // k)",
    ("static_argnums", "fori_loop|lax.scan"),
    "static-args",
    (jnp.ones(6), 2),
)
def block_heads(x, k):
    total = 0.0
    for b in range(len(x) // k):
        total = total + x[b * 2]
    return total


@case(
    "TypeError",
    "jnp.zeros(len(x) * reps)",
    ("static_argnums",),
    "static-args",
    (jnp.ones(2), 3),
)
def padded_copy(x, reps):
    out = jnp.zeros(len(x) * reps)
    return out.at[: len(x)].set(x)


@case(
    "TracerBoolConversionError",
    "if (x > 0).any():",
    ("jnp.where", "lax.cond"),
    "python-control-flow",
    V,
)
def shift_if_any_positive(x):
    if (x > 0).any():
        return x - x.max()
    return x


@case(
    "ConcretizationTypeError",
    "n.item()",
    ("static_argnums|fori_loop",),
    "static-vs-traced",
    (jnp.ones(3), 2),
)
def halve_n_times(x, n):
    for _ in range(n.item()):
        x = x / 2
    return x


@case("TracerArrayConversionError", "np.asarray(row)", ("jnp.asarray|jnp.max",), "jax-numpy", M)
def row_peaks(m):
    def peak(row):
        return np.asarray(row).max()

    return jax.vmap(peak)(m)


@case(
    "TracerBoolConversionError",
    "ids.index(c)",
    ("jnp.argmax|jnp.where|jnp.searchsorted",),
    "indexing",
    (5,),
)
def position_of(c):
    ids = [2, 5, 9]
    return jnp.float32(ids.index(c))


@case(
    "TypeError",
    "rates[kind]",
    ("static_argnums|jnp.asarray|jnp.array",),
    "static-args",
    (jnp.ones(2), 1),
)
def rate_for(x, kind):
    rates = {0: 0.1, 1: 0.5}
    return x * rates[kind]


@case("TypeError", 'f"step {step:04d}"', ("jax.debug.print",), "debug-print", (jnp.ones(2), 7))
def tagged_update(w, step):
    tag = f"step {step:04d}"
    return w * 0.9, tag


# --- shapes and dtypes that do not fit -----------------------------------------------------------
@case(
    "TypeError",
    "lax.dot_general(a, b, (((1,), (1,)), ((), ())))",
    ("dimension_numbers|contracting",),
    "dot-general",
    (jnp.ones((2, 3)), jnp.ones((3, 4))),
)
def contract_wrong_axis(a, b):
    return lax.dot_general(a, b, (((1,), (1,)), ((), ())))


@case(
    "TypeError",
    "lax.max(x, floor)",
    ("jnp.maximum|astype",),
    "lax-vs-jnp",
    (jnp.ones(3), jnp.arange(3)),
)
def lax_max_int_floor(x, floor):
    return lax.max(x, floor)


@case(
    "TypeError",
    "jnp.concatenate([m, v])",
    ("v[None|reshape|expand_dims|jnp.vstack",),
    "broadcasting-reshaping",
    (jnp.ones((2, 3)), jnp.ones(3)),
)
def append_row(m, v):
    return jnp.concatenate([m, v])


@case("TypeError", "x.reshape(-1, 4)", ("size",), "broadcasting-reshaping", (jnp.ones(6),))
def rows_of_four(x):
    return x.reshape(-1, 4).mean(0)


@case(
    "ConcretizationTypeError",
    "jnp.split(x, parts)",
    ("static_argnums",),
    "static-args",
    (jnp.ones(6), 3),
)
def first_part(x, parts):
    return jnp.split(x, parts)[0]


# --- vmap -----------------------------------------------------------------------------------------
@case(
    "ValueError",
    "in_axes=(0, 0, None)",
    ("in_axes",),
    "in-axes",
    (jnp.ones((3, 2)), jnp.ones((3, 2))),
)
def in_axes_too_long(a, b):
    return jax.vmap(lambda u, v: jnp.dot(u, v), in_axes=(0, 0, None))(a, b)


@case("ValueError", "out_axes=None", ("out_axes",), "out-axes", (jnp.ones((4, 2)),))
def out_axes_none_for_batched(m):
    return jax.vmap(lambda r: r * 2, out_axes=None)(m)


@case(
    "ValueError",
    'jax.vmap(lambda b: b["x"] * b["y"])(batch)',
    ("in_axes",),
    "in-axes",
    ({"x": jnp.ones(3), "y": jnp.ones(5)},),
)
def vmap_ragged_dict(batch):
    return jax.vmap(lambda b: b["x"] * b["y"])(batch)


@case("NameError", 'lax.psum(v, "rows")', ("axis_name",), "vmap-axis-name", (jnp.ones(4),))
def normalise_unnamed_axis(x):
    return jax.vmap(lambda v: v / lax.psum(v, "rows"))(x)


# --- grad -----------------------------------------------------------------------------------------
@case(
    "TypeError",
    "jax.grad(scaled, argnums=1)(x, counts)",
    ("float|astype|allow_int",),
    "argnums",
    (jnp.ones(3), jnp.arange(3)),
)
def grad_wrt_int_counts(x, counts):
    def scaled(x, counts):
        return jnp.sum(x * counts)

    return jax.grad(scaled, argnums=1)(x, counts)


@case("TypeError", "jax.grad(head)(x)", ("sum|squeeze|[0]",), "grad", (jnp.ones(3),))
def grad_of_length_one(x):
    w = jnp.ones((3, 1))

    def head(x):
        return x @ w

    return jax.grad(head)(x)


@case(
    "TypeError",
    "jax.value_and_grad(loss)(w)",
    ("has_aux",),
    "has-aux",
    (jnp.ones(3),),
)
def value_and_grad_with_predictions(w):
    def loss(w):
        preds = jnp.tanh(w)
        return jnp.mean(preds**2), preds

    return jax.value_and_grad(loss)(w)


@case(
    "TypeError",
    "jax.grad(energy)(z)",
    ("holomorphic=True|.real|jnp.abs",),
    "grad",
    (1.0 + 2.0j,),
)
def grad_complex_output(z):
    def energy(z):
        return z**2 + 1j * z

    return jax.grad(energy)(z)


# --- lax control flow -----------------------------------------------------------------------------
@case("TypeError", "lax.scan(grow, jnp.zeros(1), xs)", ("carry", "shape"), "scan", (jnp.ones(3),))
def scan_appends_to_carry(xs):
    def grow(c, x):
        return jnp.append(c, x), x

    return lax.scan(grow, jnp.zeros(1), xs)


@case(
    "TypeError",
    "lax.fori_loop(0, 4, body, (x, 0))",
    ("carry", "same"),
    "fori-loop",
    (jnp.ones(2),),
)
def fori_drops_counter(x):
    def body(i, state):
        total, count = state
        return total + x

    return lax.fori_loop(0, 4, body, (x, 0))


@case(
    "TypeError",
    "lax.while_loop(lambda c: c < 10.0",
    ("jnp.all|jnp.any",),
    "while-loop",
    (jnp.ones(3),),
)
def while_vector_condition(x):
    return lax.while_loop(lambda c: c < 10.0, lambda c: c * 3.0, x)


@case("TypeError", "lax.cond(t > 0, both, first, t)", ("same", "structure|tuple"), "cond", (1.0,))
def cond_branch_structures(t):
    def both(v):
        return v, v * 2

    def first(v):
        return v

    return lax.cond(t > 0, both, first, t)


@case(
    "TypeError",
    "lax.cond(x[-1:] > 0",
    ("jnp.where|jnp.any|jnp.all|x[-1]",),
    "cond",
    (jnp.ones(3),),
)
def cond_on_last_slice(x):
    return lax.cond(x[-1:] > 0, lambda v: v.sum(), lambda v: v.prod(), x)


@case("TypeError", "lax.switch(x > 0", ("astype|jnp.int32",), "switch", (1.5,))
def switch_on_bool(x):
    return lax.switch(x > 0, [lambda v: -v, lambda v: v * 2], x)


@case(
    "ValueError",
    "jax.grad(power)(x)",
    ("lax.scan|static",),
    "control-flow-autodiff",
    (2.0, 3),
)
def grad_fori_traced_stop(x, n):
    def power(x):
        return lax.fori_loop(0, n, lambda i, acc: acc * x, 1.0)

    return jax.grad(power)(x)


# --- pytrees --------------------------------------------------------------------------------------
class Particle:
    def __init__(self, pos, vel):
        self.pos = pos
        self.vel = vel


@case(
    "TypeError",
    "jax.jit(drift)(Particle(x, x * 0.1))",
    ("register_dataclass|register_pytree_node",),
    "custom-nodes",
    (jnp.ones(2),),
)
def jit_plain_class(x):
    def drift(p):
        return p.pos + p.vel

    return jax.jit(drift)(Particle(x, x * 0.1))


@case(
    "ValueError",
    "jax.tree.map(lambda p, g: p - 0.1 * g, params, grads)",
    ("structure",),
    "tree-map",
    ({"w": jnp.ones(2), "b": jnp.zeros(2)}, {"w": jnp.ones(2), "bias": jnp.zeros(2)}),
)
def tree_map_renamed_key(params, grads):
    return jax.tree.map(lambda p, g: p - 0.1 * g, params, grads)


# --- random ---------------------------------------------------------------------------------------
@case(
    "ValueError",
    "jnp.stack([key, jax.random.PRNGKey(3)])",
    ("jax.random.key(|key_data|wrap_key_data",),
    "key-impls",
    K,
)
def stack_new_and_old_keys(key):
    keys = jnp.stack([key, jax.random.PRNGKey(3)])
    return jax.vmap(jax.random.normal)(keys)


@case(
    "KeyReuseError",
    "jax.random.uniform(k1)",
    ("jax.random.split",),
    "key-reuse",
    K,
    context=_reuse_checker,
)
def subkey_used_twice(key):
    k1, k2 = jax.random.split(key)
    return jax.random.normal(k1) + jax.random.uniform(k1)


@case(
    "KeyReuseError",
    "lax.scan(body, 0.0, xs)",
    ("fold_in|split",),
    "key-reuse",
    (jax.random.key(3), jnp.ones(3)),
    context=_reuse_checker,
)
def same_key_every_step(key, xs):
    def body(c, x):
        return c + x * jax.random.normal(key), None

    return lax.scan(body, 0.0, xs)[0]


@case("TypeError", "jax.random.split(1234)", ("jax.random.key",), "random-key", ())
def split_raw_seed():
    k1, k2 = jax.random.split(1234)
    return jax.random.normal(k1)


# --- jit ------------------------------------------------------------------------------------------
@dataclasses.dataclass
class Config:
    depth: int
    width: int


def _grow(x, cfg):
    return jnp.tile(x, cfg.depth)


@case(
    "ValueError",
    "jax.jit(_grow, static_argnums=1)(x, Config(2, 3))",
    ("frozen=True",),
    "static-args",
    (jnp.ones(2),),
)
def static_config_not_frozen(x):
    return jax.jit(_grow, static_argnums=1)(x, Config(2, 3))


@case(
    "ValueError",
    "jax.jit(blend, static_argnums=(2,))",
    ("static_argnums",),
    "static-args",
    (jnp.ones(2), jnp.zeros(2)),
    via="call",
)
def static_argnums_past_end(a, b):
    def blend(a, b):
        return 0.3 * a + 0.7 * b

    return jax.jit(blend, static_argnums=(2,))(a, b)


# JAX's Python dispatch raises RuntimeError here; its C++ fast path, taken once the same add has
# run before in the process, raises ValueError ("Buffer has been deleted or donated")
@case(
    "RuntimeError|ValueError",
    "return x + y",
    ("donate_argnums",),
    "donation",
    lambda: (jnp.ones(3),),  # a fresh array each run: the first run donates (deletes) it
    via="call",
)
def reuse_donated_input(x):
    double = jax.jit(lambda v: v * 2, donate_argnums=0)
    y = double(x)
    return x + y


@case(
    "ValueError",
    'jax.device_put(x, "gpu")',
    ("jax.devices(",),
    "host-device-transfer",
    (jnp.ones(2),),
)
def device_put_by_name(x):
    return jax.device_put(x, "gpu") * 2


class Layer:
    def __init__(self, scale):
        self.scale = scale

    def __eq__(self, other):
        return isinstance(other, Layer) and self.scale == other.scale

    def apply(self, x):
        return x * self.scale


@case(
    "ValueError",
    "jax.jit(Layer.apply, static_argnums=0)(Layer(3.0), x)",
    ("__hash__|register_pytree_node_class",),
    "jit-methods-partial",
    (jnp.ones(2),),
)
def unhashable_self(x):
    return jax.jit(Layer.apply, static_argnums=0)(Layer(3.0), x)


# --- tracers leaking out of their trace -----------------------------------------------------------
@case(
    "UnexpectedTracerError",
    "return g + inner|inner = jnp.tanh(w)",
    ("return",),
    "leaked-tracers",
    (jnp.ones(3),),
    via="call",
    context=jax.checking_leaks,
)
def nonlocal_in_grad(w):
    inner = None

    def loss(w):
        nonlocal inner
        inner = jnp.tanh(w)
        return jnp.sum(inner)

    g = jax.grad(loss)(w)
    return g + inner


_BATCH_LOG = []


@case(
    "UnexpectedTracerError",
    "return ys + _BATCH_LOG[-1]|_BATCH_LOG.append(r)",
    ("return",),
    "leaked-tracers",
    M,
)
def keep_rows_from_vmap(m):
    def f(r):
        _BATCH_LOG.append(r)
        return r * 2

    ys = jax.vmap(f)(m)
    return ys + _BATCH_LOG[-1]


@case(
    "UnexpectedTracerError",
    'return xs * seen["carry"]|seen["carry"] = c',
    ("return",),
    "leaked-tracers",
    (jnp.ones(3),),
    via="call",
)
def carry_saved_in_dict(xs):
    seen = {}

    def body(c, x):
        seen["carry"] = c
        return c + x, None

    lax.scan(body, 0.0, xs)
    return xs * seen["carry"]


# --- silent sharp bits ----------------------------------------------------------------------------
X = (jnp.arange(4.0),)
P = "trace-time-side-effects"
_SEEN_SHAPES = set()
_STATS = {}


@sharp("print", 'print("norm", jnp.linalg.norm(w))', P, X)
def print_norm(w):
    print("norm", jnp.linalg.norm(w))
    return w / 2


@sharp("print", 'print("negative branch", v)', P, (1.0,))
def print_in_branch(t):
    def neg(v):
        print("negative branch", v)
        return -v

    return lax.cond(t > 0, lambda v: v, neg, t)


@sharp("side-effect", "_SEEN_SHAPES.add(x.shape)", P, X)
def remember_shape(x):
    _SEEN_SHAPES.add(x.shape)
    return x**2


@sharp("side-effect", "_STATS.update(ndim=x.ndim)", P, X)
def update_stats(x):
    _STATS.update(ndim=x.ndim)
    return jnp.exp(x)


@sharp("out-of-bounds", "m[2]", "out-of-bounds", M)
def third_row(m):
    return m[2] + 1


@sharp("out-of-bounds", "x.at[-9].multiply(2.0)", "out-of-bounds", X)
def scale_far_before(x):
    return x.at[-9].multiply(2.0)


_PROJ = jnp.eye(4) * 0.5


@sharp("constant", "_PROJ @ c", "closed-over-constants", X)
def project_in_scan(x):
    def body(c, _):
        return _PROJ @ c, None

    return lax.scan(body, x, None, length=2)[0]


def _make_centre():
    mean = np.full(4, 0.5)

    def centre(x):
        return x - mean

    return centre


centre_by_closure = _make_centre()
sharp("constant", "x - mean", "closed-over-constants", X)(centre_by_closure)

_WARMUP = iter([0.0, 0.25, 0.5, 0.75, 1.0])


@sharp("iterator", "next(_WARMUP)", P, X)
def warmup_scale(x):
    return x * next(_WARMUP)


@sharp("unrolled", "for _ in range(48):", "loops-compile-time", X)
def deep_tanh(x):
    for _ in range(48):
        x = jnp.tanh(x * 1.01)
    return x


@sharp("unrolled", "for t in range(0, 200, 4):", "loops-compile-time", X)
def strided_steps(x):
    for t in range(0, 200, 4):
        x = x + 0.001 * t
    return x


@sharp("static", "bound", "retracing", (jnp.arange(4.0), 1.5), static_argnums=(1,))
def clip_to(x, bound):
    return jnp.clip(x, -bound, bound)
