"""A eighth batch, written blind from the JAX documentation's pages: each expectation was checked against JAX itself, not the coach."""  # noqa: E501

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.sharding import AxisType, NamedSharding
from jax.sharding import PartitionSpec as P

from . import case, sharp

V = (jnp.array([1.5, -0.5, 2.0, -3.0]),)
SQ = (jnp.array([[0.9, 0.1], [0.2, 0.8]]),)
KEY = (jax.random.key(31),)


def _explicit_mesh():
    return jax.make_mesh((1,), ("data",), axis_types=(AxisType.Explicit,))


# --- values that must be known while tracing, in new places ---------------------------------------
@case(
    "TracerBoolConversionError",
    "lax.top_k(scores, k)",
    ("static_argnums|static_argnames",),
    "static-args",
    (V[0], 2),
)
def best_k_scores(scores, k):
    values, _ = lax.top_k(scores, k)
    return values.sum()


@case(
    "ConcretizationTypeError",
    "lax.scan(step, x0, None, length=horizon)",
    ("static_argnums|static_argnames",),
    "scan",
    (1.0, 5),
)
def rollout_for_horizon(x0, horizon):
    def step(c, _):
        c = 0.9 * c + 1.0
        return c, c

    _, trajectory = lax.scan(step, x0, None, length=horizon)
    return trajectory


@case(
    "TypeError",
    "jax.random.split(key, n_walkers)",
    ("static_argnums|static_argnames",),
    "split",
    (jax.random.key(2), 4),
)
def noise_per_walker(key, n_walkers):
    keys = jax.random.split(key, n_walkers)
    return jax.vmap(jax.random.normal)(keys)


@case(
    "ValueError",
    "jnp.linalg.matrix_power(transition, steps)",
    ("static_argnums|static_argnames",),
    "static-args",
    (SQ[0], 3),
)
def markov_after_steps(transition, steps):
    return jnp.linalg.matrix_power(transition, steps)


@case(
    "ConcretizationTypeError",
    "jnp.split(x, [cut])",
    ("static_argnums|lax.dynamic_slice",),
    "dynamic-slicing",
    (jnp.arange(6.0), 2),
)
def head_and_tail(x, cut):
    head, tail = jnp.split(x, [cut])
    return head.sum() - tail.sum()


@case(
    "ConcretizationTypeError",
    "jax.random.permutation(key, n)",
    ("static_argnums|x.shape|jnp.arange",),
    "samplers",
    (jax.random.key(4), 5),
)
def shuffled_order(key, n):
    return jax.random.permutation(key, n)


# --- jax.numpy, fft and linalg --------------------------------------------------------------------
@case("ValueError", "jnp.fft.rfft(analytic)", ("jnp.fft.fft",), "jax-numpy", V)
def spectrum_of_complex_signal(signal):
    analytic = signal + 1j * jnp.roll(signal, 1)
    return jnp.abs(jnp.fft.rfft(analytic))


@case("ValueError", 'jnp.fft.fft(x, norm="unitary")', ("ortho",), "jax-numpy", V)
def energy_preserving_fft(x):
    return jnp.fft.fft(x, norm="unitary")


@case(
    "ValueError",
    'jnp.linalg.norm(w.ravel(), ord="fro")',
    ("ord=2|ord=None|without ord|matrix",),
    "scipy-linalg",
    SQ,
)
def frobenius_of_flat_weights(w):
    return jnp.linalg.norm(w.ravel(), ord="fro")


@case(
    "ValueError",
    "u, s = jnp.linalg.svd(m)",
    ("u, s, vh|compute_uv=False|svdvals",),
    "scipy-linalg",
    SQ,
)
def largest_singular_value(m):
    u, s = jnp.linalg.svd(m)
    return s[0]


@case("ValueError", "jnp.max(losses[8:])", ("initial=",), "reductions", V)
def worst_loss_after_warmup(losses):
    return jnp.max(losses[8:])


@case("TypeError", "x[[0, 2]]", ("jnp.array(|np.array(",), "numpy-differences", V)
def pick_with_a_list(x):
    return x[[0, 2]].sum()


@case("TypeError", 'jnp.sort(x, kind="stable")', ("stable=True",), "numpy-differences", V)
def stable_sort_numpy_style(x):
    return jnp.sort(x, kind="stable")


@case(
    "TypeError",
    "jnp.where(x > 0, x, None)",
    ("0.0|jnp.nan|zeros_like",),
    "select-where",
    V,
)
def keep_positive_else_none(x):
    return jnp.where(x > 0, x, None)


@case(
    "TypePromotionError",
    "return x8 + h16",
    ("astype",),
    "low-precision",
    (jnp.ones(3, jnp.float8_e4m3fn), jnp.ones(3, jnp.float16)),
)
def add_float8_to_half(x8, h16):
    return x8 + h16


# --- lax strictness -------------------------------------------------------------------------------
@case("TypeError", "lax.reshape(x, (2, -1))", ("jnp.reshape|(2, 2)",), "lax-vs-jnp", V)
def lax_reshape_with_minus_one(x):
    return lax.reshape(x, (2, -1))


@case(
    "TypeError",
    "lax.exp(counts)",
    ("jnp.exp|astype",),
    "lax-vs-jnp",
    (jnp.array([1, 0, 3]),),
)
def softmax_of_integer_counts(counts):
    e = lax.exp(counts)
    return e / e.sum()


@case(
    "TypeError",
    "lax.pad(x, 0, [(1, 1, 0)])",
    ("0.0|x.dtype|same dtype",),
    "lax-vs-jnp",
    V,
)
def pad_with_integer_zero(x):
    return lax.pad(x, 0, [(1, 1, 0)])


@case(
    "TypeError",
    "lax.broadcast_in_dim(b, (3, 4), (0,))",
    ("(1,)",),
    "broadcasting-reshaping",
    V,
)
def bias_for_each_row(b):
    return lax.broadcast_in_dim(b, (3, 4), (0,))


@case(
    "TypeError",
    "lax.associative_scan(jnp.dot, mats)",
    ("jnp.matmul|@",),
    "associative-scan",
    (jnp.ones((4, 2, 2)),),
)
def cumulative_transforms(mats):
    return lax.associative_scan(jnp.dot, mats)


# --- jit, donation and ahead-of-time compilation --------------------------------------------------
@case(
    "ValueError",
    "static_argnums=1, donate_argnums=(0, 1)",
    ("donate_argnums=0|donate_argnums=(0,)",),
    "donation",
    V,
    via="call",
)
def donate_the_static_rate(w):
    step = jax.jit(lambda w, lr: w - lr * w, static_argnums=1, donate_argnums=(0, 1))
    return step(w, 0.1)


@case(
    "TypeError",
    "jax.ShapeDtypeStruct(4, jnp.float32)",
    ("(4,)",),
    "aot",
    (),
    via="call",
)
def compile_for_a_length():
    spec = jax.ShapeDtypeStruct(4, jnp.float32)
    return jax.jit(jnp.cumsum).lower(spec).compile()


@case("TypeError", "@jax.jit", ("@staticmethod",), "jit-methods-partial", V)
def jit_under_staticmethod(x):
    class Geometry:
        @jax.jit
        @staticmethod
        def area(r):
            return jnp.pi * r**2

    return Geometry.area(x)


@case(
    "TypeError",
    "@jax.checkpoint(policy=jax.checkpoint_policies.nothing_saveable)",
    ("functools.partial",),
    "checkpoint",
    V,
)
def checkpoint_policy_as_decorator(x):
    @jax.checkpoint(policy=jax.checkpoint_policies.nothing_saveable)
    def block(v):
        return jnp.tanh(v) * 2.0

    return jax.grad(lambda v: jnp.sum(block(v)))(x)


# --- autodiff -------------------------------------------------------------------------------------
@case(
    "TypeError",
    "jax.grad(lambda z: z**2 + 1.0, holomorphic=True)(x)",
    ("complex",),
    "grad",
    (1.5,),
)
def holomorphic_on_a_real_input(x):
    return jax.grad(lambda z: z**2 + 1.0, holomorphic=True)(x)


@jax.custom_jvp
def _weighted(x, w):
    return x * w


_weighted.defjvps(lambda t, ans, x, w: t * w)


@case(
    "ValueError",
    "jax.jvp(_weighted, (x, w), (1.0, 0.0))",
    ("None|one function per|each argument",),
    "custom-jvp",
    (2.0, 3.0),
)
def defjvps_rule_for_one_input(x, w):
    return jax.jvp(_weighted, (x, w), (1.0, 0.0))


@jax.custom_vjp
def _smooth_sin(x):
    return jnp.sin(x)


def _smooth_sin_fwd(x):
    return jnp.sin(x), x


def _smooth_sin_bwd(x, g):
    return (jnp.sum(g * jnp.cos(x)),)


_smooth_sin.defvjp(_smooth_sin_fwd, _smooth_sin_bwd)


@case(
    "ValueError",
    "jax.grad(lambda v: jnp.sum(_smooth_sin(v)))(x)",
    ("same shape",),
    "custom-vjp",
    V,
)
def bwd_returns_summed_cotangent(x):
    return jax.grad(lambda v: jnp.sum(_smooth_sin(v)))(x)


@case(
    "ValueError",
    "pullback(jnp.ones_like(scaled))",
    ("tuple|same structure",),
    "vjp",
    V,
)
def pullback_of_pair_given_one(x):
    (total, scaled), pullback = jax.vjp(lambda v: (v.sum(), v * 2.0), x)
    return pullback(jnp.ones_like(scaled))


# --- pytrees --------------------------------------------------------------------------------------
class _Velocity:
    def __init__(self, v):
        self.v = v


jax.tree_util.register_pytree_node(_Velocity, lambda o: ((o.v,), None), lambda _, c: _Velocity(*c))


@case(
    "ValueError",
    "jax.tree_util.register_pytree_node(",
    ("once|module level",),
    "custom-nodes",
    V,
)
def register_node_again(x):
    jax.tree_util.register_pytree_node(
        _Velocity, lambda o: ((o.v,), None), lambda _, c: _Velocity(*c)
    )
    return jax.tree.map(jnp.abs, _Velocity(x)).v


@case(
    "AttributeError",
    'path[-1].key == "w"',
    (".idx|keystr",),
    "key-paths",
    ([jnp.ones(3), jnp.zeros(3)],),
)
def decay_by_key_in_a_list(layers):
    def decay(path, leaf):
        return leaf * 0.99 if path[-1].key == "w" else leaf

    return jax.tree_util.tree_map_with_path(decay, layers)


@case(
    "TypeError",
    "jax.tree_util.register_dataclass(Linear)",
    ("@dataclasses.dataclass|data_fields",),
    "dataclass-nodes",
    V,
)
def register_plain_class_as_dataclass(x):
    class Linear:
        def __init__(self, w):
            self.w = w

    jax.tree_util.register_dataclass(Linear)
    return Linear(x).w


@case("ValueError", "jax.tree.leaves(table)", ("same type|str",), "pytree-basics", V)
def dict_with_mixed_key_types(x):
    table = {0: x, "out": x * 2.0}
    return jax.tree.leaves(table)


@case(
    "TypeError",
    "jax.tree.reduce(lambda a, b: a + b, sq_norms)",
    ("initializer",),
    "multi-tree-ops",
    ({"w": None, "b": None},),
)
def grad_norm_of_frozen_params(grads):
    sq_norms = jax.tree.map(lambda g: jnp.sum(g**2), grads)
    return jax.tree.reduce(lambda a, b: a + b, sq_norms)


# --- random ---------------------------------------------------------------------------------------
@case(
    "TypeError",
    "jax.random.wrap_key_data(saved)",
    ("uint32|key_data",),
    "key-impls",
    (jnp.array([0.0, 42.0]),),
)
def restore_key_from_floats(saved):
    key = jax.random.wrap_key_data(saved)
    return jax.random.normal(key, (2,))


@case("TypeError", "np.asarray(key)", ("jax.random.key_data",), "key-impls", KEY, via="call")
def save_key_with_numpy(key):
    return np.asarray(key)


@case("TypeError", "shape=3", ("(3,)",), "samplers", (jax.random.key(6), jnp.arange(10.0)))
def choose_three_with_int_shape(key, pool):
    return jax.random.choice(key, pool, shape=3, replace=False)


@case("TypeError", "jax.random.key(seed)", ("int(|integer",), "random-key", (), via="call")
def float_seed_from_config():
    seed = 1234.0
    return jax.random.normal(jax.random.key(seed), (2,))


@case(
    "ValueError",
    "jax.random.multivariate_normal(key, mean, cov)",
    ("(3, 3)|jnp.eye(3)",),
    "samplers",
    KEY,
)
def correlated_noise_cov_too_small(key):
    mean = jnp.zeros(3)
    cov = jnp.eye(2)
    return jax.random.multivariate_normal(key, mean, cov)


# --- sharding on one device -----------------------------------------------------------------------
@case(
    "ValueError",
    'jax.sharding.reshard(x * 2.0, P("data"))',
    ("jax.set_mesh|NamedSharding",),
    "named-sharding",
    V,
)
def reshard_without_a_mesh(x):
    return jax.sharding.reshard(x * 2.0, P("data"))


@case(
    "ShardingTypeError",
    "lambda a, b: a @ b",
    ("out_sharding",),
    "jit-partitioning",
    (V[0], jnp.ones((4, 3))),
    via="call",
)
def contract_over_sharded_axis(x, w):
    with jax.set_mesh(_explicit_mesh()):
        xs = jax.device_put(x, P("data"))
        w = jax.device_put(w, P("data", None))
        project = jax.jit(lambda a, b: a @ b)
        return project(xs, w)


@case(
    "DuplicateSpecError",
    'NamedSharding(mesh, P("data", "data"))',
    ('P("data", None)|P(None, "data")|once',),
    "partition-spec",
    SQ,
)
def same_axis_on_both_dims(m):
    mesh = jax.make_mesh((1,), ("data",))
    return jax.device_put(m, NamedSharding(mesh, P("data", "data")))


@case(
    "AssertionError",
    "lax.with_sharding_constraint(u * 2.0, P(None))",
    ("reshard",),
    "sharding-constraints",
    V,
    via="call",
)
def constraint_to_replicate_explicit(x):
    with jax.set_mesh(_explicit_mesh()):
        xs = jax.device_put(x, P("data"))
        step = jax.jit(lambda u: lax.with_sharding_constraint(u * 2.0, P(None)))
        return step(xs)


# --- callbacks and debugging ----------------------------------------------------------------------
@case(
    "AttributeError",
    "jax.pure_callback(np.sort, x.shape, x)",
    ("jax.ShapeDtypeStruct",),
    "pure-callback",
    V,
)
def callback_result_as_shape_tuple(x):
    return jax.pure_callback(np.sort, x.shape, x)


@case(
    "NotImplementedError",
    "jax.pure_callback(np.sort, jax.ShapeDtypeStruct",
    ("vmap_method",),
    "pure-callback",
    (jnp.ones((3, 2)),),
)
def callback_under_vmap_without_method(m):
    def host_sort(r):
        return jax.pure_callback(np.sort, jax.ShapeDtypeStruct(r.shape, r.dtype), r)

    return jax.vmap(host_sort)(m)


@case(
    "FloatingPointError",
    "return 1.0 / v",
    ("jnp.where|eps|jnp.maximum",),
    "debug-nans",
    (jnp.array([2.0, 0.0, 4.0]),),
    via="call",
    context=lambda: jax.debug_infs(True),
)
def reciprocal_of_zero(x):
    @jax.jit
    def inverse(v):
        return 1.0 / v

    return inverse(x)


@case(
    "TracerArrayConversionError",
    "np.testing.assert_allclose(probs.sum(), 1.0)",
    ("checkify|outside|jax.debug.callback",),
    "checkify",
    V,
)
def assert_sums_to_one(logits):
    probs = jax.nn.softmax(logits)
    np.testing.assert_allclose(probs.sum(), 1.0)
    return probs


# --- jax.export -----------------------------------------------------------------------------------
@case(
    "TypeError",
    "jax.export.export(jax.jit(jnp.tanh))(spec)",
    ("symbolic_shape",),
    "export",
    (),
    via="call",
)
def export_with_string_dimension():
    spec = jax.ShapeDtypeStruct(("batch", 3), jnp.float32)
    return jax.export.export(jax.jit(jnp.tanh))(spec)


@case(
    "InconclusiveDimensionOperation",
    "if v.shape[0] > 2:",
    ("constraints",),
    "export",
    (),
    via="call",
)
def branch_on_symbolic_length():
    (b,) = jax.export.symbolic_shape("b")

    def head(v):
        if v.shape[0] > 2:
            return v[:2]
        return v

    spec = jax.ShapeDtypeStruct((b,), jnp.float32)
    return jax.export.export(jax.jit(head))(spec)


@case("TypeError", "jax.export.deserialize(exported)", ("serialize()",), "export", V, via="call")
def deserialize_without_serializing(x):
    exported = jax.export.export(jax.jit(jnp.cumsum))(x)
    return jax.export.deserialize(exported).call(x)


@case("ValueError", "exported.call(x)", ('"cpu"',), "export", V, via="call")
def exported_for_tpu_run_on_cpu(x):
    exported = jax.export.export(jax.jit(jnp.sin), platforms=["tpu"])(x)
    return exported.call(x)


# --- lax control flow -----------------------------------------------------------------------------
@case(
    "TypeError",
    "lax.while_loop(lambda i, v: i < 3",
    ("unpack|one argument|single",),
    "while-loop",
    (1.0,),
)
def while_functions_take_two_arguments(x):
    return lax.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v * 2.0), (0, x))


@case("TracerBoolConversionError", "if x > 0:", ("jnp.where",), "select-where", V)
def sum_positive_in_scan(xs):
    def step(c, x):
        if x > 0:
            c = c + x
        return c, c

    return lax.scan(step, 0.0, xs)


@case("TypeError", "lax.switch(i, [jnp.sin, jnp.cos, 0.0], x)", ("lambda",), "switch", (1, V[0]))
def switch_with_a_constant_branch(i, x):
    return lax.switch(i, [jnp.sin, jnp.cos, 0.0], x)


# --- silent sharp bits ----------------------------------------------------------------------------
X = (jnp.arange(4.0),)
T = "trace-time-side-effects"
_TRIPS = {"body": 0}
_ROTATION = jnp.array([[0.0, -1.0], [1.0, 0.0]])
_GATES = iter([1.0, 0.5, 0.25, 0.125])


@sharp("print", 'print("branch two", v)', T, (1, X[0]))
def print_in_switch_branch(i, x):
    def two(v):
        print("branch two", v)
        return v * 2.0

    return lax.switch(i, [jnp.sin, two], x)


@sharp("print", 'print("combine", a, b)', T, X)
def print_in_associative_combine(x):
    def combine(a, b):
        print("combine", a, b)
        return a + b

    return lax.associative_scan(combine, x)


@sharp("side-effect", '_TRIPS["body"] += 1', T, (8.0,))
def count_while_trips(x):
    def body(v):
        _TRIPS["body"] += 1
        return v / 2.0

    return lax.while_loop(lambda v: v > 1.0, body, x)


@sharp("out-of-bounds", "x.at[6].min(0.0)", "out-of-bounds", X)
def floor_past_end(x):
    return x.at[6].min(0.0)


@sharp("constant", "_ROTATION @ p", "closed-over-constants", (jnp.ones((3, 2)),))
def rotate_each_point(points):
    return jax.vmap(lambda p: _ROTATION @ p)(points)


@sharp("iterator", "next(_GATES)", T, (1.0,))
def gated_in_branch(t):
    return lax.cond(t > 0, lambda v: v * next(_GATES), lambda v: -v, t)


@sharp("unrolled", "for j in range(32):", "loops-compile-time", X)
def inner_python_loop_in_scan(xs):
    def step(c, x):
        for j in range(32):
            c = c * 0.99 + x / (j + 1)
        return c, c

    return lax.scan(step, 0.0, xs)[1]


@sharp(
    "static",
    "lax.fori_loop(0, n_iter",
    "retracing",
    (jnp.arange(4.0),),
    kwargs={"n_iter": 5},
    static_argnames=("n_iter",),
)
def relax(x, n_iter):
    return lax.fori_loop(0, n_iter, lambda i, v: 0.5 * (v + jnp.roll(v, 1)), x)
