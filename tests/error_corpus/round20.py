"""A twentieth batch, written blind from the JAX documentation's teaching pages (sharp bits, the errors reference, jit, control flow, vmap, pytrees, state, random numbers, sharding, advanced autodiff, type promotion, debugging): each expectation was checked against JAX itself, not the coach."""  # noqa: E501

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P

from . import case, sharp

T = "trace-time-side-effects"
FEATS = jnp.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0], [2.5, 0.5, -0.5], [1.0, 1.0, 1.0]])
LABELS = jnp.array([0, 2, 1, 2, 2, 0])
KEY = jax.random.key(20)
_VOCAB_VECTORS = np.linspace(-1.0, 1.0, 6 * 4, dtype=np.float32).reshape(6, 4)


class _ObsNormalizer:
    def __init__(self):
        self.count = 0


_OBS_NORM = _ObsNormalizer()


# --- the errors reference: values needed while tracing --------------------------------------------
@case(
    "ConcretizationTypeError",
    "mu = jnp.mean(batch, axis=axis, keepdims=True)",
    ("static_argnums|static_argnames",),
    "static-args",
    (FEATS, 0),
)
def standardize_features_along_given_axis(batch, axis):
    mu = jnp.mean(batch, axis=axis, keepdims=True)
    sd = jnp.std(batch, axis=axis, keepdims=True)
    return (batch - mu) / (sd + 1e-6)


@case(
    "ConcretizationTypeError",
    "counts = jnp.bincount(labels)",
    ("length=",),
    "tracer-errors",
    (LABELS,),
)
def inverse_frequency_class_weights(labels):
    counts = jnp.bincount(labels)
    weights = labels.shape[0] / (counts.shape[0] * jnp.maximum(counts, 1))
    return weights[labels]


@case(
    "TracerArrayConversionError",
    "vecs = _VOCAB_VECTORS[token_ids]",
    ("jnp.asarray(|jnp.array(|jnp.take(",),
    "jax-numpy",
    (jnp.array([3, 0, 5, 1]),),
)
def bag_of_words_from_numpy_embedding(token_ids):
    vecs = _VOCAB_VECTORS[token_ids]
    return vecs.mean(axis=0)


@case(
    "TracerBoolConversionError",
    "return max(0.0, 1.0 - label * score)",
    ("jnp.maximum|jax.nn.relu",),
    "python-control-flow",
    (jnp.array([0.5, -0.2, 1.0]), jnp.array([1.0, 0.0, 2.0]), 1.0),
)
def svm_hinge_loss_with_builtin_max(w, x, label):
    def hinge(score):
        return max(0.0, 1.0 - label * score)

    return hinge(jnp.dot(w, x)) + 0.01 * jnp.sum(w**2)


@case(
    "TracerBoolConversionError",
    "inside = 0.0 < p < box",
    ("&|logical_and",),
    "python-control-flow",
    (jnp.array([0.2, 1.4, 0.7, -0.1]), 1.0),
)
def count_particles_inside_box(positions, box):
    def in_box(p):
        inside = 0.0 < p < box
        return jnp.where(inside, 1, 0)

    return jnp.sum(jax.vmap(in_box)(positions))


@case(
    "TracerIntegerConversionError",
    "log_norm = math.log(math.factorial(k))",
    ("gammaln|lgamma|jax.scipy.special.factorial|jax.scipy.stats.poisson",),
    "jax-numpy",
    (jnp.float32(2.5), 3),
)
def poisson_log_likelihood_with_math_factorial(rate, k):
    log_norm = math.log(math.factorial(k))
    return k * jnp.log(rate) - rate - log_norm


@case(
    "UnexpectedTracerError",
    "return clipped(g)",
    (
        "return v / n, n|, raw_norm = lax.cond|, norm = lax.cond|both branches return"
        "|return the norm|return it from",
    ),
    "leaked-tracers",
    (jnp.array([3.0, 4.0, 0.0]),),
    via="call",
)
def clip_step_stashing_norm_from_cond_branch(g):
    debug = {}

    def rescale(v):
        debug["raw_norm"] = jnp.linalg.norm(v)
        return v / debug["raw_norm"]

    @jax.jit
    def clipped(v):
        direction = lax.cond(jnp.linalg.norm(v) > 1.0, rescale, lambda u: u, v)
        return direction, debug["raw_norm"]

    return clipped(g)


@case(
    "KeyReuseError",
    "keep = jax.random.bernoulli(key, 0.8, h.shape)",
    ("bernoulli(k_drop|(k_drop,",),
    "key-reuse",
    (FEATS, KEY),
    via="call",
    context=lambda: jax.debug_key_reuse(True),
)
def dropout_then_noise_with_parent_key(h, key):
    k_drop, k_noise = jax.random.split(key)
    keep = jax.random.bernoulli(key, 0.8, h.shape)
    h = jnp.where(keep, h / 0.8, 0.0)
    return h + 0.01 * jax.random.normal(k_noise, h.shape)


@case(
    "NonConcreteBooleanIndexError",
    "live = positions[alive]",
    ("jnp.where|size=",),
    "masking-where",
    (jnp.array([[0.0, 1.0], [2.0, 0.5], [1.0, 1.0]]), jnp.array([True, False, True])),
)
def centre_of_mass_of_live_particles(positions, alive):
    live = positions[alive]
    return live.mean(axis=0)


# --- pseudorandom numbers and vectorization -------------------------------------------------------
@case(
    "TypeError",
    "step_key = key + step",
    ("fold_in",),
    "fold-in",
    (KEY, 7),
)
def exploration_noise_keyed_by_step(key, step):
    step_key = key + step
    return 0.1 * jax.random.normal(step_key, (2,))


@case(
    "ValueError",
    "return jax.vmap(sample_init, in_axes=None)(key)",
    ("split(",),
    "keys-vmap-jit",
    (KEY,),
)
def ensemble_of_initial_weights(key):
    def sample_init(k):
        return jax.random.normal(k, (3, 2)) * 0.1

    return jax.vmap(sample_init, in_axes=None)(key)


@case(
    "ValueError",
    "return jax.vmap(readout, in_axes=1)(series, w_out)",
    ("(1, None)",),
    "in-axes",
    (jnp.ones((3, 5)), jnp.array([0.2, -0.1, 0.4])),
)
def readout_over_time_major_series(series, w_out):
    def readout(x_t, w):
        return jnp.tanh(jnp.dot(x_t, w))

    return jax.vmap(readout, in_axes=1)(series, w_out)


# --- control flow ---------------------------------------------------------------------------------
@case(
    "TypeError",
    "pos, vel = state",
    ("(i, state)|def kick_drift(i|index first|index comes first|counter first|(i, carry)",),
    "fori-loop",
    (jnp.array([1.0, 0.0]), jnp.array([0.0, 1.0])),
)
def leapfrog_with_loop_arguments_swapped(x0, v0):
    dt = 0.05

    def kick_drift(state, i):
        pos, vel = state
        vel = vel - 0.5 * dt * pos
        pos = pos + dt * vel
        return pos, vel - 0.5 * dt * pos

    return lax.fori_loop(0, 100, kick_drift, (x0, v0))


@case(
    "ValueError",
    "_, trajectory = lax.scan(decay, c0, None)",
    ("length=",),
    "scan",
    (jnp.array([1.0, 0.3]),),
)
def radioactive_decay_chain_rollout(c0):
    rates = jnp.array([0.2, 0.05])

    def decay(c, _):
        flow = rates * c
        c = c - flow + jnp.array([0.0, flow[0]])
        return c, c

    _, trajectory = lax.scan(decay, c0, None)
    return trajectory


# --- pytrees --------------------------------------------------------------------------------------
@case(
    "TypeError",
    'h = jnp.tanh(x @ params["w1"])',
    ("is_leaf",),
    "tree-map",
    (FEATS,),
)
def init_from_a_tree_of_shapes(x):
    shapes = {"w1": (3, 8), "w2": (8, 1)}
    params = jax.tree.map(lambda s: 0.1 * jnp.ones(s), shapes)
    h = jnp.tanh(x @ params["w1"])
    return h @ params["w2"]


@case(
    "TracerBoolConversionError",
    "if jnp.any(scale <= 0):",
    ("__new__|@classmethod|factory|validate(",),
    "custom-nodes",
    (jnp.array([0.5, 1.0, 1.5]),),
)
def diagonal_gaussian_node_checks_scale(x):
    class DiagGaussian:
        def __init__(self, loc, scale):
            if jnp.any(scale <= 0):
                raise ValueError("scale must be positive")
            self.loc, self.scale = loc, scale

    jax.tree_util.register_pytree_node(
        DiagGaussian,
        lambda d: ((d.loc, d.scale), None),
        lambda _, children: DiagGaussian(*children),
    )

    @jax.jit
    def log_prob(dist, v):
        z = (v - dist.loc) / dist.scale
        return jnp.sum(-0.5 * z**2 - jnp.log(dist.scale))

    prior = DiagGaussian(jnp.zeros(3), jnp.ones(3))
    return log_prob(prior, x)


@case(
    "ValueError",
    'jax.tree_util.register_dataclass(Dense, data_fields=["kernel", "bias"], meta_fields=[])',
    ('meta_fields=["activation"]|meta_fields=[\'activation\']|meta_fields=("activation"',),
    "dataclass-nodes",
    (FEATS,),
)
def dense_layer_dataclass_with_activation_name(x):
    @dataclasses.dataclass
    class Dense:
        kernel: jax.Array
        bias: jax.Array
        activation: str

    jax.tree_util.register_dataclass(Dense, data_fields=["kernel", "bias"], meta_fields=[])
    layer = Dense(jnp.ones((3, 2)), jnp.zeros(2), "tanh")
    return getattr(jnp, layer.activation)(x @ layer.kernel + layer.bias)


@case(
    "ValueError",
    "new_m = jax.tree.map(lambda m, g: 0.9 * m + g, momentum, grads)",
    ("is_leaf|zeros_like",),
    "multi-tree-ops",
    (FEATS,),
)
def momentum_with_none_for_the_frozen_embedding(x):
    params = {"embed": jnp.ones((3, 3)), "head": jnp.ones((3, 1))}
    momentum = {"embed": None, "head": jnp.zeros((3, 1))}
    grads = jax.grad(lambda p: jnp.mean((x @ p["embed"] @ p["head"]) ** 2))(params)
    new_m = jax.tree.map(lambda m, g: 0.9 * m + g, momentum, grads)
    return new_m


# --- distributed arrays on one device -------------------------------------------------------------
@case(
    "ValueError",
    'b = jax.device_put(bias, NamedSharding(mesh, P("data", None)))',
    ("P(\"data\")|P('data')|P(None)|P()",),
    "partition-spec",
    (jnp.ones((4, 3)), jnp.zeros(3)),
    via="call",
)
def place_bias_with_a_matrix_spec(batch, bias):
    mesh = jax.make_mesh((1,), ("data",))
    x = jax.device_put(batch, NamedSharding(mesh, P("data", None)))
    b = jax.device_put(bias, NamedSharding(mesh, P("data", None)))
    return x + b


# --- advanced autodiff ----------------------------------------------------------------------------
@case(
    "TypeError",
    "return jnp.tanh(clip_grad(v) * 2.0)",
    ("jacrev|custom_jvp",),
    "custom-vjp",
    (jnp.array([0.5, -1.0, 2.0]),),
)
def input_sensitivity_through_gradient_clip(x):
    @jax.custom_vjp
    def clip_grad(h):
        return h

    clip_grad.defvjp(lambda h: (h, None), lambda _, g: (jnp.clip(g, -1.0, 1.0),))

    def layer(v):
        return jnp.tanh(clip_grad(v) * 2.0)

    return jax.jacfwd(layer)(x)


@case(
    "TypeError",
    "_, dy = jax.jvp(pressure, (volume,), (direction,))",
    ("astype|1.0, 0.0|dtype=jnp.float32|dtype=volume.dtype|jnp.eye(",),
    "jvp",
    (jnp.array([1.0, 2.0, 4.0]),),
)
def pressure_change_along_first_cell(volume):
    def pressure(v):
        return 8.314 * 300.0 / v

    direction = jnp.array([1, 0, 0])
    _, dy = jax.jvp(pressure, (volume,), (direction,))
    return dy


@case(
    "ValueError",
    "return push(jnp.eye(3))",
    ("vmap",),
    "linearize",
    (jnp.array([0.1, 0.5, -0.3]),),
)
def full_jacobian_from_one_linearize_call(theta):
    def forces(q):
        return -jnp.sin(q) + 0.1 * jnp.roll(q, 1)

    _, push = jax.linearize(forces, theta)
    return push(jnp.eye(3))


@case(
    "TypeError",
    "return w - 0.05 * grads",
    ("[0]|,) = |, = pullback|,) =",),
    "vjp",
    (jnp.array([0.3, -0.2]), FEATS[:, :2], jnp.array([1.0, 0.0, 1.0, 0.5])),
)
def manual_sgd_step_from_vjp(w, x, y):
    def loss(v):
        return jnp.mean((x @ v - y) ** 2)

    _, pullback = jax.vjp(loss, w)
    grads = pullback(1.0)
    return w - 0.05 * grads


# --- type promotion -------------------------------------------------------------------------------
@case(
    "TypePromotionError",
    "return acts @ w_master",
    ("astype",),
    "type-promotion",
    (jnp.ones((4, 3), jnp.bfloat16), jnp.ones((3, 2), jnp.float32)),
    context=lambda: jax.numpy_dtype_promotion("strict"),
)
def bf16_activations_times_fp32_master_weights(acts, w_master):
    return acts @ w_master


# --- debugging ------------------------------------------------------------------------------------
@case(
    "FloatingPointError",
    "return counts / counts.sum()",
    ("jnp.maximum|jnp.where|1e-|epsilon|jnp.clip",),
    "debug-nans",
    (jnp.zeros(4),),
    via="call",
    context=lambda: jax.debug_nans(True),
)
def normalise_empty_vote_histogram(votes):
    def to_distribution(counts):
        return counts / counts.sum()

    return jax.jit(to_distribution)(votes)


@case(
    "IndexError",
    'jax.debug.print("epoch {} val loss {:.4f}", loss)',
    ("epoch, loss|epoch=epoch",),
    "debug-print",
    (jnp.array([0.2, 0.4]), 3),
)
def log_validation_loss_each_epoch(w, epoch):
    loss = jnp.sum((w - 0.5) ** 2)
    jax.debug.print("epoch {} val loss {:.4f}", loss)
    return loss


# --- silent sharp bits ----------------------------------------------------------------------------
@sharp("side-effect", "_OBS_NORM.count += 1", T, (FEATS,))
def normalise_observations_and_count(obs):
    _OBS_NORM.count += 1
    mu = obs.mean(axis=0)
    return (obs - mu) / (obs.std(axis=0) + 1e-6)


@sharp("print", 'print("example loss", err)', T, (FEATS, jnp.array([1.0, 0.0, 2.0, 1.0])))
def per_example_losses_printed(x, y):
    def example_loss(xi, yi):
        err = (jnp.sum(xi) - yi) ** 2
        print("example loss", err)
        return err

    return jax.vmap(example_loss)(x, y)


@sharp("unrolled", "for _ in range(200):", "loops-compile-time", (jnp.array([1.0, 0.0]),))
def verlet_orbit_in_python_loop(q):
    p = jnp.array([0.0, 1.0])
    dt = 0.01
    for _ in range(200):
        p = p - 0.5 * dt * q / jnp.linalg.norm(q) ** 3
        q = q + dt * p
        p = p - 0.5 * dt * q / jnp.linalg.norm(q) ** 3
    return q, p


@sharp(
    "static",
    "u + dt * k * lap",
    "retracing",
    (jnp.array([0.0, 1.0, 0.0, 0.0]), 0.001),
    static_argnums=(1,),
)
def heat_step_with_static_time_step(u, dt):
    k = 0.5
    lap = jnp.roll(u, 1) - 2.0 * u + jnp.roll(u, -1)
    return u + dt * k * lap


@sharp("out-of-bounds", "u = u.at[n].set(1.0)", "out-of-bounds", (jnp.zeros(5),))
def dirichlet_boundary_one_past_the_end(u):
    n = u.shape[0]
    u = u.at[0].set(0.0)
    u = u.at[n].set(1.0)
    return u
