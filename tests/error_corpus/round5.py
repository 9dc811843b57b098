"""A fifth batch, written blind: each expectation was checked against JAX itself, not the coach."""

import dataclasses
import time

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.scipy.optimize
import numpy as np
import optax
from flax import nnx
from jax import lax
from jax.experimental import checkify
from jax.experimental import pallas as pl
from jax.sharding import PartitionSpec as P

from . import case, sharp

W = (jnp.array([0.5, -2.0, 1.5, 3.0]),)
KEY = (jax.random.key(23),)
PARAMS = ({"w": jnp.ones(3), "b": jnp.zeros(())},)


# --- tracers asked for Python values, in new places -----------------------------------------------
@case(
    "TypeError",
    "len(set(labels))",
    ("size=|static_argnums",),
    "masking-where",
    (jnp.array([0, 2, 1, 2]),),
)
def count_classes_with_set(labels):
    n_classes = len(set(labels))
    return jnp.ones(n_classes) / n_classes


@case(
    "ConcretizationTypeError",
    "jnp.histogram(x, bins=n_bins)",
    ("static_argnums|static_argnames",),
    "static-args",
    (jnp.arange(8.0), 4),
)
def histogram_traced_bins(x, n_bins):
    counts, edges = jnp.histogram(x, bins=n_bins)
    return counts


@case(
    "ConcretizationTypeError",
    "jnp.delete(x, jnp.argmin(x))",
    ("assume_unique_indices=True",),
    "masking-where",
    W,
)
def drop_worst_with_delete(x):
    kept = jnp.delete(x, jnp.argmin(x))
    return kept.mean()


@case(
    "AttributeError",
    "w.block_until_ready()",
    ("outside",),
    "async-dispatch",
    W,
)
def block_inside_jit(w):
    start = time.perf_counter()
    w = w - 0.1 * jnp.tanh(w)
    w.block_until_ready()
    return w, start


# --- autodiff -------------------------------------------------------------------------------------
@case(
    "ValueError",
    "jax.jvp(lambda v: jnp.sum(jnp.sin(v)), (x,), (1.0,))",
    ("ones_like",),
    "jvp",
    W,
)
def directional_derivative(x):
    _, slope = jax.jvp(lambda v: jnp.sum(jnp.sin(v)), (x,), (1.0,))
    return slope


@jax.custom_vjp
def _straight_through(x):
    return jnp.round(x)


def _straight_through_fwd(x):
    return jnp.round(x)


def _straight_through_bwd(res, g):
    return (g,)


_straight_through.defvjp(_straight_through_fwd, _straight_through_bwd)


@case(
    "TypeError",
    "jax.grad(lambda v: jnp.sum(_straight_through(v) ** 2))(x)",
    ("residual",),
    "custom-vjp",
    W,
)
def custom_vjp_fwd_no_residuals(x):
    return jax.grad(lambda v: jnp.sum(_straight_through(v) ** 2))(x)


@jax.custom_jvp
def _softplus(x):
    return jnp.log1p(jnp.exp(x))


@_softplus.defjvp
def _softplus_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return jax.nn.sigmoid(x) * t


@case("TypeError", "jax.grad(_softplus)(x)", ("primal_out|pair",), "custom-jvp", (0.3,))
def custom_jvp_rule_tangent_only(x):
    return jax.grad(_softplus)(x)


@case(
    "TypeError",
    "jax.grad(accuracy)(w)",
    ("differentiable|cross_entropy|cross-entropy",),
    "grad",
    (jnp.ones((3, 2)), jnp.ones((4, 3)), jnp.array([0, 1, 1, 0])),
)
def grad_of_accuracy(w, x, y):
    def accuracy(w):
        preds = jnp.argmax(x @ w, axis=1)
        return jnp.sum(preds == y)

    return jax.grad(accuracy)(w)


@case("TypeError", "jax.grad(loss(w))(w)", ("jax.grad(loss)(w)",), "grad", W)
def grad_of_loss_value(w):
    def loss(w):
        return jnp.sum((w - 1.0) ** 2)

    return jax.grad(loss(w))(w)


@case("ValueError", "push(1.0)", ("jax.vjp",), "linearize", W)
def linearize_as_pullback(x):
    y, push = jax.linearize(lambda v: jnp.sum(v**2), x)
    return push(1.0)


# --- vmap -----------------------------------------------------------------------------------------
@case(
    "ValueError",
    "out_axes=(0,)",
    ("out_axes=(0, 0)|out_axes=0",),
    "out-axes",
    (jnp.arange(6.0).reshape(3, 2),),
)
def stats_per_row(m):
    return jax.vmap(lambda r: (r.mean(), r.std()), out_axes=(0,))(m)


@case(
    "ValueError",
    "jax.vmap(jax.vmap(dist))(a, b)",
    ("in_axes=(None, 0)|in_axes=(0, None)",),
    "nested-vmap",
    (jnp.arange(4.0), jnp.arange(3.0)),
)
def pairwise_distances_nested(a, b):
    def dist(p, q):
        return jnp.abs(p - q)

    return jax.vmap(jax.vmap(dist))(a, b)


# --- lax control flow and primitives --------------------------------------------------------------
@case(
    "ValueError",
    "lax.scan(step, 0.0, xs, length=10)",
    ("xs.shape[0]|len(xs)|omit|drop",),
    "scan",
    (jnp.ones(4),),
)
def scan_length_disagrees(xs):
    def step(c, x):
        c = 0.9 * c + 0.1 * x
        return c, c

    return lax.scan(step, 0.0, xs, length=10)[1]


@case("TypeError", "lax.fori_loop(0, n_steps, body, x)", ("int(",), "fori-loop", (0.0,))
def integrate_with_float_steps(x):
    dt = 0.25
    n_steps = 1.0 / dt

    def body(i, v):
        return v + dt * jnp.cos(v)

    return lax.fori_loop(0, n_steps, body, x)


@case(
    "TypeError",
    'lax.reduce_window(images, -jnp.inf, lax.max, (2, 2), (2, 2), "VALID")',
    ("(1, 2, 2, 1)",),
    "reductions",
    (jnp.ones((1, 4, 4, 3)),),
)
def max_pool_2x2(images):
    return lax.reduce_window(images, -jnp.inf, lax.max, (2, 2), (2, 2), "VALID")


@case(
    "ValueError",
    'jnp.einsum("ij,jk->ik", a, b)',
    ("bij|...",),
    "dot-general",
    (jnp.ones((2, 3, 4)), jnp.ones((2, 4, 5))),
)
def batched_einsum_subscripts(a, b):
    return jnp.einsum("ij,jk->ik", a, b)


@case(
    "TypeError",
    "lax.dynamic_update_slice(m, row, (i, 0))",
    ("row[None|reshape(1|expand_dims",),
    "dynamic-slicing",
    (jnp.zeros((3, 4)), jnp.ones(4), 1),
)
def write_row_at(m, row, i):
    return lax.dynamic_update_slice(m, row, (i, 0))


# --- arrays, dtypes and indexing ------------------------------------------------------------------
@case(
    "TypeError",
    'jnp.array(["cat", "dog", "bird"])',
    ("integer",),
    "numpy-differences",
    (jnp.array([2, 0]),),
)
def label_names_as_array(labels):
    names = jnp.array(["cat", "dog", "bird"])
    return names[labels]


@case(
    "OverflowError",
    "(ids * 2654435761) % 4096",
    ("jax_enable_x64|uint32",),
    "default-dtypes-x64",
    (jnp.arange(5),),
)
def knuth_hash_overflow(ids):
    buckets = (ids * 2654435761) % 4096
    return buckets


@case(
    "TypeError",
    "jnp.where(x > 0, x)",
    ("three-argument|jnp.where(cond, x, y)|, 0.0)",),
    "select-where",
    W,
)
def where_without_else(x):
    return jnp.where(x > 0, x).sum()


@case(
    "NotImplementedError",
    'jnp.take(x, idx, mode="raise")',
    ("fill|clip|checkify",),
    "out-of-bounds",
    (jnp.arange(5.0), jnp.array([0, 3])),
)
def take_raise_mode(x, idx):
    return jnp.take(x, idx, mode="raise")


@case(
    "NotImplementedError",
    "jnp.fill_diagonal(scores, -jnp.inf)",
    ("inplace=False",),
    "immutable-arrays",
    (jnp.ones((3, 3)),),
)
def mask_diagonal_in_place(scores):
    jnp.fill_diagonal(scores, -jnp.inf)
    return jax.nn.softmax(scores, axis=-1)


@case(
    "TypeError",
    "jax.tree.map(lambda p, g: p - 0.1 * g, params)",
    ("params, grads",),
    "multi-tree-ops",
    PARAMS,
)
def tree_map_forgets_grads(params):
    grads = jax.grad(lambda p: jnp.sum(p["w"] ** 2) + p["b"])(params)
    new_params = jax.tree.map(lambda p, g: p - 0.1 * g, params)
    return new_params, grads


# --- random ---------------------------------------------------------------------------------------
@case(
    "ValueError",
    "jax.random.categorical(key, logits, shape=(5,))",
    ("(5, 2)",),
    "samplers",
    (jax.random.key(5), jnp.zeros((2, 3))),
)
def sample_five_per_row(key, logits):
    return jax.random.categorical(key, logits, shape=(5,))


@case(
    "TypeError",
    "jax.random.randint(key, (3,), 0, 10, dtype=jnp.float32)",
    ("jax.random.uniform",),
    "samplers",
    KEY,
)
def uniform_via_randint(key):
    return jax.random.randint(key, (3,), 0, 10, dtype=jnp.float32) / 10


@case("TypeError", "np.random.shuffle(x)", ("jax.random.permutation",), "samplers", W)
def shuffle_rows_with_numpy(x):
    np.random.shuffle(x)
    return x[:2]


@case("AttributeError", "jnp.random.normal(size=x.shape)", ("jax.random",), "explicit-prng", W)
def noise_from_jnp_random(x):
    return x + 0.1 * jnp.random.normal(size=x.shape)


# --- pytrees --------------------------------------------------------------------------------------
@case(
    "ValueError",
    'data_fields=["w"], meta_fields=[]',
    ("data_fields=[\"w\", \"b\"]|data_fields=['w', 'b']",),
    "dataclass-nodes",
    (jnp.ones(2),),
)
def register_dataclass_missing_field(x):
    @dataclasses.dataclass
    class Dense:
        w: jax.Array
        b: jax.Array

    jax.tree_util.register_dataclass(Dense, data_fields=["w"], meta_fields=[])
    layer = Dense(x, x * 0.0)
    return layer.w * x + layer.b


# --- shapes, jit stages and export ----------------------------------------------------------------
@case("TypeError", "jax.eval_shape(f)(x)", ("eval_shape(f, x)",), "eval-shape", W)
def eval_shape_like_jit(x):
    def f(v):
        return jnp.outer(v, v)

    return jax.eval_shape(f)(x)


@case("TypeError", "lowered(x)", (".compile()",), "aot", W, via="call")
def call_lowered_without_compile(x):
    lowered = jax.jit(jnp.cumsum).lower(x)
    return lowered(x)


@case("ValueError", "jax.export.export(double)", ("jax.jit(",), "export", W, via="call")
def export_unjitted(x):
    def double(v):
        return v * 2

    exported = jax.export.export(double)(x)
    return exported.call(x)


@case("TypeError", "jax.scipy.optimize.minimize(bowl, x0)", ("method=",), "scipy-linalg", W)
def minimize_without_method(x0):
    def bowl(v):
        return jnp.sum((v - 1.0) ** 2)

    return jax.scipy.optimize.minimize(bowl, x0).x


# --- checkify, callbacks, Pallas and shard_map ----------------------------------------------------
@case("TypeError", "return y + 1.0", ("err, |err.throw",), "checkify", (jnp.ones(3),))
def checkify_result_not_unpacked(x):
    def safe_sqrt(v):
        checkify.check(jnp.all(v >= 0), "negative input")
        return jnp.sqrt(v)

    y = checkify.checkify(safe_sqrt)(x)
    return y + 1.0


@case("TypeError", "return x / n", ("jax.pure_callback",), "pure-callback", W)
def debug_callback_result_used(x):
    n = jax.debug.callback(lambda v: np.linalg.norm(v), x)
    return x / n


@case("AttributeError", "o_ref[...] = x_ref * 2.0", ("x_ref[...]",), "pallas", (jnp.ones(8),))
def pallas_ref_arithmetic(x):
    def kernel(x_ref, o_ref):
        o_ref[...] = x_ref * 2.0

    out = jax.ShapeDtypeStruct(x.shape, x.dtype)
    return pl.pallas_call(kernel, out_shape=out, interpret=True)(x)


@case(
    "ValueError",
    "out_shape=x.shape",
    ("jax.ShapeDtypeStruct",),
    "pallas",
    (jnp.ones(8),),
)
def pallas_out_shape_as_tuple(x):
    def kernel(x_ref, o_ref):
        o_ref[...] = x_ref[...] + 1.0

    return pl.pallas_call(kernel, out_shape=x.shape, interpret=True)(x)


@case("ValueError", "return f(x)", ("mesh=|jax.set_mesh",), "shard-map", (jnp.ones(4),))
def shard_map_without_mesh(x):
    f = jax.shard_map(lambda b: b * 2.0, in_specs=P("data"), out_specs=P("data"))
    return f(x)


# --- optax ----------------------------------------------------------------------------------------
@case(
    "ValueError",
    "optimizer.update(grads, opt_state)",
    ("opt_state, params",),
    "optimizers",
    PARAMS,
)
def adamw_update_without_params(params):
    optimizer = optax.adamw(1e-3, weight_decay=1e-4)
    opt_state = optimizer.init(params)
    grads = jax.tree.map(jnp.ones_like, params)
    updates, opt_state = optimizer.update(grads, opt_state)
    return optax.apply_updates(params, updates)


@case(
    "AttributeError",
    "optax.chain(optax.clip_by_global_norm, optax.adam(1e-3))",
    ("clip_by_global_norm(",),
    "chain-clip",
    PARAMS,
)
def chain_with_uncalled_clip(params):
    optimizer = optax.chain(optax.clip_by_global_norm, optax.adam(1e-3))
    opt_state = optimizer.init(params)
    return opt_state


@case(
    "ValueError",
    "optax.softmax_cross_entropy(logits, labels)",
    ("softmax_cross_entropy_with_integer_labels",),
    "losses",
    (jnp.zeros((4, 3)), jnp.array([0, 2, 1, 0])),
)
def integer_labels_to_softmax_ce(logits, labels):
    return optax.softmax_cross_entropy(logits, labels).mean()


# --- Flax NNX and Equinox -------------------------------------------------------------------------
@case(
    "TypeError", "nnx.Linear(3, 4)", ("rngs=nnx.Rngs|nnx.Rngs(",), "flax-nnx", (jnp.ones((2, 3)),)
)
def nnx_linear_without_rngs(x):
    layer = nnx.Linear(3, 4)
    return layer(x)


@case("ValueError", "return drop(h)", ("rngs=",), "stateful-layers", (jnp.ones((2, 3)),))
def nnx_dropout_without_rngs(x):
    drop = nnx.Dropout(rate=0.5)
    h = jnp.tanh(x)
    return drop(h)


@case(
    "FrozenInstanceError", "model.bias = jnp.zeros(2)", ("eqx.tree_at",), "equinox", (jnp.ones(3),)
)
def eqx_assign_bias(x):
    model = eqx.nn.Linear(3, 2, key=jax.random.key(0))
    model.bias = jnp.zeros(2)
    return model(x)


@case("TypeError", "return forward(model, x)", ("eqx.filter_jit",), "equinox", (jnp.ones(3),))
def eqx_mlp_through_jax_jit(x):
    model = eqx.nn.MLP(3, 1, width_size=8, depth=1, key=jax.random.key(1))

    @jax.jit
    def forward(m, v):
        return m(v)

    return forward(model, x)


# --- silent sharp bits ----------------------------------------------------------------------------
X = (jnp.arange(4.0),)
T = "trace-time-side-effects"
_STEP_TIMES = []


@sharp("print", 'print("iterate", v)', T, (8.0,))
def halve_until_small(x):
    def body(v):
        print("iterate", v)
        return v / 2

    return lax.while_loop(lambda v: v > 1.0, body, x)


@sharp("side-effect", "_STEP_TIMES.append(time.perf_counter())", T, X)
def timestamp_each_step(w):
    _STEP_TIMES.append(time.perf_counter())
    return w * 0.5


@sharp("out-of-bounds", "jnp.take(x, jnp.array([1, 6]))", "out-of-bounds", X)
def take_past_end(x):
    return jnp.take(x, jnp.array([1, 6])).sum()


@sharp("unrolled", "for _ in range(50):", "loops-compile-time", X)
def euler_decay(x):
    for _ in range(50):
        x = x - 0.02 * x**3
    return x
