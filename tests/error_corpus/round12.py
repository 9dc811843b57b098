"""A twelfth batch, written blind from questions on issue trackers and discussion boards: each expectation was checked against JAX itself, not the coach."""  # noqa: E501

import dataclasses
import functools
import itertools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.sharding import PartitionSpec as P

from . import case, sharp

V = (jnp.array([0.5, -1.5, 2.0, 3.0]),)
KEYS = (jax.random.split(jax.random.key(12), 4),)


# --- composing transformations --------------------------------------------------------------------
@case(
    "TypeError",
    "jax.grad(jax.vmap(loss, in_axes=(None, 0)))(w, xs)",
    ("vmap(jax.grad|vmap(grad|sum|mean",),
    "per-example-gradients",
    (V[0], jnp.ones((3, 4))),
)
def per_example_grads_by_grad_of_vmap(w, xs):
    def loss(w, x):
        return jnp.sum(w * x) ** 2

    return jax.grad(jax.vmap(loss, in_axes=(None, 0)))(w, xs)


@case(
    "TypeError",
    "jax.vmap(jax.grad(features))(xs)",
    ("jacrev|jacfwd|jacobian",),
    "jacobians",
    (jnp.ones((3, 2)),),
)
def jacobian_rows_with_vmap_of_grad(xs):
    def features(x):
        return jnp.stack([x.sum(), (x**2).sum()])

    return jax.vmap(jax.grad(features))(xs)


@case(
    "ValueError",
    "jax.grad(newton_sqrt)(a)",
    ("lax.scan|fori_loop|custom_jvp|custom_vjp|jax.jvp|jacfwd|implicit",),
    "control-flow-autodiff",
    (2.0,),
)
def grad_of_newton_sqrt_while_loop(a):
    def newton_sqrt(v):
        return lax.while_loop(
            lambda g: jnp.abs(g * g - v) > 1e-4,
            lambda g: 0.5 * (g + v / g),
            v,
        )

    return jax.grad(newton_sqrt)(a)


@case(
    "TypeError",
    "jax.hessian(loss)(params)",
    ("float|argnums|separate|astype|3.0",),
    "hessian",
    V,
)
def hessian_of_params_with_step_count(w):
    params = {"w": w, "step": 3}

    def loss(p):
        return jnp.sum(p["w"] ** 2) * p["step"]

    return jax.hessian(loss)(params)


@case(
    "TypeError",
    'jax.jvp(lambda p: jnp.sum(p["w"] ** 2), (params,), (direction,))',
    ('{"w"|same structure|same tree|tree.map|dict|match',),
    "jvp",
    V,
)
def jvp_dict_primal_tuple_tangent(w):
    params = {"w": w}
    direction = (jnp.ones_like(w),)
    return jax.jvp(lambda p: jnp.sum(p["w"] ** 2), (params,), (direction,))


@case(
    "TypeError",
    "jax.value_and_grad(loss)(w)",
    ("sum|mean|squeeze|[0]|reshape",),
    "value-and-grad",
    (jnp.ones((4, 1)), jnp.ones((1, 4))),
)
def value_and_grad_of_one_by_one_loss(w, x):
    def loss(w):
        return (x @ w - 1.0) ** 2

    return jax.value_and_grad(loss)(w)


@case(
    "NotImplementedError",
    "_, vecs = jnp.linalg.eig(m)",
    ("eigh|enable_eigvec_derivs",),
    "scipy-linalg",
    (jnp.array([[2.0, 0.5], [0.5, 1.0]]),),
)
def gradient_through_eig_eigenvectors(a):
    def top_vec(m):
        _, vecs = jnp.linalg.eig(m)
        return vecs[:, 0].real.sum()

    return jax.grad(top_vec)(a)


# --- vmap: in_axes, out_axes, axis names ----------------------------------------------------------
@case(
    "ValueError",
    "out_axes=(0, 1)",
    ("out_axes=0|out_axes=1|out_axes=2|an int|single",),
    "out-axes",
    (jnp.ones((3, 2)),),
)
def outer_products_with_pair_out_axes(u):
    return jax.vmap(lambda r: jnp.outer(r, r), out_axes=(0, 1))(u)


@case(
    "NameError",
    'lax.psum(r.sum(), "rows")',
    ("vmap|shard_map",),
    "vmap-axis-name",
    (jnp.ones((3, 2)),),
)
def psum_over_rows_inside_lax_map(m):
    return lax.map(lambda r: r / lax.psum(r.sum(), "rows"), m)


@case(
    "ValueError",
    "jax.vmap(jax.random.normal)(keys, (3,))",
    ("in_axes=(0, None)|partial|lambda",),
    "keys-vmap-jit",
    KEYS,
)
def vmap_normal_over_the_shape_tuple(keys):
    return jax.vmap(jax.random.normal)(keys, (3,))


@case("ValueError", "jax.random.split(keys)", ("vmap",), "keys-vmap-jit", KEYS)
def resplit_a_batch_of_keys(keys):
    return jax.random.split(keys)


# --- control flow with traced values --------------------------------------------------------------
@case(
    "TypeError",
    "lax.scan(move, jnp.array([0, 0]), steps)",
    ("0.0|float|astype|dtype",),
    "scan",
    (jnp.full((5, 2), 0.5),),
)
def walk_from_integer_origin(steps):
    def move(pos, step):
        pos = pos + step
        return pos, pos

    _, path = lax.scan(move, jnp.array([0, 0]), steps)
    return path


@case(
    "TypeError",
    "lax.fori_loop(0, grads.shape[0], add,",
    ("astype|float32|bfloat16",),
    "fori-loop",
    (jnp.ones((3, 4)),),
)
def accumulate_grads_in_bfloat16(grads):
    def add(i, acc):
        return acc + grads[i]

    return lax.fori_loop(0, grads.shape[0], add, jnp.zeros(grads.shape[1], jnp.bfloat16))


@case(
    "TypeError",
    "lax.switch(i, [jnp.tanh, jax.nn.relu, lambda v: 0.0], x)",
    ("zeros_like|jnp.zeros|full_like",),
    "switch",
    (2, V[0]),
)
def activation_table_with_constant_branch(i, x):
    return lax.switch(i, [jnp.tanh, jax.nn.relu, lambda v: 0.0], x)


@case(
    "TypeError",
    "lax.cond(x > 0, lambda v: v, lambda v: 0, x)",
    ("0.0|zeros_like",),
    "cond",
    (1.5,),
)
def clamp_negative_with_cond_int_zero(x):
    return lax.cond(x > 0, lambda v: v, lambda v: 0, x)


@case("ValueError", "lax.scan(year, balance, 10)", ("length=",), "scan", (100.0,))
def compound_for_ten_years_xs_as_count(balance):
    def year(b, _):
        b = b * 1.05
        return b, b

    return lax.scan(year, balance, 10)


@case(
    "TracerBoolConversionError",
    "return i < 10 and v > 0.1",
    ("jnp.logical_and|&",),
    "while-loop",
    (8.0,),
)
def halve_until_small_or_capped(x):
    def keep_going(c):
        i, v = c
        return i < 10 and v > 0.1

    return lax.while_loop(keep_going, lambda c: (c[0] + 1, c[1] / 2), (0, x))


class _Particle(NamedTuple):
    pos: jax.Array
    vel: jax.Array


@case(
    "TypeError",
    "lax.scan(step, _Particle(0.0, 0.0), forces)",
    ("_Particle(|_replace",),
    "scan",
    V,
)
def namedtuple_carry_returned_as_tuple(forces):
    def step(state, f):
        vel = state.vel + 0.1 * f
        return (state.pos + 0.1 * vel, vel), state.pos

    return lax.scan(step, _Particle(0.0, 0.0), forces)


@case(
    "TypeError",
    "lax.scan(step, key, None, length=5)",
    ("subkey|k, sub|, sub|unpack|[0]",),
    "split",
    (jax.random.key(5),),
)
def scan_carry_keeps_both_split_keys(key):
    def step(k, _):
        k = jax.random.split(k)
        return k, jax.random.normal(k[1])

    _, path = lax.scan(step, key, None, length=5)
    return path


@case(
    "TypeError",
    "x * rates[epoch]",
    ("jnp.array|jnp.asarray|lax.switch|jnp.stack",),
    "static-vs-traced",
    (1, V[0]),
)
def learning_rate_from_dict_by_traced_epoch(epoch, x):
    rates = {0: 1.0, 1: 0.5, 2: 0.1}
    return x * rates[epoch]


# --- pytrees --------------------------------------------------------------------------------------
@case(
    "ValueError",
    "jax.tree.map(lambda p, g: p - 0.1 * g, params, grads)",
    ("tuple|same structure|same type",),
    "multi-tree-ops",
    (V[0], jnp.ones(2)),
)
def sgd_with_tuple_params_and_list_grads(w, b):
    params = (w, b)
    grads = [2.0 * w, 2.0 * b]
    return jax.tree.map(lambda p, g: p - 0.1 * g, params, grads)


@case(
    "ValueError",
    "jax.tree.map(lambda v, g: 0.9 * v + g, velocity, grads)",
    ("is_leaf|zeros",),
    "multi-tree-ops",
    (V[0], jnp.ones(2)),
)
def momentum_with_none_for_frozen_slot(w, b):
    velocity = {"w": jnp.zeros_like(w), "b": None}
    grads = {"w": w, "b": b}
    return jax.tree.map(lambda v, g: 0.9 * v + g, velocity, grads)


@case("TypeError", "lo, hi = pair", ("is_leaf",), "tree-map", V)
def range_of_stat_pairs_without_is_leaf(x):
    stats = {"x": (x.min(), x.max()), "dx": (jnp.diff(x).min(), jnp.diff(x).max())}

    def spread(pair):
        lo, hi = pair
        return hi - lo

    return jax.tree.map(spread, stats)


@case(
    "TypeError",
    "jax.tree.map(lambda p: p * 0.5, layer)",
    ("register",),
    "dataclass-nodes",
    V,
)
def tree_map_over_unregistered_dataclass(w):
    @dataclasses.dataclass
    class Layer:
        w: jax.Array
        b: jax.Array

    layer = Layer(w, jnp.zeros_like(w))
    return jax.tree.map(lambda p: p * 0.5, layer)


@case(
    "AttributeError",
    "self.fan_in = w.shape[0]",
    ("__new__|__init__",),
    "custom-nodes",
    (jnp.ones((3, 2)),),
)
def leaf_shapes_of_validating_node(w):
    class Dense:
        def __init__(self, w):
            self.w = w
            self.fan_in = w.shape[0]

    jax.tree_util.register_pytree_node(Dense, lambda d: ((d.w,), None), lambda _, c: Dense(*c))
    return jax.tree.map(lambda leaf: leaf.shape, Dense(w)).w


@case(
    "AttributeError",
    'path[-1].name == "b"',
    (".key|keystr",),
    "key-paths",
    ({"w": V[0], "b": V[0]},),
)
def freeze_biases_by_attribute_name(params):
    def mask(path, leaf):
        return jnp.zeros_like(leaf) if path[-1].name == "b" else leaf

    return jax.tree_util.tree_map_with_path(mask, params)


@case(
    "AttributeError",
    "jax.tree_map(lambda p: 0.99 * p, params)",
    ("jax.tree.map|jax.tree_util.tree_map",),
    "tree-map",
    ({"w": V[0]},),
)
def decay_with_removed_tree_map(params):
    return jax.tree_map(lambda p: 0.99 * p, params)


# --- jit, static arguments, methods ---------------------------------------------------------------
@case(
    "TypeError",
    "jax.jit(lax.scan)(step, 0.0, xs)",
    ("static_argnums|partial|lambda|closure",),
    "static-args",
    V,
    via="call",
)
def jit_lax_scan_with_the_body_as_argument(xs):
    def step(c, x):
        return c + x, c

    return jax.jit(lax.scan)(step, 0.0, xs)


class _Smoother:
    def __init__(self, alpha):
        self.alpha = alpha

    @functools.partial(jax.jit, static_argnums=1)
    def apply(self, x, n):
        for _ in range(n):
            x = self.alpha * x + (1 - self.alpha) * jnp.roll(x, 1)
        return x


@case(
    "TypeError",
    "_Smoother(0.5).apply(x, 3)",
    ("static_argnums=2|static_argnums=(0, 2)|static_argnames|pytree",),
    "jit-methods-partial",
    V,
    via="call",
)
def static_argnums_forgets_self_in_method(x):
    return _Smoother(0.5).apply(x, 3)


# --- eval_shape, make_jaxpr, AOT, export ----------------------------------------------------------
@case(
    "TypeError",
    "jax.random.normal(k, (width, width))",
    ("partial|lambda",),
    "eval-shape",
    (jax.random.key(3),),
)
def param_shapes_without_allocating(key):
    def init(k, width):
        return jax.random.normal(k, (width, width))

    return jax.eval_shape(init, key, 16)


@case(
    "TracerIntegerConversionError",
    "for _ in range(n):",
    ("static_argnums|static_argnames",),
    "make-jaxpr",
    V,
    via="call",
)
def jaxpr_of_repeated_squaring(x):
    def power_tower(v, n):
        for _ in range(n):
            v = v * v
        return v

    return jax.make_jaxpr(power_tower)(x, 3)


@case(
    "KeyError",
    'compiled.cost_analysis()[0]["flops"]',
    ("cost_analysis()[\"flops\"]|cost_analysis()['flops']|dict|[0]",),
    "aot",
    (jnp.ones((3, 3)),),
    via="call",
)
def flops_from_cost_analysis_list(m):
    compiled = jax.jit(jnp.matmul).lower(m, m).compile()
    return compiled.cost_analysis()[0]["flops"]


@case(
    "AttributeError",
    "jax.xla_computation(jnp.sin)(x)",
    ("lower",),
    "aot",
    V,
    via="call",
)
def hlo_text_via_xla_computation(x):
    return jax.xla_computation(jnp.sin)(x).as_hlo_text()


@case(
    "InconclusiveDimensionOperation",
    "return v.reshape(-1, 2)",
    ("2*n|2 * n|constraints|multiple|even",),
    "export",
    (),
    via="call",
)
def export_pairs_for_any_length():
    (n,) = jax.export.symbolic_shape("n")
    spec = jax.ShapeDtypeStruct((n,), jnp.float32)

    def as_pairs(v):
        return v.reshape(-1, 2)

    return jax.export.export(jax.jit(as_pairs))(spec)


@case(
    "ValueError",
    "jax.export.export(jax.jit(jnp.add))(*specs)",
    ("scope|one call|single call|same call|once",),
    "export",
    (),
    via="call",
)
def export_with_two_symbolic_scopes():
    (a,) = jax.export.symbolic_shape("batch")
    (b,) = jax.export.symbolic_shape("batch")
    specs = (jax.ShapeDtypeStruct((a,), jnp.float32), jax.ShapeDtypeStruct((b,), jnp.float32))
    return jax.export.export(jax.jit(jnp.add))(*specs)


# --- indexing and updates under jit ---------------------------------------------------------------
@case(
    "IndexError",
    "buf.at[start : start + 2].set(0.0)",
    ("dynamic_update_slice",),
    "dynamic-slicing",
    (jnp.arange(6.0), 2),
)
def zero_window_at_traced_offset(buf, start):
    return buf.at[start : start + 2].set(0.0)


@case(
    "ValueError",
    'buf.at[t].set(1.0, mode="wrap")',
    ("%|mod|clip|drop",),
    "out-of-bounds",
    (jnp.zeros(4), 6),
)
def ring_buffer_write_with_wrap_mode(buf, t):
    return buf.at[t].set(1.0, mode="wrap")


@case("TypeError", "s[s.shape[0] / 2]", ("//|int(",), "indexing", V)
def median_with_true_division_index(x):
    s = jnp.sort(x)
    return s[s.shape[0] / 2]


@case(
    "ValueError",
    "lax.dynamic_slice(img, (r,), (2, 3))",
    ("(r, 0)|per dimension|each dimension|every dimension|both|one per",),
    "dynamic-slicing",
    (jnp.ones((4, 3)), 1),
)
def crop_rows_with_one_start_index(img, r):
    return lax.dynamic_slice(img, (r,), (2, 3))


@case(
    "AttributeError",
    "buf.at[1].set(x[0])",
    ("jnp.zeros|jnp.asarray|jnp.array",),
    "immutable-arrays",
    V,
)
def at_update_on_numpy_buffer(x):
    buf = np.zeros(4)
    return buf.at[1].set(x[0])


@case(
    "ConcretizationTypeError",
    "jax.ops.segment_sum(values, group_ids)",
    ("num_segments",),
    "gather-scatter",
    (jnp.arange(4.0), jnp.array([0, 0, 1, 1])),
)
def total_per_group_without_num_segments(values, group_ids):
    return jax.ops.segment_sum(values, group_ids)


# --- random keys ----------------------------------------------------------------------------------
@case(
    "TypeError",
    "jax.random.split(key, batch.shape[0] / 2)",
    ("//|int(",),
    "split",
    (jax.random.key(8), jnp.ones((6, 2))),
)
def keys_for_half_the_batch(key, batch):
    return jax.random.split(key, batch.shape[0] / 2)


@case(
    "ValueError",
    'jax.random.key(7, impl="philox")',
    ("philox4x32|philox2x32|threefry2x32",),
    "key-impls",
    V,
)
def philox_key_named_like_tensorflow(x):
    key = jax.random.key(7, impl="philox")
    return x + jax.random.normal(key, x.shape)


@case(
    "ValueError",
    "jax.random.choice(key, 5, (3,), p=probs)",
    ("same length|same size|match|one per|len(p)|five",),
    "samplers",
    (jax.random.key(9),),
)
def choice_with_one_probability_short(key):
    probs = jnp.array([0.1, 0.2, 0.3, 0.4])
    return jax.random.choice(key, 5, (3,), p=probs)


@case("TypeError", "key == legacy", ("key_data|wrap_key_data",), "key-impls", (jax.random.key(31),))
def typed_key_compared_to_legacy_key(key):
    legacy = jax.random.PRNGKey(31)
    return key == legacy


# --- debugging ------------------------------------------------------------------------------------
@case(
    "FloatingPointError",
    "jax.jit(jax.grad(lambda v: jnp.sqrt(jnp.sum(v**2))))(x)",
    ("jnp.where|eps|1e-",),
    "nan-safe-where",
    (jnp.zeros(3),),
    via="call",
    context=lambda: jax.debug_nans(True),
)
def grad_of_norm_at_the_origin(x):
    return jax.jit(jax.grad(lambda v: jnp.sqrt(jnp.sum(v**2))))(x)


@case(
    "ImportError",
    "from jax.experimental import host_callback",
    ("jax.debug.print|jax.debug.callback|io_callback",),
    "io-callback",
    V,
)
def log_with_removed_host_callback(x):
    from jax.experimental import host_callback

    host_callback.id_print(x)
    return x * 2.0


# --- numerics and jax.numpy -----------------------------------------------------------------------
@case(
    "OverflowError",
    "seconds * 10_000_000_000",
    ("jax_enable_x64|float|1e10|int64",),
    "default-dtypes-x64",
    (jnp.arange(3),),
)
def timestamps_in_tenths_of_nanoseconds(seconds):
    return seconds * 10_000_000_000


@case(
    "NotImplementedError",
    "jnp.linalg.inv(c.astype(jnp.float16))",
    ("float32",),
    "low-precision",
    (jnp.array([[2.0, 0.5], [0.5, 1.0]]),),
    via="call",
)
def invert_half_precision_covariance(c):
    return jnp.linalg.inv(c.astype(jnp.float16))


@case(
    "AttributeError",
    "jnp.logsumexp(logits)",
    ("jax.scipy.special.logsumexp|jax.nn.logsumexp",),
    "jax-numpy",
    V,
)
def log_partition_from_jnp(logits):
    return jnp.logsumexp(logits)


# --- devices and sharding on one CPU --------------------------------------------------------------
@case("RuntimeError", 'jax.devices("gpu")', ("cpu|jax.devices()",), "devices", V, via="call")
def put_on_the_gpu_by_backend_name(x):
    gpu = jax.devices("gpu")[0]
    return jax.device_put(x, gpu)


@case(
    "IndexError",
    "jax.devices()[1]",
    ("xla_force_host_platform_device_count|num_cpu_devices|devices()[0]",),
    "simulated-devices",
    V,
    via="call",
)
def place_on_second_device_of_one(x):
    second = jax.devices()[1]
    return jax.device_put(x, second)


@case(
    "ValueError",
    "host[0] = 0.0",
    ("np.array(|copy|.at[",),
    "host-device-transfer",
    V,
    via="call",
)
def edit_host_view_in_place(x):
    host = np.asarray(x)
    host[0] = 0.0
    return host


@case(
    "ShardingTypeError",
    "jax.jit(lambda a: a + a.T)(ms)",
    ("reshard|out_sharding",),
    "jit-partitioning",
    (jnp.ones((4, 4)),),
    via="call",
)
def symmetrise_row_sharded_matrix(m):
    with jax.set_mesh(jax.make_mesh((1,), ("data",))):
        ms = jax.device_put(m, P("data", None))
        return jax.jit(lambda a: a + a.T)(ms)


@case(
    "ValueError",
    "jax.shard_map(double, mesh=mesh",
    ("\"data\"|'data'",),
    "shard-map",
    V,
    via="call",
)
def shard_map_spec_names_a_missing_axis(x):
    mesh = jax.make_mesh((1,), ("data",))
    spec = P("batch")

    def double(b):
        return b * 2.0

    with jax.set_mesh(mesh):
        xs = jax.device_put(x, P("data"))
        return jax.shard_map(double, mesh=mesh, in_specs=spec, out_specs=spec)(xs)


# --- silent sharp bits ----------------------------------------------------------------------------
T = "trace-time-side-effects"
_SEEN = {"examples": 0}
_GRID = np.linspace(0.0, 1.0, 256)
_TABLE = np.sqrt(_GRID)
_LR = (0.1 * 0.9**k for k in itertools.count())


@sharp("print", 'print("cotangent", g)', T, V)
def print_in_custom_vjp_backward(x):
    @jax.custom_vjp
    def clip_grad(v):
        return v

    def fwd(v):
        return v, None

    def bwd(_, g):
        print("cotangent", g)
        return (jnp.clip(g, -1.0, 1.0),)

    clip_grad.defvjp(fwd, bwd)
    return jax.grad(lambda v: jnp.sum(clip_grad(v) ** 2))(x)


@sharp("side-effect", '_SEEN["examples"] += 1', T, (jnp.ones((8, 3)),))
def count_examples_inside_vmap(batch):
    def per_example(x):
        _SEEN["examples"] += 1
        return jnp.sum(x)

    return jax.vmap(per_example)(batch)


@sharp(
    "out-of-bounds",
    "lax.dynamic_slice(x, (start,), (3,))",
    "dynamic-slicing",
    (jnp.arange(5.0), 4),
)
def last_window_start_is_clamped(x, start):
    return lax.dynamic_slice(x, (start,), (3,))


@sharp("constant", "jnp.interp(x, _GRID, _TABLE)", "closed-over-constants", V)
def lookup_table_baked_into_the_program(x):
    return jnp.interp(x, _GRID, _TABLE)


@sharp("iterator", "lr = next(_LR)", T, V)
def learning_rate_drawn_from_a_generator(w):
    lr = next(_LR)
    return w - lr * 2.0 * w


@sharp("unrolled", "for i in range(m.shape[0]):", "loops-compile-time", (jnp.ones((64, 3)),))
def running_max_by_python_loop_over_rows(m):
    best = m[0]
    out = []
    for i in range(m.shape[0]):
        best = jnp.maximum(best, m[i])
        out.append(best)
    return jnp.stack(out)


@sharp(
    "static",
    "jnp.exp(logits / temperature)",
    "retracing",
    V,
    kwargs={"temperature": 0.7},
    static_argnames=("temperature",),
)
def softmax_with_static_temperature(logits, temperature):
    e = jnp.exp(logits / temperature)
    return e / e.sum()
