"""An eighteenth batch, written blind from questions users asked on issue trackers (JAX, Flax, Equinox, Optax, Orbax, Haiku and projects built on them), each situation paraphrased into a small snippet of its own: each expectation was checked against JAX and the libraries themselves, not the coach."""  # noqa: E501

import functools
import tempfile

import equinox as eqx
import flax.linen as nn
import haiku as hk
import jax
import jax.numpy as jnp
import jax.scipy.optimize
import numpy as np
import optax
import orbax.checkpoint as ocp
from flax import nnx
from jax import lax

from . import case, sharp

T = "trace-time-side-effects"
_PULSE = jnp.asarray(np.random.default_rng(18).standard_normal(4096).astype(np.float32))


# --- lax.scan, lax.cond and lax.switch ------------------------------------------------------------
@case(
    "TypeError",
    "lax.scan(eval_batch, None, (xs, ys))",
    ("return None|None, loss|init=0|eval_batch, 0,|eval_batch, 0.0,",),
    "scan",
    (jnp.ones((4, 8, 3)), jnp.ones((4, 8))),
)
def eval_loss_per_batch_with_dummy_zero_carry(xs, ys):
    w = jnp.array([0.5, -0.2, 0.1])

    def eval_batch(_, batch):
        x, y = batch
        loss = jnp.mean((x @ w - y) ** 2)
        return 0, loss

    _, losses = lax.scan(eval_batch, None, (xs, ys))
    return losses


@case(
    "TypeError",
    'stats, _ = lax.scan(update, {"count": 0.0, "total": 0.0}, values)',
    ("\"max\":|'max':|max=",),
    "scan",
    (jnp.array([0.3, 1.2, -0.5, 0.8]),),
)
def running_stats_carry_gains_a_max_entry(values):
    def update(stats, v):
        stats = dict(stats)
        stats["count"] = stats["count"] + 1.0
        stats["total"] = stats["total"] + v
        stats["max"] = jnp.maximum(stats.get("max", -jnp.inf), v)
        return stats, None

    stats, _ = lax.scan(update, {"count": 0.0, "total": 0.0}, values)
    return stats["total"] / stats["count"], stats["max"]


@case(
    "TypeError",
    "return lax.cond(step % 100 == 0, with_metrics, without_metrics, None)",
    ("\"accuracy\":|'accuracy':|accuracy=|zeros_like|jnp.nan",),
    "cond",
    (100, jnp.ones((4, 3)), jnp.array([0, 1, 2, 0])),
)
def metrics_dict_only_on_logging_steps(step, logits, labels):
    def with_metrics(_):
        loss = optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
        accuracy = jnp.mean(jnp.argmax(logits, -1) == labels)
        return loss, {"accuracy": accuracy}

    def without_metrics(_):
        loss = optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
        return loss, {}

    return lax.cond(step % 100 == 0, with_metrics, without_metrics, None)


@case(
    "TypeError",
    "return lax.switch(choice, [flip, crop, brighten], img)",
    ("jnp.pad|jax.image.resize|resize|pad(",),
    "switch",
    (jnp.ones((8, 8)), 1),
)
def augmentation_switch_with_a_cropping_branch(img, choice):
    def flip(im):
        return im[:, ::-1]

    def crop(im):
        return im[2:-2, 2:-2]

    def brighten(im):
        return jnp.clip(im + 0.1, 0.0, 1.0)

    return lax.switch(choice, [flip, crop, brighten], img)


# --- lax, jax.numpy, jax.image, jax.scipy ---------------------------------------------------------
@case(
    "TypeError",
    "cache = lax.dynamic_update_slice(cache, k, (pos, 0, 0))",
    ("astype|convert_element_type",),
    "dynamic-slicing",
    (jnp.ones(8), 3),
)
def decoder_writes_key_into_float16_cache(x, pos):
    cache = jnp.zeros((16, 2, 4), dtype=jnp.float16)
    w_k = jnp.full((8, 8), 0.1)
    k = (x @ w_k).reshape(1, 2, 4)
    cache = lax.dynamic_update_slice(cache, k, (pos, 0, 0))
    return cache


@case(
    "TypeError",
    "cutoff = jnp.take_along_axis(ranked, mask_len[None, None], axis=-1)",
    ("astype|jnp.int32|convert_element_type",),
    "indexing",
    (jnp.array([[0.9, 0.2, 0.6, 0.4, 0.7, 0.1]]), 0.5),
)
def remask_least_confident_tokens(confidence, ratio):
    n_tokens = confidence.shape[-1]
    mask_len = jnp.floor(n_tokens * jnp.cos(jnp.pi / 2 * ratio))
    mask_len = jnp.clip(mask_len, 1, n_tokens - 1)
    ranked = jnp.sort(confidence, axis=-1)
    cutoff = jnp.take_along_axis(ranked, mask_len[None, None], axis=-1)
    return confidence < cutoff


@case(
    "TypeError",
    'return jax.image.resize(fmap, (h * scale, w * scale, c), method="bilinear")',
    ("int(|//|round(",),
    "broadcasting-reshaping",
    (jnp.ones((4, 6, 3)),),
)
def upsample_feature_map_by_one_and_a_half(fmap):
    h, w, c = fmap.shape
    scale = 1.5
    return jax.image.resize(fmap, (h * scale, w * scale, c), method="bilinear")


@case(
    "TypeError",
    'jax.scipy.optimize.minimize(loss, jnp.zeros(2), args=data, method="BFGS")',
    ("args=(data,)|(data,)|partial|lambda w",),
    "scipy-linalg",
    (jnp.array([[0.0, 1.0], [1.0, 3.1], [2.0, 4.9], [3.0, 7.2]]),),
)
def fit_line_passing_data_to_minimize_bare(data):
    def loss(w, xy):
        pred = w[0] * xy[:, 0] + w[1]
        return jnp.mean((pred - xy[:, 1]) ** 2)

    result = jax.scipy.optimize.minimize(loss, jnp.zeros(2), args=data, method="BFGS")
    return result.x


# --- random keys ----------------------------------------------------------------------------------
@case(
    "TypeError",
    "key = jax.random.PRNGKey(rng)",
    ("split(rng|already a key|already a prng key|already a random key|key = rng",),
    "random-key",
    (jax.random.PRNGKey(0),),
)
def init_mlp_wraps_its_key_in_prngkey_again(rng):
    key = jax.random.PRNGKey(rng)
    k1, k2 = jax.random.split(key)
    return {
        "w1": 0.1 * jax.random.normal(k1, (3, 16)),
        "w2": 0.1 * jax.random.normal(k2, (16, 1)),
    }


@case(
    "IndexError",
    "seed = key[0]",
    ("key_data|bernoulli(key|use the key|pass the key",),
    "key-impls",
    (jax.random.key(7), jnp.ones((2, 4, 4))),
)
def random_flip_reads_first_word_of_typed_key(key, images):
    seed = key[0]
    flip = jax.random.bernoulli(jax.random.PRNGKey(seed), 0.5, (images.shape[0],))
    return jnp.where(flip[:, None, None], images[:, :, ::-1], images)


# --- jit arguments, checkpointing (remat), debug printing -----------------------------------------
@case(
    "AttributeError",
    "logits = model.apply(params, batch)",
    ("static_argnums|static_argnames|partial|close over|closure",),
    "static-args",
    (jnp.ones((2, 4)),),
    via="call",
)
def linen_module_passed_as_jit_argument(x):
    model = nn.Dense(3)
    params = model.init(jax.random.key(0), x)

    @jax.jit
    def eval_step(model, params, batch):
        logits = model.apply(params, batch)
        return jnp.argmax(logits, -1)

    return eval_step(model, params, x)


@case(
    "TypeError",
    "return eval_step(batch)",
    ("pop(|del |drop|exclude|remove|filter",),
    "data-pipeline",
    (jnp.ones((2, 4, 4)), jnp.array([1, 3])),
    via="call",
)
def eval_batch_still_carries_string_ids(images, labels):
    batch = {"image": images, "label": labels, "id": np.array([b"test_00017", b"test_00342"])}

    @jax.jit
    def eval_step(batch):
        logits = batch["image"].reshape(2, -1) @ jnp.ones((16, 10))
        return jnp.mean(jnp.argmax(logits, -1) == batch["label"])

    return eval_step(batch)


@case(
    "ValueError",
    "return jax.grad(lambda v: jnp.sum(block(v, training=True)))(x)",
    ("block(v, True)|positional|positionally",),
    "checkpoint",
    (jnp.ones((2, 4)),),
)
def remat_block_given_static_flag_by_keyword(x):
    @functools.partial(jax.checkpoint, static_argnums=(1,))
    def block(h, training):
        h = jnp.tanh(h @ jnp.full((4, 4), 0.3))
        if training:
            h = h * 0.9
        return h

    return jax.grad(lambda v: jnp.sum(block(v, training=True)))(x)


@case(
    "ValueError",
    'jax.debug.print(f"loss {loss}", loss=loss)',
    ("(\"loss {loss}\"|('loss {loss}'|f prefix|f-prefix|drop the f|remove the f",),
    "debug-print",
    (jnp.ones(3), jnp.ones((4, 3)), jnp.zeros(4)),
)
def train_step_logs_loss_with_an_fstring(w, x, y):
    def loss_fn(w):
        return jnp.mean((x @ w - y) ** 2)

    loss, g = jax.value_and_grad(loss_fn)(w)
    jax.debug.print(f"loss {loss}", loss=loss)
    return w - 0.1 * g


# --- pmap -----------------------------------------------------------------------------------------
@case(
    "ValueError",
    "return jax.pmap(relax)(batch, 3)",
    ("static_broadcasted_argnums|partial|lambda",),
    "pmap",
    (jnp.ones((1, 8)),),
    via="call",
)
def pmap_relaxation_given_python_step_count(batch):
    def relax(x, n_inner):
        for _ in range(n_inner):
            x = x - 0.1 * jnp.tanh(x)
        return x

    return jax.pmap(relax)(batch, 3)


@case(
    "ValueError",
    "return jax.pmap(forward)(params, batch.reshape(n, -1, 3))",
    ("replicate|in_axes=(None|broadcast_to|jnp.stack|tile",),
    "data-parallel-step",
    (jnp.ones((4, 3)),),
    via="call",
)
def pmap_forward_with_unreplicated_params(batch):
    params = {"w": jnp.full((3, 2), 0.1), "b": jnp.zeros(2)}

    def forward(params, x):
        return jnp.tanh(x @ params["w"] + params["b"])

    n = jax.local_device_count()
    return jax.pmap(forward)(params, batch.reshape(n, -1, 3))


# --- Flax Linen and NNX ---------------------------------------------------------------------------
@case(
    "TracerBoolConversionError",
    "h = nn.BatchNorm(use_running_average=not train)(h)",
    ("static_argnums=(2,)|static_argnums=2",),
    "checkpoint",
    (jnp.ones((4, 3)),),
)
def linen_remat_static_flag_counted_without_self(x):
    class Block(nn.Module):
        @nn.compact
        def __call__(self, h, train):
            h = nn.Dense(8)(h)
            h = nn.BatchNorm(use_running_average=not train)(h)
            return nn.relu(h)

    remat_block = nn.remat(Block, static_argnums=(1,))
    variables = remat_block().init(jax.random.key(0), x, True)
    return variables["params"]


@case(
    "TraceContextError",
    "return jax.vmap(lambda x: predict(model, x))(xs)",
    ("nnx.vmap|predict(model, xs)",),
    "flax-nnx",
    (jnp.ones((5, 4)),),
)
def per_example_predictions_vmapping_an_nnx_jit(xs):
    model = nnx.Linear(4, 2, rngs=nnx.Rngs(0))

    @nnx.jit
    def predict(model, x):
        return model(x)

    return jax.vmap(lambda x: predict(model, x))(xs)


# --- Equinox --------------------------------------------------------------------------------------
@case(
    "TypeError",
    "updates, opt_state = optim.update(grads, opt_state, model)",
    ("eqx.filter(model, eqx.is_array)|eqx.is_array|is_inexact_array",),
    "equinox",
    (jnp.ones((6, 3)), jnp.zeros(6)),
)
def eqx_grad_accumulation_update_given_whole_model(x, y):
    model = eqx.nn.MLP(3, 1, 8, 2, key=jax.random.key(0))
    optim = optax.MultiSteps(optax.adam(1e-3), every_k_schedule=4)
    opt_state = optim.init(eqx.filter(model, eqx.is_array))

    def loss(m):
        pred = jax.vmap(m)(x)[:, 0]
        return jnp.mean((pred - y) ** 2)

    grads = eqx.filter_grad(loss)(model)
    updates, opt_state = optim.update(grads, opt_state, model)
    return eqx.apply_updates(model, updates)


@case(
    "ValueError",
    "h = self.embed(tokens)",
    ("vmap(self.embed)|.weight[",),
    "equinox",
    (jnp.array([3, 17, 42, 5]),),
)
def eqx_embedding_called_on_the_whole_sequence(tokens):
    class TinyLM(eqx.Module):
        embed: eqx.nn.Embedding
        head: eqx.nn.Linear

        def __init__(self, key):
            k1, k2 = jax.random.split(key)
            self.embed = eqx.nn.Embedding(64, 8, key=k1)
            self.head = eqx.nn.Linear(8, 64, key=k2)

        def __call__(self, tokens):
            h = self.embed(tokens)
            return jax.vmap(self.head)(h)

    return TinyLM(jax.random.key(0))(tokens)


@case(
    "ValueError",
    "return jax.vmap(mix)(x)",
    ("jax.vmap(jax.vmap|vmap(vmap|in_axes=1|swapaxes|transpose|moveaxis",),
    "nested-vmap",
    (jnp.ones((3, 16, 64)),),
)
def eqx_channel_mixing_vmapped_over_batch_only(x):
    mix = eqx.nn.Linear(16, 16, key=jax.random.key(1))
    return jax.vmap(mix)(x)


# --- Haiku ----------------------------------------------------------------------------------------
@case(
    "TypeError",
    "return hk.cond(jnp.mean(v) > 0, lambda u: u, lambda u: hk.Linear(v.shape[-1])(u), v)",
    ("running_init|jnp.where",),
    "haiku",
    (jnp.array([0.5, -1.0, 2.0]),),
)
def haiku_gate_creates_params_in_one_branch(x):
    def forward(v):
        return hk.cond(jnp.mean(v) > 0, lambda u: u, lambda u: hk.Linear(v.shape[-1])(u), v)

    net = hk.without_apply_rng(hk.transform(forward))
    params = net.init(jax.random.PRNGKey(0), x)
    return net.apply(params, x)


@case(
    "TypeError",
    "return jax.grad(loss_fn, argnums=(0, 1))(params, state)",
    ("argnums=0|has_aux",),
    "argnums",
    (jnp.ones((8, 3)),),
)
def haiku_grad_taken_through_batchnorm_state(x):
    def forward(v, is_training):
        h = hk.Linear(8)(v)
        h = hk.BatchNorm(True, True, decay_rate=0.9)(h, is_training=is_training)
        return hk.Linear(1)(jax.nn.relu(h))

    net = hk.without_apply_rng(hk.transform_with_state(forward))
    params, state = net.init(jax.random.PRNGKey(0), x, True)

    def loss_fn(params, state):
        out, state = net.apply(params, state, x, True)
        return jnp.mean(out**2)

    return jax.grad(loss_fn, argnums=(0, 1))(params, state)


# --- Optax and Orbax ------------------------------------------------------------------------------
@case(
    "AttributeError",
    'return opt_state.hyperparams["learning_rate"]',
    ("opt_state[1]|[1].hyperparams|state[1]",),
    "chain-clip",
    ({"w": jnp.ones(3), "b": jnp.zeros(())},),
)
def read_scheduled_lr_from_a_chained_state(params):
    schedule = optax.warmup_cosine_decay_schedule(0.0, 1e-3, warmup_steps=10, decay_steps=100)
    tx = optax.chain(
        optax.clip_by_global_norm(1.0),
        optax.inject_hyperparams(optax.adamw)(learning_rate=schedule),
    )
    opt_state = tx.init(params)
    return opt_state.hyperparams["learning_rate"]


@case(
    "ValueError",
    "manager.save(100, state)",
    ("StandardSave|PyTreeSave|ocp.args",),
    "checkpointing",
    (jnp.ones(3),),
    via="call",
)
def orbax_manager_saved_with_legacy_positional_items(w):
    directory = tempfile.mkdtemp()
    manager = ocp.CheckpointManager(directory)
    state = {"params": {"w": w}, "opt_state": {"mu": jnp.zeros_like(w)}}
    manager.save(100, state)
    manager.wait_until_finished()
    return manager.latest_step()


@case(
    "StepAlreadyExistsError",
    'manager.save(100, args=ocp.args.StandardSave({"w": w}), force=True)',
    ("delete(|all_steps|latest_step|step + 1|new step|different step|another step",),
    "checkpointing",
    (jnp.ones(3),),
    via="call",
)
def orbax_final_weights_resaved_under_a_saved_step(w):
    directory = tempfile.mkdtemp()
    manager = ocp.CheckpointManager(directory)
    for step in (90, 100):
        manager.save(step, args=ocp.args.StandardSave({"w": w * step}))
    manager.wait_until_finished()
    manager.save(100, args=ocp.args.StandardSave({"w": w}), force=True)
    manager.wait_until_finished()
    return manager.all_steps()


# --- silent sharp bits ----------------------------------------------------------------------------
@sharp(
    "print", 'print("posterior sample", sample)', T, (jax.random.key(3), jnp.zeros(2), jnp.zeros(2))
)
def elbo_prints_each_posterior_sample(key, mean, log_std):
    def log_joint(z):
        return -0.5 * jnp.sum((z - 1.0) ** 2)

    def elbo(k):
        sample = mean + jnp.exp(log_std) * jax.random.normal(k, mean.shape)
        print("posterior sample", sample)
        log_q = jnp.sum(-log_std - 0.5 * ((sample - mean) / jnp.exp(log_std)) ** 2)
        return log_joint(sample) - log_q

    keys = jax.random.split(key, 16)
    return jnp.mean(jax.vmap(elbo)(keys))


@sharp("constant", "jnp.conj(jnp.fft.fft(_PULSE))", "closed-over-constants", (jnp.ones(4096),))
def matched_filter_against_a_global_pulse(signal):
    spectrum = jnp.fft.fft(signal) * jnp.conj(jnp.fft.fft(_PULSE))
    return jnp.abs(jnp.fft.ifft(spectrum))


@sharp("unrolled", "for _ in range(64):", "loops-compile-time", (jax.random.key(1), jnp.eye(2)))
def random_gate_mixing_unrolled_over_steps(key, r):
    ra, rb = r[0], r[1]
    for _ in range(64):
        key, sub = jax.random.split(key)
        gate = jax.random.uniform(sub, ra.shape)
        ra, rb = (
            0.5 * (ra + gate * ra + (1 - gate) * rb),
            0.5 * (rb + gate * ra + (1 - gate) * rb),
        )
    return ra


@sharp(
    "static",
    "return jnp.mean(losses[:n_valid])",
    "retracing",
    (jnp.arange(8.0),),
    kwargs={"n_valid": 5},
    static_argnames=("n_valid",),
)
def mean_loss_over_the_valid_rows_of_a_padded_batch(losses, n_valid):
    return jnp.mean(losses[:n_valid])
