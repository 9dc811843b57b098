"""A seventeenth batch, written blind from advanced transformations and APIs as real users write them (custom_jvp and custom_vjp, checkpointing, callbacks, structured control flow, vmap's axes and names, collectives, ahead-of-time lowering and export, shape structs, lax dtypes, pytrees, static and donated arguments, sizes that are traced): each expectation was checked against JAX itself, not the coach."""  # noqa: E501

import functools
import itertools

import jax
import jax.numpy as jnp
import numpy as np
import scipy.special
from jax import lax
from jax.experimental import io_callback

from . import case, sharp

T = "trace-time-side-effects"
PARAMS = {"w": jnp.array([[0.5, -0.2], [0.1, 0.3], [-0.4, 0.2]]), "b": jnp.zeros(2)}
X = jnp.array([[1.0, 0.0, 2.0], [0.5, -1.0, 0.0], [0.0, 1.5, -0.5], [2.0, 1.0, 1.0]])
Y = jnp.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
FIT = (PARAMS, X, Y)
V = jnp.array([0.3, -1.2, 2.5, 0.8])
KEY = jax.random.key(17)


def _fresh_params():
    return {"w": jnp.array([[0.5, -0.2], [0.1, 0.3], [-0.4, 0.2]]), "b": jnp.zeros(2)}


# --- custom_vjp: the fwd and bwd rules ------------------------------------------------------------
@case(
    "TypeError",
    'h = clip_gradient(x @ p["w"] + p["b"])',
    (", None|, ()|, (h,)",),
    "custom-vjp",
    FIT,
)
def gradient_clipping_layer_fwd_without_residuals(params, x, y):
    @jax.custom_vjp
    def clip_gradient(h):
        return h

    def clip_fwd(h):
        return clip_gradient(h)

    def clip_bwd(_, g):
        return (jnp.clip(g, -1.0, 1.0),)

    clip_gradient.defvjp(clip_fwd, clip_bwd)

    def loss(p):
        h = clip_gradient(x @ p["w"] + p["b"])
        return jnp.mean((jax.nn.sigmoid(h) - y) ** 2)

    return jax.grad(loss)(params)


@case(
    "TypeError",
    "return jax.grad(loss, argnums=(0, 1))(w, step)",
    (
        "(g, None)|, None)|zeros_like(s)|each argument|every argument|one per|per argument"
        "|each input|per input|each primal",
    ),
    "custom-vjp",
    (V, 0.5),
)
def straight_through_quantizer_missing_step_cotangent(w, step):
    @jax.custom_vjp
    def quantize(v, s):
        return jnp.round(v / s) * s

    def quantize_fwd(v, s):
        return quantize(v, s), None

    def quantize_bwd(_, g):
        return (g,)

    quantize.defvjp(quantize_fwd, quantize_bwd)

    def loss(v, s):
        return jnp.sum((quantize(v, s) - 1.0) ** 2)

    return jax.grad(loss, argnums=(0, 1))(w, step)


@case(
    "UnexpectedTracerError",
    "return jnp.sum(scaled_softmax(z, temperature) * labels)",
    ("nondiff_argnums",),
    "custom-vjp",
    (jnp.array([2.0, 0.5, -1.0]), jnp.array([0.0, 1.0, 0.0]), jnp.float32(0.7)),
)
def tempered_softmax_with_traced_nondiff_temperature(logits, labels, temperature):
    @functools.partial(jax.custom_vjp, nondiff_argnums=(1,))
    def scaled_softmax(z, t):
        return jax.nn.softmax(z / t)

    def fwd(z, t):
        p = scaled_softmax(z, t)
        return p, p

    def bwd(t, p, g):
        return ((p * (g - jnp.sum(g * p))) / t,)

    scaled_softmax.defvjp(fwd, bwd)

    def score(z):
        return jnp.sum(scaled_softmax(z, temperature) * labels)

    return jax.grad(score)(logits)


# --- custom_jvp rules -----------------------------------------------------------------------------
@case(
    "TypeError",
    "return jnp.sum(softplus(v))",
    ("softplus(z),|logaddexp(z, 0.0),|primal_out",),
    "custom-jvp",
    (V,),
)
def softplus_jvp_rule_returns_tangent_only(x):
    @jax.custom_jvp
    def softplus(z):
        return jnp.logaddexp(z, 0.0)

    @softplus.defjvp
    def softplus_jvp(primals, tangents):
        (z,), (dz,) = primals, tangents
        return jax.nn.sigmoid(z) * dz

    def total(v):
        return jnp.sum(softplus(v))

    return jax.grad(total)(x)


@case(
    "TypeError",
    "return logsumexp(v) - v[0]",
    ("jnp.sum|.sum(|jnp.dot|jnp.vdot|@ dz",),
    "custom-jvp",
    (jnp.array([1.0, 2.0, 0.5]),),
)
def stable_logsumexp_tangent_left_unreduced(x):
    @jax.custom_jvp
    def logsumexp(z):
        m = jnp.max(z)
        return m + jnp.log(jnp.sum(jnp.exp(z - m)))

    @logsumexp.defjvp
    def logsumexp_jvp(primals, tangents):
        (z,), (dz,) = primals, tangents
        return logsumexp(z), jax.nn.softmax(z) * dz

    def nll(v):
        return logsumexp(v) - v[0]

    return jax.grad(nll)(x)


@case(
    "TracerIntegerConversionError",
    "for k in range(n_terms):",
    ("nondiff_argnums",),
    "custom-jvp",
    (jnp.array([0.1, 0.2, 0.3]),),
)
def truncated_exp_series_with_custom_jvp(x):
    @jax.custom_jvp
    def exp_series(z, n_terms):
        acc, term = jnp.ones_like(z), jnp.ones_like(z)
        for k in range(n_terms):
            term = term * z / (k + 1)
            acc = acc + term
        return acc

    @exp_series.defjvp
    def exp_series_jvp(primals, tangents):
        z, n_terms = primals
        dz, _ = tangents
        y = exp_series(z, n_terms)
        return y, y * dz

    return jax.grad(lambda v: jnp.sum(exp_series(v, 8)))(x)


# --- rematerialisation ----------------------------------------------------------------------------
@case(
    "TypeError",
    "policy=jax.checkpoint_policies.dots_with_no_batch_dims_saveable(),",
    (
        "dots_with_no_batch_dims_saveable)|dots_with_no_batch_dims_saveable,|without parentheses"
        "|without calling|no parentheses|not call it|drop the ()|without the ()",
    ),
    "checkpoint",
    FIT,
)
def remat_mlp_block_with_policy_called(params, x, y):
    def block(p, h):
        return jax.nn.gelu(h @ p["w"] + p["b"])

    remat_block = jax.checkpoint(
        block,
        policy=jax.checkpoint_policies.dots_with_no_batch_dims_saveable(),
    )

    def loss(p):
        return jnp.mean((remat_block(p, x) - y) ** 2)

    return jax.grad(loss)(params)


# --- callbacks to the host ------------------------------------------------------------------------
@case(
    "ValueError",
    "jax.pure_callback(host_bessel, jax.ShapeDtypeStruct(r.shape, r.dtype), r)",
    ("custom_jvp|custom_vjp",),
    "pure-callback",
    (jnp.array([0.5, 1.0, 2.0]),),
)
def fit_yukawa_potential_through_scipy_bessel(radii):
    def host_bessel(r):
        return scipy.special.k0(r).astype(r.dtype)

    def potential(scale):
        r = scale * radii
        k0 = jax.pure_callback(host_bessel, jax.ShapeDtypeStruct(r.shape, r.dtype), r)
        return jnp.sum(k0)

    return jax.grad(potential)(1.0)


@case(
    "NotImplementedError",
    "return jax.pure_callback(host_erfcx, spec, v)",
    ("vmap_method",),
    "pure-callback",
    (jnp.array([[0.1, 0.5], [1.0, 2.0], [3.0, 0.2]]),),
)
def per_example_scaled_erfc_on_host(batch):
    def host_erfcx(v):
        return scipy.special.erfcx(v).astype(np.float32)

    def feature(v):
        spec = jax.ShapeDtypeStruct(v.shape, v.dtype)
        return jax.pure_callback(host_erfcx, spec, v)

    return jax.vmap(feature)(batch)


@case(
    "JaxRuntimeError",
    "return top_scores(scores)",
    ("(3,)|result_shape_dtypes",),
    "pure-callback",
    (jnp.array([0.2, 0.9, 0.1, 0.7, 0.4]),),
    via="call",
)
def host_top_k_with_input_sized_result(scores):
    def host_top3(s):
        return np.sort(np.asarray(s))[-3:]

    @jax.jit
    def top_scores(s):
        return jax.pure_callback(host_top3, jax.ShapeDtypeStruct(s.shape, s.dtype), s)

    return top_scores(scores)


@case(
    "ValueError",
    "io_callback(write_row, None, err, ordered=True)",
    ("ordered=False|debug.callback|outside the vmap|outside vmap|outside of vmap",),
    "io-callback",
    (X, Y),
)
def eval_logs_each_example_with_ordered_io_callback(batch_x, batch_y):
    written = []

    def write_row(err):
        written.append(float(err))

    def evaluate_one(x, y):
        err = jnp.sum((x[:2] - y) ** 2)
        io_callback(write_row, None, err, ordered=True)
        return err

    return jax.vmap(evaluate_one)(batch_x, batch_y)


@case("TypeError", "return x * scale", ("pure_callback|io_callback",), "pure-callback", (V, 3))
def running_scale_fetched_with_debug_callback(x, step):
    table = np.array([1.0, 0.5, 0.25, 0.125], dtype=np.float32)

    def host_scale(s):
        return table[int(s) % 4]

    scale = jax.debug.callback(host_scale, step)
    return x * scale


# --- structured control flow: operands, branches and carries -------------------------------------
@case("TypeError", "return lax.cond(", ("argmax",), "cond", (jnp.array([0.1, 0.7, 0.3, 0.2]), KEY))
def epsilon_greedy_action_with_max(q_values, key):
    k_explore, k_action = jax.random.split(key)
    explore = jax.random.uniform(k_explore) < 0.1
    return lax.cond(
        explore,
        lambda: jax.random.randint(k_action, (), 0, q_values.shape[0]),
        lambda: q_values.max(),
    )


@case(
    "TypeError",
    "x, _ = lax.while_loop(not_done, newton_step, (x0, jnp.inf))",
    ("jnp.max|.max()|jnp.linalg.norm|norm(",),
    "while-loop",
    (jnp.array([2.0, 3.0, 10.0]),),
)
def vector_newton_with_elementwise_error_carry(a):
    def not_done(state):
        _, err = state
        return err > 1e-6

    def newton_step(state):
        x, _ = state
        x_new = x - (x**3 - a) / (3.0 * x**2)
        return x_new, jnp.abs(x_new - x)

    x0 = jnp.ones_like(a)
    x, _ = lax.while_loop(not_done, newton_step, (x0, jnp.inf))
    return x


@case(
    "ValueError",
    "_, losses = lax.scan(step, h0, (tokens, targets))",
    ("[:-1]",),
    "scan",
    (jnp.array([3, 1, 4, 1, 5, 2]),),
)
def teacher_forced_rnn_over_shifted_targets(tokens):
    emb = jnp.linspace(-1.0, 1.0, 8 * 4).reshape(8, 4)
    w_h = 0.5 * jnp.eye(4)
    targets = tokens[1:]

    def step(h, inp):
        tok, tgt = inp
        h = jnp.tanh(emb[tok] + h @ w_h)
        logits = h @ emb.T
        return h, jax.nn.logsumexp(logits) - logits[tgt]

    h0 = jnp.zeros(4)
    _, losses = lax.scan(step, h0, (tokens, targets))
    return losses.mean()


@case(
    "TypeError",
    "return lax.fori_loop(0, 5, inner_step, params)",
    ("lax.scan(|, 0.0)|(params, 0.0)|loss in the carry|carry the loss",),
    "fori-loop",
    FIT,
)
def maml_inner_loop_returns_loss_too(params, x, y):
    def loss_fn(p):
        return jnp.mean((x @ p["w"] + p["b"] - y) ** 2)

    def inner_step(i, p):
        loss, g = jax.value_and_grad(loss_fn)(p)
        p = jax.tree.map(lambda a, b: a - 0.1 * b, p, g)
        return p, loss

    return lax.fori_loop(0, 5, inner_step, params)


# --- vmap: in_axes, out_axes and axis names -------------------------------------------------------
@case(
    "ValueError",
    "return jax.vmap(jax.grad(example_loss))(params, x, y)",
    ("in_axes=(None, 0, 0)|(None, 0, 0)",),
    "per-example-gradients",
    FIT,
)
def per_example_grads_map_the_params_too(params, x, y):
    def example_loss(p, xi, yi):
        return jnp.sum((xi @ p["w"] + p["b"] - yi) ** 2)

    return jax.vmap(jax.grad(example_loss))(params, x, y)


@case(
    "ValueError",
    "return jax.vmap(forward, out_axes=(0, None))(x)",
    ("out_axes=0|(0, 0)",),
    "out-axes",
    (X,),
)
def attention_entropy_declared_unbatched(x):
    def forward(xi):
        scores = jnp.outer(xi, xi)
        attn = jax.nn.softmax(scores, axis=-1)
        entropy = -jnp.sum(attn * jnp.log(attn + 1e-9))
        return attn @ xi, entropy

    return jax.vmap(forward, out_axes=(0, None))(x)


@case(
    "NameError",
    'mean = lax.pmean(h, "batch")',
    ("axis_name=\"batch\"|axis_name='batch'",),
    "vmap-axis-name",
    (X,),
)
def batch_norm_per_example_with_unnamed_vmap(x):
    def normalize(h):
        mean = lax.pmean(h, "batch")
        var = lax.pmean((h - mean) ** 2, "batch")
        return (h - mean) / jnp.sqrt(var + 1e-5)

    return jax.vmap(normalize)(x)


# --- ahead-of-time lowering and export ------------------------------------------------------------
@case(
    "TypeError",
    "return compiled(last_batch)",
    ("lower(|pad|jax.jit(predict)(",),
    "aot",
    (jnp.ones((8, 3)), jnp.ones((5, 3))),
    via="call",
)
def aot_compiled_for_full_batches_gets_remainder(full_batch, last_batch):
    def predict(xb):
        return jnp.tanh(xb @ jnp.array([[0.5, -0.2], [0.1, 0.3], [-0.4, 0.2]]))

    compiled = jax.jit(predict).lower(full_batch).compile()
    compiled(full_batch)
    return compiled(last_batch)


@case(
    "ValueError",
    "return exported.call(jnp.ones((4, 3)))",
    ("symbolic_shape|symbolic",),
    "export",
    (),
    via="call",
)
def exported_model_for_batch_eight_called_with_four():
    def model(xb):
        return jax.nn.relu(xb @ jnp.ones((3, 2)))

    spec = jax.ShapeDtypeStruct((8, 3), jnp.float32)
    exported = jax.export.export(jax.jit(model))(spec)
    return exported.call(jnp.ones((4, 3)))


# --- shape structs and eval_shape -----------------------------------------------------------------
@case("TypeError", "buffer = jnp.zeros(out)", (".shape",), "eval-shape", (X,))
def preallocate_output_from_eval_shape(x):
    def encoder(v):
        return jnp.tanh(v @ jnp.ones((3, 5)))

    out = jax.eval_shape(encoder, x)
    buffer = jnp.zeros(out)
    return buffer.at[:2].set(encoder(x[:2]))


# --- lax dtypes and dimension numbers -------------------------------------------------------------
@case(
    "TypeError",
    "return lax.add(emb, positions)",
    ("astype|convert_element_type|jnp.add",),
    "lax-vs-jnp",
    (jnp.ones((6, 4)),),
)
def add_integer_positions_with_lax(emb):
    positions = lax.broadcasted_iota(jnp.int32, emb.shape, 0)
    return lax.add(emb, positions)


@case(
    "TypeError",
    "scores = lax.dot_general(q, k, (((2,), (1,)), ((0,), (0,))))",
    ("((2,), (2,))|einsum",),
    "dot-general",
    (jnp.ones((2, 4, 8)), jnp.ones((2, 5, 8))),
)
def batched_attention_scores_contracting_wrong_key_axis(q, k):
    scores = lax.dot_general(q, k, (((2,), (1,)), ((0,), (0,))))
    return jax.nn.softmax(scores / jnp.sqrt(8.0), axis=-1)


# --- pytrees --------------------------------------------------------------------------------------
@case(
    "ValueError",
    "new_m = jax.tree.map(lambda m, g: 0.9 * m + g, momentum, grads)",
    ("tree.map(jnp.zeros_like|tree_map(jnp.zeros_like|tree_unflatten",),
    "multi-tree-ops",
    FIT,
)
def momentum_buffers_kept_as_a_list(params, x, y):
    momentum = [jnp.zeros_like(p) for p in jax.tree.leaves(params)]

    def loss_fn(p):
        return jnp.mean((x @ p["w"] + p["b"] - y) ** 2)

    grads = jax.grad(loss_fn)(params)
    new_m = jax.tree.map(lambda m, g: 0.9 * m + g, momentum, grads)
    return jax.tree.map(lambda p, m: p - 0.01 * m, params, new_m)


# --- static and donated arguments -----------------------------------------------------------------
@case(
    "ValueError",
    "return init(KEY, [3, 8, 2])",
    ("tuple|(3, 8, 2)",),
    "static-args",
    (),
    via="call",
)
def mlp_init_with_layer_sizes_list_static():
    def init_mlp(key, sizes):
        keys = jax.random.split(key, len(sizes) - 1)
        return [
            jax.random.normal(k, (m, n)) / jnp.sqrt(m)
            for k, m, n in zip(keys, sizes[:-1], sizes[1:], strict=True)
        ]

    init = jax.jit(init_mlp, static_argnums=1)
    return init(KEY, [3, 8, 2])


@case(
    "RuntimeError",
    "jnp.max(jnp.abs(new - old)), new_params, params",
    ("donate_argnums|before the call|copy",),
    "donation",
    lambda: (_fresh_params(), X, Y),
    via="call",
)
def donated_params_compared_after_the_step(params, x, y):
    def sgd_step(p, xb, yb):
        g = jax.grad(lambda q: jnp.mean((xb @ q["w"] + q["b"] - yb) ** 2))(p)
        return jax.tree.map(lambda a, b: a - 0.1 * b, p, g)

    step = jax.jit(sgd_step, donate_argnums=0)
    new_params = step(params, x, y)
    change = jax.tree.map(lambda new, old: jnp.max(jnp.abs(new - old)), new_params, params)
    return new_params, change


# --- sizes that are traced ------------------------------------------------------------------------
@case(
    "ConcretizationTypeError",
    "pos = jnp.arange(seq_len)[:, None]",
    ("static_argnums|static_argnames|.shape[0]",),
    "static-args",
    (jnp.ones((6, 4)), 6),
)
def sinusoidal_positions_for_traced_length(tokens_emb, seq_len):
    dim = tokens_emb.shape[-1]
    pos = jnp.arange(seq_len)[:, None]
    freqs = jnp.exp(-jnp.log(10000.0) * jnp.arange(0, dim, 2) / dim)
    angles = pos * freqs[None, :]
    pe = jnp.concatenate([jnp.sin(angles), jnp.cos(angles)], axis=-1)
    return tokens_emb + pe


# --- silent sharp bits ----------------------------------------------------------------------------
_CLASS_WEIGHTS = jnp.array([1.0, 3.0])
_KL_WEIGHTS = (min(1.0, 0.1 * k) for k in itertools.count(1))


@sharp("print", 'print("gelu tangent in", dz)', T, (V,))
def tanh_gelu_jvp_rule_prints_tangent(x):
    @jax.custom_jvp
    def gelu(z):
        return 0.5 * z * (1.0 + jnp.tanh(0.7978846 * (z + 0.044715 * z**3)))

    @gelu.defjvp
    def gelu_jvp(primals, tangents):
        (z,), (dz,) = primals, tangents
        print("gelu tangent in", dz)
        u = 0.7978846 * (z + 0.044715 * z**3)
        du = 0.7978846 * (1.0 + 3 * 0.044715 * z**2)
        slope = 0.5 * (1.0 + jnp.tanh(u)) + 0.5 * z * (1.0 - jnp.tanh(u) ** 2) * du
        return gelu(z), slope * dz

    return jax.grad(lambda v: jnp.sum(gelu(v)))(x)


@sharp("constant", "jnp.sum(_CLASS_WEIGHTS * per_class)", "closed-over-constants", FIT)
def weighted_loss_reads_global_class_weights(params, x, y):
    def loss_fn(p):
        logits = x @ p["w"] + p["b"]
        per_class = -jnp.mean(y * jax.nn.log_softmax(logits), axis=0)
        return jnp.sum(_CLASS_WEIGHTS * per_class)

    return jax.value_and_grad(loss_fn)(params)


@sharp("iterator", "beta = next(_KL_WEIGHTS)", T, (jnp.ones((5, 3)),))
def vae_steps_pull_kl_weight_from_generator(batches):
    def step(carry, xb):
        beta = next(_KL_WEIGHTS)
        recon = jnp.mean((xb - jnp.tanh(xb)) ** 2)
        kl = 0.5 * jnp.sum(xb**2)
        return carry + recon + beta * kl, beta * kl

    return lax.scan(jax.checkpoint(step), 0.0, batches)


@sharp(
    "unrolled", "for _ in range(50):", "loops-compile-time", (jnp.array([[0.1, 0.5], [0.9, 0.2]]),)
)
def sinkhorn_iterations_in_python_under_remat(cost):
    @jax.checkpoint
    def sinkhorn(c):
        k = jnp.exp(-c / 0.1)
        u = jnp.ones(c.shape[0])
        for _ in range(50):
            v = 1.0 / (k.T @ u)
            u = 1.0 / (k @ v)
        return u[:, None] * k * v[None, :]

    return jax.grad(lambda c: jnp.sum(sinkhorn(c) * c))(cost)


@sharp(
    "static",
    "tau * o + (1.0 - tau) * t",
    "retracing",
    (PARAMS, PARAMS),
    kwargs={"tau": 0.005},
    static_argnames=("tau",),
)
def soft_target_update_with_static_tau(online, target, tau):
    return jax.tree.map(lambda o, t: tau * o + (1.0 - tau) * t, online, target)
