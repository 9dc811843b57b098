"""A sixth batch, written blind: each expectation was checked against JAX itself, not the coach."""

import equinox as eqx
import flax.linen as nn
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

V = (jnp.array([0.75, -1.25, 2.0, -0.5]),)
ROWS = (jnp.arange(12.0).reshape(4, 3),)
PARAMS = ({"w": jnp.ones(3), "b": jnp.zeros(())},)


def _one_device_mesh():
    return Mesh(np.array(jax.devices()[:1]), ("data",))


# --- habits from NumPy and PyTorch, met by a tracer -----------------------------------------------
@case("TracerBoolConversionError", "any(jnp.isnan(x))", ("jnp.any",), "jax-numpy", V)
def zero_out_if_any_nan(x):
    has_nan = any(jnp.isnan(x))
    return jnp.where(has_nan, 0.0, x)


@case("AttributeError", "target.detach()", ("stop_gradient",), "stop-gradient", V)
def detach_target_torch_style(w):
    def loss(w):
        target = jnp.tanh(w)
        return jnp.sum((w - target.detach()) ** 2)

    return jax.grad(loss)(w)


@case("AttributeError", "loss.backward()", ("jax.grad",), "grad", V)
def backward_torch_style(w):
    loss = jnp.sum((w - 1.0) ** 2)
    loss.backward()
    return w


@case("TypeError", "x.size(0)", ("shape[0]",), "jax-numpy", ROWS)
def batch_size_torch_style(x):
    n = x.size(0)
    return x.sum(0) / n


# --- lax control flow -----------------------------------------------------------------------------
@case("TypeError", "lax.switch(kind, activations, x)", ("list|sequence",), "switch", (1, V[0]))
def activation_table_as_dict(kind, x):
    activations = {0: jax.nn.relu, 1: jnp.tanh, 2: jax.nn.gelu}
    return lax.switch(kind, activations, x)


@case(
    "TypeError",
    "lax.cond(a.sum() > b.sum(), keep, swap, (a, b))",
    ("a, b)|unpack",),
    "cond",
    (jnp.ones(3), jnp.zeros(3)),
)
def cond_pair_as_one_operand(a, b):
    def keep(a, b):
        return a, b

    def swap(a, b):
        return b, a

    return lax.cond(a.sum() > b.sum(), keep, swap, (a, b))


@case("TypeError", "w, v = state", ("(i, state)|(i, carry)",), "fori-loop", V)
def momentum_body_arguments_swapped(w):
    def body(state, i):
        w, v = state
        v = 0.9 * v + w
        return w - 0.1 * v, v

    return lax.fori_loop(0, 5, body, (w, jnp.zeros_like(w)))[0]


@case(
    "ValueError",
    "lax.scan(step, x0, rates)",
    ("jnp.array|jnp.asarray|jnp.stack",),
    "scan",
    (1.0,),
)
def decay_by_listed_rates(x0):
    rates = [0.9, 0.8, 0.7]

    def step(c, r):
        return c * r, c

    return lax.scan(step, x0, rates)


# --- autodiff -------------------------------------------------------------------------------------
@case(
    "TypeError",
    "w - 0.1 * grads",
    ("gw, gb|grads[0]|unpack",),
    "argnums",
    (jnp.ones(3), 0.5),
)
def step_with_both_grads(w, b):
    def loss(w, b):
        return jnp.sum((w * 2.0 + b) ** 2)

    grads = jax.grad(loss, argnums=(0, 1))(w, b)
    return w - 0.1 * grads, b


@case(
    "TypeError",
    "jax.grad(loss)(w=w, x=x)",
    ("positional",),
    "grad",
    (jnp.ones(3), jnp.full(3, 2.0)),
)
def grad_called_with_keywords(w, x):
    def loss(w, x):
        return jnp.sum((w * x) ** 2)

    return jax.grad(loss)(w=w, x=x)


@case(
    "ValueError",
    "loss, preds, grads = jax.value_and_grad",
    ("(loss, preds), grads|(loss, aux), grads",),
    "has-aux",
    V,
)
def value_and_grad_aux_flat_unpack(w):
    def loss_fn(w):
        preds = jnp.tanh(w)
        return jnp.mean(preds**2), preds

    loss, preds, grads = jax.value_and_grad(loss_fn, has_aux=True)(w)
    return w - 0.1 * grads


@case(
    "TypeError",
    "jax.grad(lambda v: jnp.sum(scaled(v, s)))(x)",
    ("None|nondiff_argnums",),
    "custom-vjp",
    (V[0], 2.0),
)
def custom_vjp_missing_cotangent(x, s):
    @jax.custom_vjp
    def scaled(x, scale):
        return x * scale

    def fwd(x, scale):
        return x * scale, scale

    def bwd(scale, g):
        return (g * scale,)

    scaled.defvjp(fwd, bwd)
    return jax.grad(lambda v: jnp.sum(scaled(v, s)))(x)


@case("TypeError", "jax.jacfwd(safe_norm)(x)", ("jacrev|custom_jvp",), "custom-vjp", V)
def jacfwd_of_custom_vjp(x):
    @jax.custom_vjp
    def safe_norm(x):
        return jnp.sqrt(jnp.sum(x**2) + 1e-12)

    def fwd(x):
        n = jnp.sqrt(jnp.sum(x**2) + 1e-12)
        return n, (x, n)

    safe_norm.defvjp(fwd, lambda res, g: (g * res[0] / res[1],))
    return jax.jacfwd(safe_norm)(x)


@case(
    "TypeError",
    "jax.grad(noisy_loss)(key, w)",
    ("argnums=1",),
    "argnums",
    (jax.random.key(3), jnp.ones(3)),
)
def grad_first_argument_is_key(key, w):
    def noisy_loss(key, w):
        noise = jax.random.normal(key, w.shape)
        return jnp.sum((w + 0.1 * noise) ** 2)

    return jax.grad(noisy_loss)(key, w)


@case("TypeError", "jax.jvp(f, (x,), (direction,))", ("float|astype",), "jvp", V)
def jvp_integer_direction(x):
    direction = jnp.array([1, 0, 0, 0])

    def f(v):
        return jnp.sum(jnp.sin(v))

    _, slope = jax.jvp(f, (x,), (direction,))
    return slope


@case(
    "TypeError",
    "jax.grad(lambda v: jnp.sum(softplus(v)))(x)",
    ("same shape|sigmoid(x) * t",),
    "custom-jvp",
    V,
)
def custom_jvp_tangent_summed(x):
    @jax.custom_jvp
    def softplus(x):
        return jnp.log1p(jnp.exp(x))

    @softplus.defjvp
    def softplus_jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        return softplus(x), jnp.sum(jax.nn.sigmoid(x) * t)

    return jax.grad(lambda v: jnp.sum(softplus(v)))(x)


@case(
    "TypeError",
    "jax.grad(lambda v: jnp.sum(block(v)))(x)",
    ("jax.checkpoint_policies",),
    "checkpoint",
    V,
)
def remat_policy_by_name(x):
    def layer(v):
        return jnp.tanh(v * 2.0)

    block = jax.checkpoint(layer, policy="dots_saveable")
    return jax.grad(lambda v: jnp.sum(block(v)))(x)


# --- vmap -----------------------------------------------------------------------------------------
@case(
    "ValueError",
    "jax.vmap(score, in_axes=(axes,))(batch)",
    ("\"y\": 0|'y': 0|in_axes=0|same keys",),
    "in-axes",
    ({"x": jnp.ones((4, 3)), "y": jnp.ones((4, 3))},),
)
def in_axes_dict_wrong_key(batch):
    def score(b):
        return jnp.sum(b["x"] * b["y"])

    axes = {"x": 0, "label": 0}
    return jax.vmap(score, in_axes=(axes,))(batch)


@case(
    "ValueError",
    "jax.vmap(weight)(temperatures)",
    ("jnp.array|jnp.asarray",),
    "vmap-basics",
    (2.0,),
)
def vmap_over_python_list(energy):
    temperatures = [0.5, 1.0, 2.0]

    def weight(t):
        return jnp.exp(-energy / t)

    return jax.vmap(weight)(temperatures)


@case("ValueError", "x / x.sum(axis=1)", ("axis=0|axis=-1",), "vmap-basics", ROWS)
def normalise_rows_with_batch_axis(xs):
    def normalise(x):
        return x / x.sum(axis=1)

    return jax.vmap(normalise)(xs)


@case(
    "ValueError",
    "jax.vmap(jax.grad(loss))(w, xs, ys)",
    ("in_axes=(None, 0, 0)",),
    "per-example-gradients",
    (jnp.ones(3), jnp.ones((5, 3)), jnp.ones(5)),
)
def per_example_grads_map_weights(w, xs, ys):
    def loss(w, x, y):
        return (jnp.dot(w, x) - y) ** 2

    return jax.vmap(jax.grad(loss))(w, xs, ys)


@case("NameError", 'lax.pmean(g, "batch")', ("shard_map",), "collectives", V)
def average_grads_without_mapped_axis(g):
    g = jnp.clip(g, -1.0, 1.0)
    return lax.pmean(g, "batch")


# --- pytrees --------------------------------------------------------------------------------------
@case(
    "ValueError",
    "jax.tree.map(lambda g, p: p - 0.01 * g, grads, params)",
    ("is_leaf|zeros_like",),
    "multi-tree-ops",
    PARAMS,
)
def frozen_bias_grad_is_none(params):
    grads = {"w": jnp.full(3, 0.5), "b": None}
    return jax.tree.map(lambda g, p: p - 0.01 * g, grads, params)


@case(
    "ValueError",
    "jax.tree.unflatten(treedef, trainable)",
    ("jax.tree.map",),
    "flatten-unflatten",
    PARAMS,
)
def unflatten_filtered_leaves(params):
    leaves, treedef = jax.tree.flatten(params)
    trainable = [leaf * 0.9 for leaf in leaves if leaf.ndim > 0]
    return jax.tree.unflatten(treedef, trainable)


@case("TypeError", "return Gaussian(*children)", ("aux_data, children",), "custom-nodes", V)
def unflatten_arguments_in_wrong_order(x):
    class Gaussian:
        def __init__(self, mean, log_std):
            self.mean, self.log_std = mean, log_std

    def unflatten(children, aux_data):
        return Gaussian(*children)

    jax.tree_util.register_pytree_node(Gaussian, lambda g: ((g.mean, g.log_std), None), unflatten)
    return jax.tree.map(lambda leaf: leaf + 1.0, Gaussian(x, x * 0.0)).mean


@case(
    "ValueError",
    "jnp.concatenate(jax.tree.leaves(params))",
    ("ravel_pytree",),
    "flatten-unflatten",
    PARAMS,
)
def params_as_flat_vector(params):
    flat = jnp.concatenate(jax.tree.leaves(params))
    return jnp.linalg.norm(flat)


# --- shapes, dtypes and lax -----------------------------------------------------------------------
@case("TypeError", "jnp.zeros(3, 4)", ("(3, 4)",), "array-creation", V)
def grid_with_two_size_arguments(x):
    grid = jnp.zeros(3, 4)
    return grid.at[0, 0].set(x.sum())


@case(
    "ValueError",
    "jnp.concatenate(a, b)",
    ("[a, b]|(a, b)",),
    "broadcasting-reshaping",
    (jnp.ones(3), jnp.zeros(2)),
)
def concatenate_without_list(a, b):
    return jnp.concatenate(a, b)


@case("TypeError", "jnp.reshape(x, 2, 3)", ("(2, 3)",), "broadcasting-reshaping", (jnp.ones(6),))
def reshape_sizes_as_separate_args(x):
    return jnp.reshape(x, 2, 3).sum(0)


@case(
    "TypeError",
    "lax.dynamic_slice(x, i, (2,))",
    ("(i,)",),
    "dynamic-slicing",
    (jnp.arange(6.0), 1),
)
def dynamic_slice_bare_start(x, i):
    return lax.dynamic_slice(x, i, (2,))


@case(
    "TypeError",
    "(x > 0) & weights",
    ("astype(bool)|> 0|logical_and",),
    "masking-where",
    (V[0], jnp.array([1.0, 0.0, 1.0, 1.0])),
)
def combine_mask_with_float_weights(x, weights):
    keep = (x > 0) & weights
    return jnp.where(keep, x, 0.0)


@case(
    "ValueError",
    "jax.scipy.linalg.cho_solve(chol, b)",
    ("cho_factor|(chol, True)",),
    "scipy-linalg",
    (jnp.eye(3) * 2.0, jnp.ones(3)),
)
def cho_solve_with_bare_factor(a, b):
    chol = jnp.linalg.cholesky(a)
    return jax.scipy.linalg.cho_solve(chol, b)


# --- random ---------------------------------------------------------------------------------------
@case(
    "KeyReuseError",
    "eps = jax.random.normal(key, (3,))",
    ("k_noise|subkey",),
    "key-reuse",
    lambda: (jax.random.key(7),),
    via="call",
    context=lambda: jax.debug_key_reuse(True),
)
def parent_key_used_after_split(key):
    k_init, k_noise = jax.random.split(key)
    w = jax.random.normal(k_init, (3,))
    eps = jax.random.normal(key, (3,))
    return w + 0.1 * eps


# --- jit stages, export and sharding --------------------------------------------------------------
@case("TypeError", "compiled(x, 3)", ("compiled(x)",), "aot", V, via="call")
def compiled_given_static_again(x):
    power = jax.jit(lambda v, n: v**n, static_argnums=1)
    compiled = power.lower(x, 3).compile()
    return compiled(x, 3)


@case(
    "ValueError",
    "exported.call(jnp.ones(8))",
    ("symbolic_shape",),
    "export",
    V,
    via="call",
)
def exported_for_one_length(x):
    exported = jax.export.export(jax.jit(jnp.cumsum))(x)
    return exported.call(jnp.ones(8))


@case(
    "ValueError",
    'static_argnames=("nsteps",)',
    ("n_steps",),
    "static-args",
    V,
    via="call",
)
def static_argnames_misspelt(x):
    def repeat(x, n_steps):
        for _ in range(n_steps):
            x = jnp.sin(x)
        return x

    return jax.jit(repeat, static_argnames=("nsteps",))(x, n_steps=3)


@case("ValueError", "return loss_step(x)", ("P()",), "partition-spec", V)
def scalar_loss_sharded_like_batch(x):
    mesh = _one_device_mesh()
    out = NamedSharding(mesh, P("data"))
    loss_step = jax.jit(lambda b: jnp.mean(b**2), out_shardings=out)
    return loss_step(x)


@case(
    "ValueError",
    "return scale(x, w)",
    ('P("data"), P()|one per',),
    "shard-map",
    (jnp.ones(4), jnp.full(4, 2.0)),
)
def shard_map_one_spec_for_two_args(x, w):
    mesh = _one_device_mesh()
    scale = jax.shard_map(lambda b, c: b * c, mesh=mesh, in_specs=(P("data"),), out_specs=P("data"))
    return scale(x, w)


@case(
    "AttributeError",
    'NamedSharding(mesh, "data")',
    ('P("data")|PartitionSpec',),
    "named-sharding",
    V,
)
def named_sharding_with_bare_name(x):
    mesh = _one_device_mesh()
    return jax.device_put(x, NamedSharding(mesh, "data"))


# --- optax ----------------------------------------------------------------------------------------
@case(
    "ValueError",
    "optax.apply_updates(params, updates)",
    ("updates, opt_state",),
    "init-update-apply",
    PARAMS,
)
def update_result_not_unpacked(params):
    tx = optax.sgd(0.1)
    opt_state = tx.init(params)
    grads = jax.tree.map(jnp.ones_like, params)
    updates = tx.update(grads, opt_state, params)
    return optax.apply_updates(params, updates)


@case(
    "ValueError",
    "opt_state = tx.init(params)",
    ("\"b\": False|'b': False|callable",),
    "per-param-transforms",
    PARAMS,
)
def weight_decay_mask_missing_key(params):
    decay = optax.add_decayed_weights(1e-4, mask={"w": True})
    tx = optax.chain(decay, optax.sgd(0.1))
    opt_state = tx.init(params)
    return opt_state


@case("ValueError", "tx.init(params)", ("set_to_zero",), "per-param-transforms", PARAMS)
def multi_transform_unknown_label(params):
    transforms = {"adam": optax.adam(1e-3), "sgd": optax.sgd(1e-2)}
    tx = optax.multi_transform(transforms, {"w": "adam", "b": "frozen"})
    return tx.init(params)


# --- Equinox --------------------------------------------------------------------------------------
@case(
    "TypeError",
    "optax.adam(1e-3).init(model)",
    ("eqx.filter|eqx.is_array",),
    "equinox",
    (jnp.ones(3),),
)
def optax_init_on_whole_eqx_model(x):
    model = eqx.nn.MLP(3, 1, width_size=8, depth=1, key=jax.random.key(0))
    opt_state = optax.adam(1e-3).init(model)
    return model(x), opt_state


@case("TypeError", "return model(xs)", ("jax.vmap",), "equinox", (jnp.ones((8, 3)),))
def eqx_linear_on_a_batch(xs):
    model = eqx.nn.Linear(3, 2, key=jax.random.key(0))
    return model(xs)


@case("TypeError", "Affine(4)", ("self.bias =",), "equinox", V)
def eqx_field_left_unset(x):
    class Affine(eqx.Module):
        weight: jax.Array
        bias: jax.Array

        def __init__(self, n):
            self.weight = jnp.ones(n)

    layer = Affine(4)
    return layer.weight * x


@case(
    "TypeError",
    'jax.vmap(bn, axis_name="batch")(x)',
    ("eqx.nn.State|make_with_state",),
    "stateful-layers",
    ROWS,
)
def eqx_batchnorm_without_state(x):
    bn = eqx.nn.BatchNorm(3, axis_name="batch")
    return jax.vmap(bn, axis_name="batch")(x)


# --- Flax NNX and Linen ---------------------------------------------------------------------------
@case(
    "TypeError",
    "nnx.Optimizer(model, optax.adam(1e-3))",
    ("wrt=nnx.Param",),
    "train-state",
    (jnp.ones((2, 3)),),
)
def nnx_optimizer_without_wrt(x):
    model = nnx.Linear(3, 2, rngs=nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.adam(1e-3))
    return model(x), optimizer


@case(
    "TypeError",
    "optimizer.update(grads)",
    ("update(model, grads)",),
    "train-state",
    (jnp.ones((2, 3)),),
)
def nnx_optimizer_update_grads_only(x):
    model = nnx.Linear(3, 2, rngs=nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.adam(1e-3), wrt=nnx.Param)
    grads = nnx.grad(lambda m: jnp.mean(m(x) ** 2))(model)
    optimizer.update(grads)
    return model(x)


@case("CallCompactUnboundModuleError", "nn.Dense(4)(x)", ("init", "apply"), "flax-linen", ROWS)
def linen_dense_called_directly(x):
    return nn.Dense(4)(x)


@case(
    "ApplyScopeInvalidVariablesTypeError",
    "model.apply(params, x)",
    ("{\"params\": params}|{'params': params}",),
    "flax-linen",
    ROWS,
)
def linen_apply_with_bare_params(x):
    model = nn.Dense(4)
    params = model.init(jax.random.key(0), x)["params"]
    return model.apply(params, x)


# --- checkify, debug printing, callbacks and Pallas -----------------------------------------------
@case("TypeError", 'checkify.check(v > 0, "inputs must be positive")', ("jnp.all",), "checkify", V)
def check_on_vector_predicate(x):
    def safe_log(v):
        checkify.check(v > 0, "inputs must be positive")
        return jnp.log(v)

    err, y = checkify.checkify(safe_log)(x)
    return y


@case("TypeError", "jax.debug.print(loss)", ("{}|{loss}",), "debug-print", V)
def debug_print_without_format(x):
    loss = jnp.sum(x**2)
    jax.debug.print(loss)
    return loss


@case(
    "ValueError",
    "io_callback(log_row, None, r, ordered=True)",
    ("ordered=False",),
    "io-callback",
    ROWS,
)
def ordered_io_callback_in_vmap(m):
    def log_row(row):
        print("row", row)

    def process(r):
        io_callback(log_row, None, r, ordered=True)
        return r * 2

    return jax.vmap(process)(m)


@case(
    "ValueError",
    "pl.pallas_call(kernel, out_shape=out)(x)",
    ("interpret=True",),
    "pallas",
    (jnp.ones(8),),
    via="call",
)
def pallas_on_cpu_without_interpret(x):
    def kernel(x_ref, o_ref):
        o_ref[...] = x_ref[...] * 2.0

    out = jax.ShapeDtypeStruct(x.shape, x.dtype)
    return pl.pallas_call(kernel, out_shape=out)(x)


# --- silent sharp bits ----------------------------------------------------------------------------
T = "trace-time-side-effects"
_WIDTHS = []
_CAUSAL = jnp.tril(jnp.ones((4, 4)))
_TEMPERATURES = iter([2.0**-k for k in range(32)])


@sharp("print", 'print("activations", h)', T, (jnp.ones(3),))
def print_inside_remat(x):
    @jax.checkpoint
    def block(v):
        h = jnp.tanh(v)
        print("activations", h)
        return h * 2

    return jax.grad(lambda v: jnp.sum(block(v)))(x)


@sharp("side-effect", "_WIDTHS.append(h.shape[-1])", T, ROWS)
def record_width_per_example(m):
    def embed(r):
        h = jnp.concatenate([r, r])
        _WIDTHS.append(h.shape[-1])
        return h

    return jax.vmap(embed)(m)


@sharp("out-of-bounds", "x.at[jnp.array([1, 8])].add(1.0)", "out-of-bounds", V)
def bump_two_positions(x):
    return x.at[jnp.array([1, 8])].add(1.0)


@sharp(
    "constant",
    "jnp.where(_CAUSAL > 0, scores, -jnp.inf)",
    "closed-over-constants",
    (jnp.ones((4, 4)),),
)
def causal_softmax(scores):
    masked = jnp.where(_CAUSAL > 0, scores, -jnp.inf)
    return jax.nn.softmax(masked, axis=-1)


@sharp("iterator", "next(_TEMPERATURES)", T, V)
def annealed_grad(w):
    def loss(w):
        return jnp.sum(jax.nn.softplus(w / next(_TEMPERATURES)))

    return jax.grad(loss)(w)


@sharp("unrolled", "for i in range(m.shape[0]):", "loops-compile-time", (jnp.ones((40, 2)),))
def rowwise_running_average(m):
    acc = jnp.zeros(2)
    for i in range(m.shape[0]):
        acc = 0.9 * acc + 0.1 * m[i]
    return acc
