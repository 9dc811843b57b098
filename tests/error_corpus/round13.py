"""A thirteenth batch, written blind from the JAX documentation's teaching pages (sharp bits, errors, control flow, pytrees, random, autodiff, jit, state, debugging, sharding): each expectation was checked against JAX itself, not the coach."""  # noqa: E501

import functools
import itertools
import types

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.experimental import checkify
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P

from . import case, sharp

VEC = (jnp.array([0.5, -1.0, 2.0, 3.5]),)
BOARD = (jnp.arange(6.0).reshape(2, 3),)
KEY = (jax.random.key(13),)
PARAMS = {"w": jnp.ones(3), "b": jnp.zeros(())}


# --- pure functions and in-place updates ----------------------------------------------------------
@case("TypeError", "board[0, :] = 0.0", (".at[",), "immutable-arrays", BOARD)
def clear_top_row_in_place(board):
    board[0, :] = 0.0
    return board


@case(
    "TracerIntegerConversionError",
    "hist.at[bucket] = hist[bucket] + 1",
    (".add(|.set(",),
    "at-set",
    (jnp.zeros(5), 2),
)
def bump_histogram_bucket(hist, bucket):
    hist.at[bucket] = hist[bucket] + 1
    return hist


@case(
    "NotImplementedError",
    'jnp.take(table, ids, mode="raise")',
    ("clip|fill|checkify",),
    "out-of-bounds",
    (jnp.arange(5.0), jnp.array([1, 7])),
)
def strict_lookup_that_raises(table, ids):
    return jnp.take(table, ids, mode="raise")


# --- non-array inputs -----------------------------------------------------------------------------
@case(
    "TypeError",
    "jnp.linalg.norm([dx, dy])",
    ("jnp.array(|jnp.asarray(|jnp.stack(|jnp.hypot",),
    "numpy-differences",
    (3.0, 4.0),
)
def distance_from_two_components(dx, dy):
    return jnp.linalg.norm([dx, dy])


# --- random numbers -------------------------------------------------------------------------------
@case("TypeError", "jax.random.normal(seed, (3,))", ("jax.random.key(|PRNGKey(",), "random-key", ())
def noise_from_plain_integer_seed():
    seed = 0
    return jax.random.normal(seed, (3,))


@case(
    "ValueError",
    "k_init, k_noise = jax.random.split(key, 3)",
    ("split(key)|, 2)|three|k3|num=2",),
    "split",
    KEY,
)
def split_three_ways_unpack_two(key):
    k_init, k_noise = jax.random.split(key, 3)
    return jax.random.normal(k_init, (2,)) + jax.random.uniform(k_noise, (2,))


@case(
    "KeyReuseError",
    "b = jax.random.uniform(key, (2,))",
    ("split",),
    "key-reuse",
    KEY,
    via="call",
    context=lambda: jax.debug_key_reuse(True),
)
def same_key_for_two_draws(key):
    a = jax.random.normal(key, (2,))
    b = jax.random.uniform(key, (2,))
    return a * b


# --- control flow and logical operators -----------------------------------------------------------
@case(
    "TracerBoolConversionError",
    "while abs(guess * guess - target) > 1e-4:",
    ("lax.while_loop",),
    "while-loop",
    (2.0,),
)
def newton_square_root_python_while(target):
    guess = target
    while abs(guess * guess - target) > 1e-4:
        guess = 0.5 * (guess + target / guess)
    return guess


@case(
    "TracerIntegerConversionError",
    "for _ in range(n_steps):",
    ("static_argnums|static_argnames|lax.fori_loop",),
    "fori-loop",
    (1.0, 5),
)
def euler_steps_traced_count(y0, n_steps):
    y = y0
    for _ in range(n_steps):
        y = y + 0.1 * (-y)
    return y


@case(
    "ValueError",
    "keep = (x > lo) and (x < hi)",
    ("&|jnp.logical_and",),
    "masking-where",
    (VEC[0], -1.0, 3.0),
)
def band_mask_with_python_and(x, lo, hi):
    keep = (x > lo) and (x < hi)
    return jnp.where(keep, x, 0.0)


@case(
    "TypeError",
    "lax.cond(total > 0, lambda t: t, lambda t: 0, total)",
    ("0.0|same dtype|same type|zeros_like|astype",),
    "cond",
    VEC,
)
def relu_of_total_int_branch(x):
    total = x.sum()
    return lax.cond(total > 0, lambda t: t, lambda t: 0, total)


@case(
    "TypeError",
    "body, (0, jnp.int32(0)))",
    ("0.0|float32|astype",),
    "while-loop",
    VEC,
)
def while_accumulator_starts_as_int(x):
    def body(state):
        i, acc = state
        return i + 1, acc + x[i]

    _, acc = lax.while_loop(lambda s: s[0] < x.shape[0], body, (0, jnp.int32(0)))
    return acc / x.shape[0]


@case(
    "TypeError",
    "lax.fori_loop(0, 3, lambda v: v / 2.0, x)",
    ("lambda i, |(i, |two arguments|index",),
    "fori-loop",
    VEC,
)
def fori_body_without_index(x):
    return lax.fori_loop(0, 3, lambda v: v / 2.0, x)


@case("TypeError", "lax.scan(step, 0.0, xs)", ("(carry, |pair|None",), "scan", VEC)
def scan_step_returns_only_carry(xs):
    def step(carry, x):
        return carry + x

    return lax.scan(step, 0.0, xs)


@case(
    "ValueError",
    "jax.grad(balance_when_doubled)(rate)",
    ("lax.scan|fori_loop",),
    "control-flow-autodiff",
    (0.1,),
)
def grad_through_while_loop(rate):
    def balance_when_doubled(r):
        def body(v):
            return v * (1.0 + r)

        return lax.while_loop(lambda v: v < 2.0, body, 1.0)

    return jax.grad(balance_when_doubled)(rate)


@case(
    "IndexError",
    "signal[start : start + 3]",
    ("lax.dynamic_slice|dynamic_slice_in_dim",),
    "dynamic-slicing",
    (jnp.arange(8.0), 2),
)
def window_sum_at_traced_start(signal, start):
    return signal[start : start + 3].sum()


# --- dynamic shapes -------------------------------------------------------------------------------
@case(
    "ConcretizationTypeError",
    "jnp.unique(labels)",
    ("size=",),
    "tracer-errors",
    (jnp.array([3, 1, 3, 2]),),
)
def count_distinct_labels(labels):
    return jnp.unique(labels).shape[0]


@case(
    "NonConcreteBooleanIndexError",
    "losses[losses < cutoff].mean()",
    ("jnp.where|where=",),
    "masking-where",
    (VEC[0], 1.0),
)
def mean_of_small_losses(losses, cutoff):
    return losses[losses < cutoff].mean()


@case(
    "ConcretizationTypeError",
    "jnp.linspace(0.0, 1.0, n_points)",
    ("static_argnums|static_argnames",),
    "static-args",
    (5,),
)
def evenly_spaced_grid(n_points):
    return jnp.linspace(0.0, 1.0, n_points) ** 2


# --- NaNs and double precision --------------------------------------------------------------------
@case(
    "FloatingPointError",
    "return jnp.sum(jnp.log(q))",
    ("jnp.where|jnp.clip|jnp.maximum|eps",),
    "debug-nans",
    (jnp.array([0.5, 0.25, -0.1]),),
    via="call",
    context=lambda: jax.debug_nans(True),
)
def log_likelihood_of_negative_probability(p):
    @jax.jit
    def loglik(q):
        return jnp.sum(jnp.log(q))

    return loglik(p)


@case(
    "FloatingPointError",
    "jax.jit(jax.grad(norm))(v)",
    ("jnp.where",),
    "nan-safe-where",
    (jnp.zeros(3),),
    via="call",
    context=lambda: jax.debug_nans(True),
)
def grad_of_norm_at_origin(v):
    def norm(u):
        return jnp.sqrt(jnp.sum(u**2))

    return jax.jit(jax.grad(norm))(v)


@case(
    "OverflowError",
    "seconds * 2**32",
    ("x64|float",),
    "default-dtypes-x64",
    (jnp.array([1.5, 2.0]),),
)
def seconds_to_fixed_point_ticks(seconds):
    return seconds * 2**32


# --- the errors reference -------------------------------------------------------------------------
@case("TracerArrayConversionError", "v / np.linalg.norm(v)", ("jnp.linalg.norm",), "jax-numpy", VEC)
def unit_vector_with_numpy_norm(v):
    return v / np.linalg.norm(v)


@case(
    "TracerIntegerConversionError",
    "w * rates[stage]",
    ("jnp.array(|jnp.asarray(|static_argnums|static_argnames",),
    "tracer-errors",
    (VEC[0], 1),
)
def learning_rate_from_python_list(w, stage):
    rates = [0.1, 0.01, 0.001]
    return w * rates[stage]


@case(
    "ConcretizationTypeError",
    'print(f"loss = {float(loss):.4f}")',
    ("jax.debug.print",),
    "debug-print",
    VEC,
)
def print_loss_as_python_float(w):
    loss = jnp.mean(w**2)
    print(f"loss = {float(loss):.4f}")
    return loss


@case(
    "UnexpectedTracerError",
    "return tracker.total + 1.0",
    ("return|explicit|argument|output",),
    "explicit-state",
    VEC,
    via="call",
)
def running_total_kept_on_object(x):
    tracker = types.SimpleNamespace(total=jnp.zeros(()))

    @jax.jit
    def observe(v):
        tracker.total = tracker.total + v.sum()
        return v

    observe(x)
    return tracker.total + 1.0


@case(
    "UnexpectedTracerError",
    "return backward(x)",
    ("return|output|has_aux",),
    "leaked-tracers",
    VEC,
    via="call",
)
def activation_cached_in_a_list(x):
    cache = []

    @jax.jit
    def forward(v):
        h = jnp.tanh(v)
        cache.append(h)
        return h.sum()

    forward(x)
    backward = jax.jit(lambda v: (v * cache[0]).sum())
    return backward(x)


# --- pytrees --------------------------------------------------------------------------------------
@case(
    "ValueError",
    "jax.tree.map(lambda p, u: p - 0.1 * u, params, updates)",
    ("same structure|same keys|same tree|matching",),
    "multi-tree-ops",
    (PARAMS, {"w": jnp.ones(3)}),
)
def updates_missing_the_bias(params, updates):
    return jax.tree.map(lambda p, u: p - 0.1 * u, params, updates)


@case(
    "ValueError",
    "jax.tree.unflatten(treedef, scaled)",
    ("jax.tree.map|every leaf|all leaves|same number",),
    "flatten-unflatten",
    ({"w": jnp.ones((2, 2)), "b": jnp.zeros(2)},),
)
def unflatten_after_filtering_leaves(params):
    leaves, treedef = jax.tree.flatten(params)
    scaled = [leaf * 0.5 for leaf in leaves if leaf.ndim == 2]
    return jax.tree.unflatten(treedef, scaled)


@case(
    "TypeError",
    "jax.grad(loss)(Affine(2.0, 0.5))",
    ("register_pytree_node|register_dataclass|pytree_node_class|dict",),
    "custom-nodes",
    VEC,
)
def grad_of_plain_class_params(x):
    class Affine:
        def __init__(self, w, b):
            self.w, self.b = w, b

    def loss(p):
        return jnp.sum((p.w * x + p.b) ** 2)

    return jax.grad(loss)(Affine(2.0, 0.5))


@case(
    "ValueError",
    "jax.vmap(lambda x, w: x @ w)(batch, w)",
    ("in_axes=(0, None)|None",),
    "in-axes",
    (jnp.ones((4, 3)), jnp.ones(3)),
)
def score_each_example_mapping_weights(batch, w):
    return jax.vmap(lambda x, w: x @ w)(batch, w)


# --- automatic differentiation --------------------------------------------------------------------
@case("TypeError", "jax.grad(jnp.tanh)(xs)", ("vmap|jacfwd|jacrev|sum",), "grad", VEC)
def slope_of_tanh_at_many_points(xs):
    return jax.grad(jnp.tanh)(xs)


@case("TypeError", "jax.grad(cubic)(2)", ("2.0|float",), "grad", VEC)
def derivative_at_integer_point(x):
    def cubic(t):
        return t**3 - 2 * t

    return jax.grad(cubic)(2) * x


@case("TypeError", "jax.grad(loss_fn)(w)", ("has_aux=True",), "has-aux", VEC)
def loss_and_accuracy_grad(w):
    def loss_fn(w):
        loss = jnp.mean(w**2)
        accuracy = jnp.mean(w > 0)
        return loss, accuracy

    return jax.grad(loss_fn)(w)


@case(
    "TypeError",
    "jax.grad(loss, argnums=2)(w, b)",
    ("argnums=1|argnums=(0, 1)",),
    "argnums",
    (VEC[0], 0.5),
)
def grad_wrt_bias_counted_from_one(w, b):
    def loss(w, b):
        return jnp.sum((w + b) ** 2)

    return jax.grad(loss, argnums=2)(w, b)


@case("TypeError", "jax.jvp(jnp.sin, x, v)", ("(x,)|tuple",), "jvp", (VEC[0], jnp.ones(4)))
def directional_derivative_bare_arrays(x, v):
    return jax.jvp(jnp.sin, x, v)


# --- just-in-time compilation ---------------------------------------------------------------------
@case("ValueError", "return pick(m, [0, 2])", ("tuple",), "static-args", BOARD, via="call")
def static_columns_as_a_list(m):
    pick = jax.jit(lambda a, cols: a[:, jnp.array(cols)], static_argnums=1)
    return pick(m, [0, 2])


@case(
    "TypeError",
    'return layer(x, "tanh")',
    ("static_argnums|static_argnames",),
    "static-args",
    VEC,
    via="call",
)
def activation_name_as_traced_argument(x):
    @jax.jit
    def layer(v, kind):
        return jnp.tanh(v) if kind == "tanh" else jax.nn.relu(v)

    return layer(x, "tanh")


# --- debugging ------------------------------------------------------------------------------------
@case("KeyError", 'jax.debug.print("loss={loss}", loss)', ("loss=loss|{}",), "debug-print", VEC)
def debug_print_named_field_positional(w):
    loss = jnp.sum(w**2)
    jax.debug.print("loss={loss}", loss)
    return loss


@case(
    "ValueError",
    "return jax.jit(safe_sqrt)(x)",
    ("checkify.checkify",),
    "checkify",
    VEC,
    via="call",
)
def check_without_checkify(x):
    def safe_sqrt(v):
        checkify.check(jnp.all(v >= 0), "negative input")
        return jnp.sqrt(v)

    return jax.jit(safe_sqrt)(x)


@case("TypeError", 'checkify.check(q >= 0, "negative probability")', ("jnp.all",), "checkify", VEC)
def check_with_vector_predicate(p):
    def normalise(q):
        checkify.check(q >= 0, "negative probability")
        return q / q.sum()

    err, out = checkify.checkify(normalise)(p)
    return out


@case("AttributeError", "return logs.mean()", ("err,|error,|err.throw|unpack",), "checkify", VEC)
def checkify_result_not_unpacked(x):
    def safe_log(v):
        checkify.check(jnp.all(v > 0), "log of a non-positive value")
        return jnp.log(v)

    logs = checkify.checkify(safe_log)(x)
    return logs.mean()


# --- distributed arrays on one CPU device ---------------------------------------------------------
@case(
    "ValueError",
    'NamedSharding(mesh, P("data", "model"))',
    ("model|P('data', None)|P(\"data\", None)",),
    "partition-spec",
    BOARD,
)
def spec_names_an_axis_the_mesh_lacks(m):
    mesh = jax.make_mesh((1,), ("data",))
    return jax.device_put(m, NamedSharding(mesh, P("data", "model")))


@case(
    "ValueError",
    "return double(x)",
    ("psum|P(\"data\")|P('data')|all_gather",),
    "shard-map",
    VEC,
)
def shard_map_claims_replicated_output(x):
    mesh = jax.sharding.Mesh(jax.devices()[:1], ("data",))
    double = jax.shard_map(lambda blk: blk * 2.0, mesh=mesh, in_specs=P("data"), out_specs=P())
    return double(x)


@case("NameError", 'v / lax.psum(v, "batch")', ("axis_name",), "vmap-axis-name", BOARD)
def normalise_across_batch_without_axis_name(x):
    def per_example(v):
        return v / lax.psum(v, "batch")

    return jax.vmap(per_example)(x)


# --- silent sharp bits ----------------------------------------------------------------------------
T = "trace-time-side-effects"


class _StepCounter:
    def __init__(self):
        self.steps = 0


_COUNTER = _StepCounter()
_SEEN_LENGTH = np.zeros(1, dtype=np.int64)
_CLASS_WEIGHTS = jnp.array([1.0, 2.0, 0.5, 1.0])
_FEATURE_MEAN = np.array([0.5, 0.5, 0.5, 0.5])
_WARMUP = (0.001 * k for k in range(1, 10_000))
_STREAM = (np.full(4, float(i)) for i in range(10_000))


@functools.partial(jax.jit, static_argnums=1)
def _power_mean(v, p):
    return jnp.mean(jnp.abs(v) ** p) ** (1.0 / p)


@sharp("print", 'print("loss before the update:", loss)', "debug-print", VEC)
def sgd_step_prints_loss(w):
    loss, g = jax.value_and_grad(lambda u: jnp.mean(u**2))(w)
    print("loss before the update:", loss)
    return w - 0.1 * g


@sharp("print", 'print("iteration", i, v)', "debug-print", VEC)
def fori_body_prints_iteration(x):
    def body(i, v):
        print("iteration", i, v)
        return 0.5 * v

    return lax.fori_loop(0, 10, body, x)


@sharp("side-effect", "_COUNTER.steps = _COUNTER.steps + 1", T, VEC)
def count_steps_on_an_object(w):
    _COUNTER.steps = _COUNTER.steps + 1
    return w * 0.9


@sharp("side-effect", "_SEEN_LENGTH[0] = x.shape[0]", T, VEC)
def record_length_in_numpy_buffer(x):
    _SEEN_LENGTH[0] = x.shape[0]
    return jnp.cumsum(x)


@sharp("out-of-bounds", "readings[7] - readings[0]", "out-of-bounds", VEC)
def change_since_eighth_reading(readings):
    return readings[7] - readings[0]


@sharp("out-of-bounds", "board.at[2, 0].add(1.0)", "out-of-bounds", BOARD)
def increment_row_past_the_end(board):
    return board.at[2, 0].add(1.0)


@sharp("constant", "jnp.sum(_CLASS_WEIGHTS * per_class)", "closed-over-constants", VEC)
def weighted_loss_global_weights(per_class):
    return jnp.sum(_CLASS_WEIGHTS * per_class)


@sharp("constant", "(x - _FEATURE_MEAN) / 2.0", "closed-over-constants", VEC)
def standardise_with_numpy_mean(x):
    return (x - _FEATURE_MEAN) / 2.0


@sharp("iterator", "lr = next(_WARMUP)", T, VEC)
def warmup_learning_rate_from_generator(g):
    lr = next(_WARMUP)
    return -lr * g


@sharp("iterator", "for batch in itertools.islice(_STREAM, 3):", T, VEC)
def three_batches_from_a_stream(w):
    for batch in itertools.islice(_STREAM, 3):
        w = w - 0.01 * (w - batch)
    return w


@sharp("unrolled", "for _ in range(40):", "loops-compile-time", (0.5,))
def fixed_point_of_cosine(x):
    for _ in range(40):
        x = jnp.cos(x)
    return x


@sharp(
    "unrolled", "for t in range(xs.shape[0]):", "loops-compile-time", (jnp.linspace(-1.0, 1.0, 24),)
)
def rnn_unrolled_over_sequence(xs):
    h = 0.0
    for t in range(xs.shape[0]):
        h = jnp.tanh(0.5 * h + xs[t])
    return h


@sharp(
    "static",
    "onehot * (1.0 - label_smoothing)",
    "retracing",
    (jnp.array([0.0, 1.0, 0.0]),),
    kwargs={"label_smoothing": 0.1},
    static_argnames=("label_smoothing",),
)
def smooth_labels(onehot, label_smoothing):
    k = onehot.shape[-1]
    return onehot * (1.0 - label_smoothing) + label_smoothing / k


@sharp("static", "_power_mean(x, p)", "retracing", VEC)
def power_means_for_several_p(x):
    return jnp.stack([_power_mean(x, p) for p in (1.0, 2.0, 3.0, 4.0)])
