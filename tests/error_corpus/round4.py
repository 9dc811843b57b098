"""A fourth batch, written blind: each expectation was checked against JAX itself, not the coach."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.experimental import checkify
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from . import case, sharp

V = (jnp.array([0.25, -1.0, 2.0, -3.0]),)
K = (jax.random.key(11),)


def _reuse_checker():
    return jax.debug_key_reuse(True)


def _one_device_mesh():
    return Mesh(np.array(jax.devices()[:1]), ("data",))


# --- sizes that must be known while tracing, in new disguises -------------------------------------
@case(
    "ConcretizationTypeError",
    "jax.nn.one_hot(labels, num_classes)",
    ("static_argnums",),
    "static-args",
    (jnp.array([0, 2, 1]), 3),
)
def one_hot_traced_classes(labels, num_classes):
    return jax.nn.one_hot(labels, num_classes).sum(0)


@case(
    "ConcretizationTypeError",
    "jnp.repeat(x, times)",
    ("total_repeat_length|static_argnums",),
    "static-args",
    (jnp.ones(3), 2),
)
def upsample_by_repeat(x, times):
    return jnp.repeat(x, times)


@case(
    "ConcretizationTypeError",
    "jnp.bincount(labels)",
    ("length=",),
    "masking-where",
    (jnp.array([0, 1, 1, 3]),),
)
def class_histogram(labels):
    counts = jnp.bincount(labels)
    return counts / counts.sum()


@case(
    "TypeError",
    "jax.random.normal(key, (n,))",
    ("static_argnums",),
    "static-args",
    (jax.random.key(2), 4),
)
def noise_of_length(key, n):
    return jax.random.normal(key, (n,)) * 0.1


@case(
    "ConcretizationTypeError",
    "side = int(jnp.sqrt(x.size))",
    ("math.isqrt|math.sqrt|np.sqrt",),
    "static-vs-traced",
    (jnp.arange(16.0),),
)
def as_square_image(x):
    side = int(jnp.sqrt(x.size))
    return x.reshape(side, side)


@case(
    "TracerIntegerConversionError",
    "for _ in range(n_layers):",
    ("static_argnums",),
    "checkpoint",
    (jnp.ones(3),),
)
def remat_stack(x):
    def stack(v, n_layers):
        for _ in range(n_layers):
            v = jnp.tanh(v)
        return v

    return jax.checkpoint(stack)(x, 3)


# --- tracers asked for Python values --------------------------------------------------------------
@case(
    "TracerBoolConversionError",
    "t in (0.0, 1.0)",
    ("jnp.isin|jnp.logical_or|jnp.any(",),
    "python-control-flow",
    (0.5,),
)
def at_interval_end(t):
    on_edge = t in (0.0, 1.0)
    return jnp.where(on_edge, 0.0, t)


@case("TracerBoolConversionError", "sorted(x)", ("jnp.sort|jnp.median",), "jax-numpy", V)
def median_by_sorting(x):
    ordered = sorted(x)
    return (ordered[1] + ordered[2]) / 2


@case("TracerArrayConversionError", "np.float32(x.mean())", ("jnp.float32|astype",), "jax-numpy", V)
def mean_as_float32(x):
    m = np.float32(x.mean())
    return x - m


# --- jit, AOT and abstract values -----------------------------------------------------------------
@case(
    "TypeError",
    "compiled(jnp.ones(5))",
    (".lower(|jax.jit",),
    "aot",
    (jnp.ones(3),),
    via="call",
)
def compiled_for_other_shape(x):
    compiled = jax.jit(lambda v: v * 2).lower(x).compile()
    return compiled(jnp.ones(5))


@case(
    "TypeError",
    "jax.jit(normalise)(spec)",
    ("jax.eval_shape|.lower(",),
    "eval-shape",
    (),
    via="call",
)
def output_shape_by_calling():
    def normalise(v):
        return v / jnp.linalg.norm(v)

    spec = jax.ShapeDtypeStruct((3,), jnp.float32)
    return jax.jit(normalise)(spec).shape


# --- pytrees --------------------------------------------------------------------------------------
@dataclasses.dataclass
class Optimiser:
    lr: jax.Array
    name: str


jax.tree_util.register_dataclass(Optimiser)


@case(
    "TypeError",
    'jax.jit(step)(Optimiser(jnp.float32(0.1), "sgd"), w)',
    ("static=True|meta_fields",),
    "dataclass-nodes",
    (jnp.ones(2),),
)
def dataclass_with_string_field(w):
    def step(opt, w):
        return w - opt.lr * w

    return jax.jit(step)(Optimiser(jnp.float32(0.1), "sgd"), w)


@jax.tree_util.register_pytree_node_class
class Pair:
    def __init__(self, left, right):
        self.left = left
        self.right = right

    def tree_flatten(self):
        return (self.left, self.right), None

    def tree_unflatten(self, aux, children):
        return Pair(*children)


@case(
    "TypeError",
    "jax.tree.map(jnp.negative, Pair(x, x * 2))",
    ("classmethod",),
    "custom-nodes",
    (jnp.ones(2),),
)
def unflatten_not_classmethod(x):
    flipped = jax.tree.map(jnp.negative, Pair(x, x * 2))
    return flipped.left + flipped.right


@case(
    "AttributeError",
    "jax.tree.unflatten(leaves, treedef)",
    ("unflatten(treedef",),
    "flatten-unflatten",
    ({"w": jnp.ones(2), "b": jnp.zeros(2)},),
)
def unflatten_arguments_swapped(params):
    leaves, treedef = jax.tree.flatten(params)
    leaves = [leaf * 0.5 for leaf in leaves]
    return jax.tree.unflatten(leaves, treedef)


@case(
    "ValueError",
    "jax.tree.map(lambda p, g: p - 0.1 * g, params, grads)",
    ("loss, grads|, grads =",),
    "value-and-grad",
    ({"w": jnp.ones(2), "b": jnp.float32(0.5)},),
)
def value_and_grad_not_unpacked(params):
    def loss(p):
        return jnp.sum(p["w"] ** 2) + p["b"]

    grads = jax.value_and_grad(loss)(params)
    return jax.tree.map(lambda p, g: p - 0.1 * g, params, grads)


# --- grad and its relatives -----------------------------------------------------------------------
@case(
    "TypeError",
    "jax.grad(mse, has_aux=True)(w)",
    ("tuple|has_aux=False|, aux",),
    "has-aux",
    (jnp.ones(3),),
)
def has_aux_without_aux(w):
    def mse(w):
        return jnp.mean((w - 1.0) ** 2)

    return jax.grad(mse, has_aux=True)(w)


@case(
    "TypeError",
    "jax.grad(loss, argnums=2)(w, b)",
    ("argnums=1",),
    "argnums",
    (jnp.ones(2), 0.5),
)
def grad_bias_argnum_off_by_one(w, b):
    def loss(w, b):
        return jnp.sum(w * 2.0 + b)

    return jax.grad(loss, argnums=2)(w, b)


@case(
    "TypeError",
    "jax.jacfwd(cubes)(steps)",
    ("float|astype",),
    "jacobians",
    (jnp.arange(3),),
)
def jacobian_of_int_steps(steps):
    def cubes(s):
        return s**3

    return jax.jacfwd(cubes)(steps)


@case("TypeError", "jax.jvp(jnp.sin, x, v)", ("(x,)",), "jvp", (jnp.ones(3), jnp.ones(3)))
def jvp_bare_primals(x, v):
    y, dy = jax.jvp(jnp.sin, x, v)
    return dy


@case("ValueError", "pullback(1.0)", ("ones_like",), "vjp", (jnp.ones(3),))
def vjp_scalar_cotangent(x):
    y, pullback = jax.vjp(jnp.tanh, x)
    (g,) = pullback(1.0)
    return g


@jax.custom_vjp
def _clip_grad(x):
    return x


def _clip_grad_fwd(x):
    return x, None


def _clip_grad_bwd(res, g):
    return jnp.clip(g, -1.0, 1.0)


_clip_grad.defvjp(_clip_grad_fwd, _clip_grad_bwd)


@case("TypeError", "jax.grad(clipped_loss)(x)", ("tuple|,)",), "custom-vjp", (2.0,))
def custom_vjp_bwd_not_tuple(x):
    def clipped_loss(x):
        return _clip_grad(x) ** 2

    return jax.grad(clipped_loss)(x)


@jax.custom_jvp
def _soft_sign(x):
    return x / (1.0 + jnp.abs(x))


@case("AttributeError", "jax.grad(_soft_sign)(x)", ("defjvp",), "custom-jvp", (0.5,))
def custom_jvp_without_rule(x):
    return jax.grad(_soft_sign)(x)


# --- vmap -----------------------------------------------------------------------------------------
@case(
    "ValueError",
    "jax.vmap(scale)(xs, 3.0)",
    ("in_axes", "None"),
    "in-axes",
    (jnp.ones((4, 2)),),
)
def vmap_scalar_factor(xs):
    def scale(x, k):
        return x * k

    return jax.vmap(scale)(xs, 3.0)


@case(
    "ValueError",
    "jax.vmap(shift, in_axes=(0,))(xs, offset=1.5)",
    ("partial|positional",),
    "in-axes",
    (jnp.ones((4, 2)),),
)
def vmap_keyword_offset(xs):
    def shift(x, offset):
        return x + offset

    return jax.vmap(shift, in_axes=(0,))(xs, offset=1.5)


@case(
    "ValueError",
    "in_axes=(None, None)",
    ("in_axes=(None, 0)|axis_size",),
    "in-axes",
    (jnp.ones(2), jnp.ones((5, 2))),
)
def vmap_nothing_mapped(w, xs):
    def score(w, x):
        return jnp.dot(w, x)

    return jax.vmap(score, in_axes=(None, None))(w, xs)


@case(
    "ValueError",
    "jax.random.normal(keys, (2,))",
    ("jax.vmap",),
    "keys-vmap-jit",
    K,
)
def sample_with_key_batch(key):
    keys = jax.random.split(key, 4)
    return jax.random.normal(keys, (2,))


# --- lax control flow -----------------------------------------------------------------------------
@case(
    "TypeError",
    "lax.cond(x > 0, lambda: x * 2, lambda: -x, x)",
    ("lambda v|lambda x|operand",),
    "cond",
    (1.0,),
)
def cond_branches_take_nothing(x):
    return lax.cond(x > 0, lambda: x * 2, lambda: -x, x)


@case(
    "TypeError",
    "lax.cond(x.sum() > 0, x, -x)",
    ("jnp.where",),
    "select-where",
    (jnp.ones(3),),
)
def cond_given_values(x):
    return lax.cond(x.sum() > 0, x, -x)


@case(
    "TypeError",
    "lax.while_loop(lambda s: s[1], halve, (x, 3.0))",
    ("> 0",),
    "while-loop",
    (8.0,),
)
def while_condition_is_counter(x):
    def halve(s):
        return s[0] / 2, s[1] - 1.0

    return lax.while_loop(lambda s: s[1], halve, (x, 3.0))[0]


@case("ValueError", "lax.scan(step, x, None)", ("length=",), "scan", (1.0,))
def scan_without_xs_or_length(x):
    def step(c, _):
        return c * 0.5, c

    return lax.scan(step, x, None)


@case("TypeError", "lax.fori_loop(0, 5, body, x)", ("return",), "fori-loop", (jnp.ones(2),))
def fori_body_forgets_return(x):
    def body(i, acc):
        acc = acc + i

    return lax.fori_loop(0, 5, body, x)


@case(
    "TypeError",
    "lax.select(x > 0, x, 0.0)",
    ("jnp.where|zeros_like|full_like",),
    "select-where",
    (jnp.ones(3),),
)
def select_with_scalar_case(x):
    return lax.select(x > 0, x, 0.0)


@case(
    "TypeError",
    "lax.map(weighted, xs, ws)",
    ("(xs, ws)|tuple",),
    "lax-map",
    (jnp.ones((3, 2)), jnp.ones((3, 2))),
)
def lax_map_two_arrays(xs, ws):
    def weighted(x, w):
        return jnp.sum(x * w)

    return lax.map(weighted, xs, ws)


# --- random ---------------------------------------------------------------------------------------
@case(
    "KeyReuseError",
    "k_noise, k_drop = jax.random.split(key)",
    ("key, subkey|fold_in",),
    "key-reuse",
    K,
    context=_reuse_checker,
)
def split_same_key_each_step(key):
    total = 0.0
    for _ in range(3):
        k_noise, k_drop = jax.random.split(key)
        total = total + jax.random.normal(k_noise) * jax.random.bernoulli(k_drop)
    return total


@case(
    "KeyReuseError",
    "k_w, k_b = jax.random.split(k)|w2, b2 = init_layer(key)",
    ("jax.random.split",),
    "key-reuse",
    K,
    context=_reuse_checker,
)
def two_layers_one_key(key):
    def init_layer(k):
        k_w, k_b = jax.random.split(k)
        return jax.random.normal(k_w, (2, 2)), jax.random.normal(k_b, (2,))

    w1, b1 = init_layer(key)
    w2, b2 = init_layer(key)
    return w1 @ w2 + b1 + b2


@case(
    "ValueError",
    "replace=False",
    ("replace=True",),
    "samplers",
    K,
)
def bootstrap_without_replacement(key):
    idx = jax.random.choice(key, 5, shape=(10,), replace=False)
    return idx.sum()


@case("TypeError", "key + step", ("jax.random.fold_in",), "fold-in", (jax.random.key(4), 3))
def key_plus_step(key, step):
    step_key = key + step
    return jax.random.uniform(step_key)


# --- meshes and sharding on one device ------------------------------------------------------------
@case(
    "ValueError",
    'jax.make_mesh((2,), ("batch",))',
    ("jax_num_cpu_devices|xla_force_host_platform_device_count",),
    "simulated-devices",
    (jnp.ones(4),),
)
def two_way_mesh_on_one_device(x):
    mesh = jax.make_mesh((2,), ("batch",))
    return jax.device_put(x, NamedSharding(mesh, P("batch")))


@case(
    "ValueError",
    'NamedSharding(mesh, P("batch"))',
    ("\"data\"|'data'|axis_names",),
    "partition-spec",
    (jnp.ones(4),),
)
def spec_names_missing_axis(x):
    mesh = _one_device_mesh()
    return jax.device_put(x, NamedSharding(mesh, P("batch")))


@case(
    "RuntimeError",
    'lax.with_sharding_constraint(h, P("data"))',
    ("NamedSharding|jax.set_mesh",),
    "sharding-constraints",
    (jnp.ones(4),),
)
def constraint_without_mesh(x):
    h = jnp.tanh(x)
    return lax.with_sharding_constraint(h, P("data"))


@case(
    "ValueError",
    "return f(x)",
    ("psum|out_specs=P(\"data\")|out_specs=P('data')",),
    "shard-map",
    (jnp.ones(4),),
)
def shard_map_sum_unreplicated(x):
    mesh = _one_device_mesh()
    f = jax.shard_map(lambda b: b.sum(keepdims=True), mesh=mesh, in_specs=P("data"), out_specs=P())
    return f(x)


# --- indexing, updates and shapes -----------------------------------------------------------------
@case("TypeError", "x.at[0] + 1.0", (".add(",), "at-arithmetic", V)
def at_without_method(x):
    return x.at[0] + 1.0


@case("TypeError", "x[x < 0] = 0.0", ("jnp.where",), "masking-where", V)
def clamp_by_mask_assignment(x):
    x[x < 0] = 0.0
    return x


@case("TypeError", "x[x.shape[0] / 2]", ("//",), "indexing", V)
def middle_element(x):
    return x[x.shape[0] / 2]


@case(
    "ValueError",
    "jnp.split(x, 4)",
    ("jnp.array_split",),
    "broadcasting-reshaping",
    (jnp.ones(6),),
)
def four_chunks_of_six(x):
    return [c.sum() for c in jnp.split(x, 4)]


@case(
    "ValueError",
    "jnp.broadcast_to(col, (3, 2))",
    ("[:, None]|reshape|expand_dims",),
    "broadcasting-reshaping",
    (jnp.ones(3),),
)
def broadcast_column(col):
    return jnp.broadcast_to(col, (3, 2))


@case(
    "TypeError",
    "lax.dynamic_slice(x, (start,), (2,))",
    ("astype|jnp.int32|//",),
    "dynamic-slicing",
    (jnp.arange(6.0),),
)
def slice_at_float_start(x):
    start = x.mean()
    return lax.dynamic_slice(x, (start,), (2,))


@case(
    "ValueError",
    "jnp.take_along_axis(scores, best, axis=1)",
    ("[:, None]|expand_dims",),
    "indexing",
    (jnp.arange(6.0).reshape(2, 3),),
)
def take_along_flat_indices(scores):
    best = jnp.argmax(scores, axis=1)
    return jnp.take_along_axis(scores, best, axis=1)


@case("TypeError", "jnp.clip(x, a_min=0.0)", ("min=",), "numpy-differences", V)
def clip_with_numpy_keywords(x):
    return jnp.clip(x, a_min=0.0)


@case(
    "TypeError",
    "jnp.max([x.max(), 1.0])",
    ("jnp.maximum|jnp.stack|jnp.array",),
    "jax-numpy",
    V,
)
def max_of_python_list(x):
    return x / jnp.max([x.max(), 1.0])


@case(
    "ValueError",
    'lax.conv(images, kernel, (1, 1), "SAME")',
    ("dimension_numbers",),
    "convolution",
    (jnp.ones((1, 8, 8, 3)), jnp.ones((3, 3, 3, 4))),
)
def conv_channels_last(images, kernel):
    return lax.conv(images, kernel, (1, 1), "SAME")


# --- debugging ------------------------------------------------------------------------------------
@case(
    "KeyError",
    'jax.debug.print("loss={loss}", loss_value)',
    ("loss=loss_value|{}",),
    "debug-print",
    V,
)
def debug_print_named_field(x):
    loss_value = jnp.mean(x**2)
    jax.debug.print("loss={loss}", loss_value)
    return loss_value


@case(
    "ValueError",
    "jax.jit(safe_log)(x)",
    ("checkify.checkify",),
    "checkify",
    (jnp.ones(3),),
    via="call",
)
def check_without_checkify(x):
    def safe_log(v):
        checkify.check(jnp.all(v > 0), "v must be positive")
        return jnp.log(v)

    return jax.jit(safe_log)(x)


@case(
    "UnexpectedTracerError",
    "return y + taken[0]|taken.append(v)",
    ("return",),
    "leaked-tracers",
    (1.0,),
    via="call",
)
def leak_from_cond_branch(x):
    taken = []

    def positive(v):
        taken.append(v)
        return v

    y = lax.cond(x > 0, positive, lambda v: -v, x)
    return y + taken[0]


# --- silent sharp bits ----------------------------------------------------------------------------
X = (jnp.arange(4.0),)
T = "trace-time-side-effects"


@sharp("print", 'print("row", r)', T, (jnp.ones((3, 2)),))
def print_each_row(m):
    def norm(r):
        print("row", r)
        return jnp.linalg.norm(r)

    return jax.vmap(norm)(m)


class _Tracker:
    steps = 0


_TRACKER = _Tracker()


@sharp("side-effect", "_TRACKER.steps += 1", T, X)
def count_steps_on_object(w):
    _TRACKER.steps += 1
    return w * 0.99


@sharp("out-of-bounds", "x[x.shape[0]]", "out-of-bounds", X)
def last_element_off_by_one(x):
    return x[x.shape[0]] - x[0]


_VOCAB = jnp.linspace(0.0, 1.0, 40).reshape(10, 4)


@sharp("constant", "jnp.take(_VOCAB, ids, axis=0)", "closed-over-constants", (jnp.array([1, 3]),))
def embed_tokens(ids):
    return jnp.take(_VOCAB, ids, axis=0).mean(0)


_DROP_RATES = iter([0.1, 0.2, 0.3, 0.4])


@sharp("iterator", "next(_DROP_RATES)", T, (jnp.ones((3, 2)),))
def scaled_rows(m):
    return jax.vmap(lambda r: r * (1.0 - next(_DROP_RATES)))(m)


@sharp("unrolled", "for k in range(1, 40):", "loops-compile-time", X)
def exp_by_taylor(x):
    acc = jnp.ones_like(x)
    term = jnp.ones_like(x)
    for k in range(1, 40):
        term = term * x / k
        acc = acc + term
    return acc


@sharp("static", "rate", "retracing", (jnp.arange(4.0), 0.25), static_argnums=(1,))
def keep_fraction(x, rate):
    return x * (1.0 - rate)
