"""A seventh batch, written blind from questions on issue trackers: each expectation was checked against JAX itself, not the coach."""  # noqa: E501

import functools
import itertools

import equinox as eqx
import flax.linen as nn
import haiku as hk
import jax
import jax.numpy as jnp
import jax.scipy.linalg
import numpy as np
import optax
from flax import nnx
from jax import lax
from jax.experimental import checkify, io_callback
from jax.experimental import pallas as pl
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from . import case, sharp

V = (jnp.array([0.5, -1.0, 2.0, 3.5]),)
ROWS = (jnp.arange(12.0).reshape(3, 4),)
PARAMS = ({"w": jnp.ones(3), "b": jnp.zeros(())},)


def _one_device_mesh():
    return Mesh(np.array(jax.devices()[:1]), ("data",))


# --- custom derivative rules and gradients --------------------------------------------------------
@functools.partial(jax.custom_vjp, nondiff_argnums=(1,))
def _clip_gradient(x, bound):
    return x


def _clip_gradient_fwd(x, bound):
    return x, None


def _clip_gradient_bwd(bound, res, g):
    return (jnp.clip(g, -bound, bound),)


_clip_gradient.defvjp(_clip_gradient_fwd, _clip_gradient_bwd)


@case(
    "UnexpectedTracerError",
    "_clip_gradient(v, bound)",
    ("nondiff_argnums", "None"),
    "custom-vjp",
    (jnp.ones(3), jnp.float32(0.5)),
)
def traced_bound_as_nondiff_arg(x, bound):
    def loss(v):
        return jnp.sum(_clip_gradient(v, bound) ** 2)

    return jax.grad(loss)(x)


@jax.custom_vjp
def _scaled(x, w):
    return x * w


def _scaled_fwd(x, w):
    return x * w, (x, w)


def _scaled_bwd(res, g):
    x, w = res
    return (g * w,)


_scaled.defvjp(_scaled_fwd, _scaled_bwd)


@case(
    "TypeError",
    "jax.grad(_scaled)(x, w)",
    ("per primal input|one cotangent per input|None",),
    "custom-vjp",
    (2.0, 3.0),
)
def bwd_drops_weight_cotangent(x, w):
    return jax.grad(_scaled)(x, w)


@case(
    "TypeError",
    "w - 0.1 * grads",
    ("g_w, g_b|grads[0]",),
    "argnums",
    (jnp.ones(2), jnp.zeros(2)),
)
def two_argnums_used_as_one_array(w, b):
    def loss(w, b):
        return jnp.sum((2.0 * w + b) ** 2)

    grads = jax.grad(loss, argnums=(0, 1))(w, b)
    return w - 0.1 * grads, b


@case(
    "ValueError",
    "loss_value, preds, grads = jax.value_and_grad",
    ("(loss_value, preds), grads|(loss, aux), grads",),
    "has-aux",
    (jnp.ones(3),),
)
def has_aux_unpacked_flat(w):
    def loss(w):
        preds = jnp.tanh(w)
        return jnp.mean(preds**2), preds

    loss_value, preds, grads = jax.value_and_grad(loss, has_aux=True)(w)
    return grads


@case(
    "TypeError",
    "lax.stop_gradient(jnp.tanh)(x)",
    ("stop_gradient(jnp.tanh(x))|to the array|to the value",),
    "stop-gradient",
    V,
)
def stop_gradient_on_a_function(x):
    features = lax.stop_gradient(jnp.tanh)(x)
    return features.sum()


# --- vmap and random keys -------------------------------------------------------------------------
@case(
    "TypeError",
    'jax.vmap(score, in_axes={"x": 0, "w": None})(batch)',
    ("in_axes=({|tuple",),
    "in-axes",
    ({"x": jnp.ones((4, 3)), "w": jnp.ones(3)},),
)
def in_axes_dict_not_in_tuple(batch):
    def score(ex):
        return jnp.dot(ex["x"], ex["w"])

    return jax.vmap(score, in_axes={"x": 0, "w": None})(batch)


@case(
    "ValueError",
    "jax.vmap(add_noise)(key, xs)",
    ("jax.random.split(key",),
    "keys-vmap-jit",
    (jax.random.key(3), jnp.ones((4, 2))),
)
def vmap_over_one_key(key, xs):
    def add_noise(k, x):
        return x + 0.1 * jax.random.normal(k, x.shape)

    return jax.vmap(add_noise)(key, xs)


@case(
    "TypeError",
    "jax.random.key(seeds)",
    ("jax.vmap(jax.random.key)",),
    "random-key",
    (jnp.arange(3),),
)
def key_from_array_of_seeds(seeds):
    keys = jax.random.key(seeds)
    return jax.vmap(jax.random.uniform)(keys)


@case(
    "ValueError",
    "k_embed, k_hidden, k_out = jax.random.split(key)",
    ("split(key, 3)|num=3",),
    "split",
    (jax.random.key(5),),
)
def three_keys_from_default_split(key):
    k_embed, k_hidden, k_out = jax.random.split(key)
    return jax.random.normal(k_embed) + jax.random.normal(k_hidden) + jax.random.normal(k_out)


@case(
    "ValueError",
    "jax.random.normal(key, (4,), dtype=jnp.int32)",
    ("jax.random.randint|astype",),
    "samplers",
    (jax.random.key(8),),
)
def normal_with_integer_dtype(key):
    return jax.random.normal(key, (4,), dtype=jnp.int32)


# --- lax primitives -------------------------------------------------------------------------------
@case(
    "ValueError",
    "lax.dynamic_slice(m, (i,), (2, 4))",
    ("(i, 0)|one start index per",),
    "dynamic-slicing",
    (jnp.ones((6, 4)), 1),
)
def row_window_one_start_index(m, i):
    return lax.dynamic_slice(m, (i,), (2, 4))


@case(
    "TypeError",
    "lax.clamp(x, 0.0, 1.0)",
    ("lax.clamp(0.0, x, 1.0)|jnp.clip(x, 0.0, 1.0)",),
    "lax-vs-jnp",
    V,
)
def clamp_in_numpy_order(x):
    return lax.clamp(x, 0.0, 1.0)


@case(
    "ValueError",
    "lax.associative_scan(combine, (decay, drive))",
    ("same length|same leading",),
    "associative-scan",
    (jnp.ones(5), jnp.ones(4)),
)
def linear_recurrence_ragged(decay, drive):
    def combine(p, q):
        return p[0] * q[0], q[0] * p[1] + q[1]

    return lax.associative_scan(combine, (decay, drive))


# --- arrays, indexing and dtypes ------------------------------------------------------------------
@case(
    "ValueError",
    "m.at[0].set(row)",
    ("shape",),
    "at-set",
    (jnp.zeros((3, 4)), jnp.ones(5)),
)
def overwrite_row_wrong_length(m, row):
    return m.at[0].set(row)


@case(
    "TypeError",
    "jnp.zeros(4).at[idx].add(1.0)",
    ("astype(jnp.int32)|astype(int)",),
    "at-arithmetic",
    (jnp.array([0.1, 0.4, 0.6, 0.9]),),
)
def histogram_with_float_indices(x):
    idx = jnp.floor(x * 4)
    return jnp.zeros(4).at[idx].add(1.0)


@case("TypeError", "jnp.zeros(3, 4)", ("(3, 4)",), "array-creation", ())
def zeros_with_matlab_shape():
    return jnp.zeros(3, 4)


@case(
    "ValueError",
    "jnp.concatenate(left, right)",
    ("[left, right]|(left, right)",),
    "jax-numpy",
    (jnp.ones(3), jnp.zeros(3)),
)
def concatenate_two_positional(left, right):
    return jnp.concatenate(left, right)


@case(
    "ValueError",
    'jnp.convolve(image, kernel, mode="same")',
    ("convolve2d|jax.scipy.signal.convolve",),
    "convolution",
    (jnp.ones((8, 8)), jnp.ones((3, 3)) / 9),
)
def blur_with_1d_convolve(image, kernel):
    return jnp.convolve(image, kernel, mode="same")


@case(
    "TypePromotionError",
    "return x * counts",
    ("astype",),
    "type-promotion",
    (jnp.ones(3), jnp.arange(3)),
)
def strict_promotion_mixed_kinds(x, counts):
    with jax.numpy_dtype_promotion("strict"):
        return x * counts


@case(
    "TypeError",
    "jax.scipy.linalg.solve_triangular(factor, b)",
    ("cho_solve",),
    "scipy-linalg",
    (jnp.eye(3) * 2.0, jnp.ones(3)),
)
def cho_factor_result_as_matrix(a, b):
    factor = jax.scipy.linalg.cho_factor(a)
    return jax.scipy.linalg.solve_triangular(factor, b)


# --- devices, config, jit stages ------------------------------------------------------------------
@case("TypeError", "x.device()", (".devices()|.device",), "jax-array", V, via="call")
def device_called_as_method(x):
    return x.device()


@case(
    "AttributeError",
    'jax.config.update("jax_enable_64bit", True)',
    ("jax_enable_x64",),
    "default-dtypes-x64",
    (),
    via="call",
)
def misspelled_x64_flag():
    jax.config.update("jax_enable_64bit", True)
    return jnp.arange(3.0)


@case("AttributeError", "step.as_text()", (".lower(",), "fusion-hlo", V, via="call")
def hlo_text_from_jitted_function(x):
    step = jax.jit(lambda v: jnp.sin(v) * 2.0)
    step(x)
    return step.as_text()


@case("TypeError", "compiled(x, 3)", ("compiled(x)",), "aot", V, via="call")
def static_arg_passed_to_compiled(x):
    power = jax.jit(lambda v, n: v**n, static_argnums=1)
    compiled = power.lower(x, 3).compile()
    return compiled(x, 3)


@case(
    "ValueError",
    'jax.jit(activate, static_argnames="mode")',
    ('static_argnames="kind"|static_argnames=\'kind\'|static_argnames=("kind"',),
    "static-args",
    V,
    via="call",
)
def static_argnames_misnamed(x):
    def activate(v, kind):
        return jnp.tanh(v) if kind == "tanh" else v

    fast = jax.jit(activate, static_argnames="mode")
    return fast(x, "tanh")


# --- sharding on one device -----------------------------------------------------------------------
@case(
    "ValueError",
    'NamedSharding(mesh, P("data", None))',
    ("P(\"data\")|P('data')|one entry per",),
    "partition-spec",
    V,
)
def spec_longer_than_rank(x):
    mesh = _one_device_mesh()
    return jax.device_put(x, NamedSharding(mesh, P("data", None)))


@case(
    "ValueError",
    "return add(x, y)",
    ('in_specs=(P("data"), P("data"))|one spec per|each argument',),
    "shard-map",
    (jnp.ones(4), jnp.ones(4)),
)
def shard_map_one_spec_two_args(x, y):
    mesh = _one_device_mesh()
    add = jax.shard_map(lambda a, b: a + b, mesh=mesh, in_specs=(P("data"),), out_specs=P("data"))
    return add(x, y)


# --- callbacks, debugging, kernels and export -----------------------------------------------------
def _record(v):
    return None


@case(
    "ValueError",
    "io_callback(_record, None, r, ordered=True)",
    ("ordered=False",),
    "io-callback",
    ROWS,
)
def ordered_callback_under_vmap(m):
    def row_norm(r):
        io_callback(_record, None, r, ordered=True)
        return jnp.linalg.norm(r)

    return jax.vmap(row_norm)(m)


@case(
    "FloatingPointError",
    "jnp.log(v - 2.0)",
    ("jnp.where|jnp.clip|jnp.maximum",),
    "debug-nans",
    V,
    via="call",
    context=lambda: jax.debug_nans(True),
)
def log_of_negative_margin(x):
    @jax.jit
    def log_margin(v):
        return jnp.log(v - 2.0)

    return log_margin(x)


@case(
    "TypeError",
    'checkify.check(v > 0, "inputs must be positive")',
    ("jnp.all",),
    "checkify",
    V,
)
def check_with_vector_predicate(x):
    def safe_log(v):
        checkify.check(v > 0, "inputs must be positive")
        return jnp.log(v)

    err, y = checkify.checkify(safe_log)(x)
    return y


@case(
    "ValueError",
    "pl.pallas_call(kernel, out_shape=out, interpret=True)(x)",
    ("o_ref[...] =",),
    "pallas",
    (jnp.ones(8),),
)
def pallas_kernel_returns_value(x):
    def kernel(x_ref, o_ref):
        return x_ref[...] * 2.0

    out = jax.ShapeDtypeStruct(x.shape, x.dtype)
    return pl.pallas_call(kernel, out_shape=out, interpret=True)(x)


@case(
    "ValueError",
    "exported.call(x)",
    ("symbolic_shape",),
    "export",
    (jnp.ones(8),),
)
def exported_for_fixed_batch(x):
    spec = jax.ShapeDtypeStruct((4,), jnp.float32)
    exported = jax.export.export(jax.jit(jnp.cumsum))(spec)
    return exported.call(x)


@case(
    "TypeError",
    "jax.dlpack.from_dlpack(host.__dlpack__())",
    ("from_dlpack(host)|the array itself",),
    "dlpack",
    (),
    via="call",
)
def dlpack_capsule_instead_of_array():
    host = np.arange(4.0)
    return jax.dlpack.from_dlpack(host.__dlpack__())


# --- pytrees --------------------------------------------------------------------------------------
@case(
    "ValueError",
    "means, stds = jax.tree.map(lambda p: (p.mean(), p.std()), params)",
    ("jax.tree.transpose|two jax.tree.map|separate jax.tree.map",),
    "multi-tree-ops",
    ({"w": jnp.ones(3), "b": jnp.zeros(2), "scale": jnp.ones(2)},),
)
def tree_map_returning_pairs(params):
    means, stds = jax.tree.map(lambda p: (p.mean(), p.std()), params)
    return means, stds


@case(
    "AttributeError",
    "sum(leaf.size for leaf in leaves)",
    ("jax.tree.leaves|leaves, treedef",),
    "params-as-pytrees",
    PARAMS,
)
def count_params_with_flatten(params):
    leaves = jax.tree.flatten(params)
    return sum(leaf.size for leaf in leaves)


@jax.tree_util.register_pytree_node_class
class Standardizer:
    def __init__(self, values, mean):
        self.values = values
        self.mean = mean

    def tree_flatten(self):
        return (self.values,), self.mean

    @classmethod
    def tree_unflatten(cls, mean, children):
        return cls(children[0], mean)


@case(
    "ValueError",
    "jax.tree.map(lambda u, v: 0.9 * u + 0.1 * v, old, new)",
    ("children",),
    "custom-nodes",
    V,
)
def array_kept_in_aux_data(x):
    old = Standardizer(x, jnp.full(4, 0.5))
    new = Standardizer(2.0 * x, jnp.full(4, 0.5))
    return jax.tree.map(lambda u, v: 0.9 * u + 0.1 * v, old, new)


# --- Equinox --------------------------------------------------------------------------------------
@case("TypeError", "return layer(xs)", ("jax.vmap",), "equinox", (jnp.ones((5, 3)),))
def eqx_linear_on_a_batch(xs):
    layer = eqx.nn.Linear(3, 2, key=jax.random.key(0))
    return layer(xs)


@case(
    "NameError",
    "y, state = bn(x, state)",
    ("jax.vmap", "axis_name"),
    "stateful-layers",
    (jnp.ones(3),),
)
def eqx_batchnorm_without_vmap(x):
    bn, state = eqx.nn.make_with_state(eqx.nn.BatchNorm)(3, axis_name="batch")
    y, state = bn(x, state)
    return y


@case(
    "TypeError",
    "eqx.filter_grad(loss)(model=model, x=x)",
    ("positional|by position",),
    "equinox",
    (jnp.ones(3),),
)
def eqx_grad_model_by_keyword(x):
    model = eqx.nn.Linear(3, 1, key=jax.random.key(2))

    def loss(model, x):
        return jnp.sum(model(x) ** 2)

    return eqx.filter_grad(loss)(model=model, x=x)


# --- Optax ----------------------------------------------------------------------------------------
@case(
    "ValueError",
    "optax.apply_updates(params, updates)",
    ("updates, opt_state =",),
    "init-update-apply",
    PARAMS,
)
def adam_update_not_unpacked(params):
    optimizer = optax.adam(1e-3)
    opt_state = optimizer.init(params)
    grads = jax.tree.map(jnp.ones_like, params)
    updates = optimizer.update(grads, opt_state, params)
    return optax.apply_updates(params, updates)


@case(
    "ValueError",
    "optimizer.init(params)",
    ("optax.set_to_zero",),
    "per-param-transforms",
    PARAMS,
)
def label_without_transform(params):
    labels = {"w": "train", "b": "frozen"}
    optimizer = optax.multi_transform({"train": optax.adam(1e-3)}, labels)
    return optimizer.init(params)


# --- Flax NNX, Linen and Haiku --------------------------------------------------------------------
@case(
    "TraceContextError",
    "self.count.value += 1",
    ("argument",),
    "flax-nnx",
    V,
    via="call",
)
def nnx_module_closed_over_in_jit(x):
    class StepCounter(nnx.Module):
        def __init__(self):
            self.count = nnx.Variable(jnp.array(0))

        def __call__(self, v):
            self.count.value += 1
            return v

    counter = StepCounter()

    @nnx.jit
    def step(v):
        return counter(v)

    return step(x)


@case(
    "TypeError",
    "nnx.Optimizer(model, optax.adam(1e-3))",
    ("wrt=nnx.Param",),
    "train-state",
    (jnp.ones(3),),
)
def nnx_optimizer_without_wrt(x):
    model = nnx.Linear(3, 2, rngs=nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.adam(1e-3))
    return model(x), optimizer


@case(
    "CallCompactUnboundModuleError",
    "nn.Dense(4)(x)",
    ("init", "apply"),
    "flax-linen",
    (jnp.ones((2, 3)),),
)
def linen_dense_called_directly(x):
    return nn.Dense(4)(x)


@case(
    "ModifyScopeVariableError",
    "nn.BatchNorm(use_running_average=not train)(x)",
    ("mutable=",),
    "stateful-layers",
    (jnp.ones((4, 3)),),
)
def linen_batchnorm_stats_immutable(x):
    class Block(nn.Module):
        @nn.compact
        def __call__(self, x, train):
            return nn.BatchNorm(use_running_average=not train)(x)

    model = Block()
    variables = model.init(jax.random.key(0), x, train=False)
    return model.apply(variables, x, train=True)


@case(
    "AssignSubModuleError",
    "return nn.Dense(3)(x)",
    ("nn.compact|setup",),
    "flax-linen",
    (jnp.ones((4, 2)),),
)
def linen_submodule_without_compact(x):
    class Head(nn.Module):
        def __call__(self, x):
            return nn.Dense(3)(x)

    return Head().init(jax.random.key(0), x)


@case("ValueError", "hk.Linear(3)(x)", ("hk.transform",), "haiku", (jnp.ones((2, 4)),))
def haiku_module_outside_transform(x):
    return hk.Linear(3)(x)


# --- silent sharp bits ----------------------------------------------------------------------------
X = (jnp.arange(4.0),)
T = "trace-time-side-effects"
_LAST_BATCH = np.zeros(1)
_NORM = {"mean": jnp.full(4, 0.5), "std": jnp.full(4, 2.0)}
_TEMPERATURES = (1.0 / (k + 1) for k in itertools.count())


@sharp("print", 'print("chunk", c)', T, ROWS)
def print_in_lax_map(m):
    def chunk_sum(c):
        print("chunk", c)
        return c.sum()

    return lax.map(chunk_sum, m)


@sharp("side-effect", "_LAST_BATCH[0] = x.shape[0]", T, X)
def record_batch_size(x):
    _LAST_BATCH[0] = x.shape[0]
    return x * 2


@sharp("out-of-bounds", "lax.dynamic_update_slice(x, patch, (3,))", "out-of-bounds", X)
def paste_patch_near_end(x):
    patch = jnp.ones(2)
    return lax.dynamic_update_slice(x, patch, (3,))


@sharp("constant", '(x - _NORM["mean"]) / _NORM["std"]', "closed-over-constants", X)
def standardise_with_global_stats(x):
    return (x - _NORM["mean"]) / _NORM["std"]


@sharp("iterator", "next(_TEMPERATURES)", T, X)
def annealed_gradient(w):
    def loss(v):
        return jnp.sum(jnp.exp(v * next(_TEMPERATURES)))

    return jax.grad(loss)(w)


@sharp("unrolled", "for _ in range(40):", "loops-compile-time", ROWS)
def smooth_each_row(m):
    def smooth(r):
        for _ in range(40):
            r = 0.5 * (r + jnp.roll(r, 1))
        return r

    return jax.vmap(smooth)(m)
