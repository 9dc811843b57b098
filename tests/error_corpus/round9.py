"""A ninth batch, written blind from the Flax, Optax, Equinox, Haiku and Orbax docs and training-loop questions: each expectation was checked against JAX itself, not the coach."""  # noqa: E501

import equinox as eqx
import flax.linen as nn
import haiku as hk
import jax
import jax.numpy as jnp
import optax
import orbax.checkpoint as ocp
from flax import nnx
from jax import lax

from . import case, sharp

ROWS = (jnp.ones((2, 3)),)
PARAMS = {"w": jnp.full((3, 2), 0.5), "b": jnp.zeros(2)}
BATCH = jnp.linspace(-1.0, 1.0, 12).reshape(4, 3)
LOGITS = jnp.array([[2.0, 0.5, -1.0], [0.1, 1.5, 0.3], [-0.4, 0.2, 2.2], [1.0, 1.0, 0.0]])
LABELS = jnp.array([0, 1, 2, 0])


def _params_and_batch():
    return (PARAMS, BATCH)


# --- Flax NNX -------------------------------------------------------------------------------------
@case("TypeError", "return layer(x)", ("in_features|nnx.Linear(3",), "flax-nnx", ROWS)
def nnx_linear_sized_for_other_features(x):
    layer = nnx.Linear(4, 2, rngs=nnx.Rngs(0))
    return layer(x)


@case(
    "TypeError",
    "jax.random.normal(self.rngs, x.shape)",
    ("rngs()|.params()|.default()|.noise()|.dropout()",),
    "flax-nnx",
    ROWS,
)
def nnx_rngs_object_used_as_key(x):
    class NoisyLinear(nnx.Module):
        def __init__(self, rngs):
            self.linear = nnx.Linear(3, 2, rngs=rngs)
            self.rngs = rngs

        def __call__(self, x):
            noise = jax.random.normal(self.rngs, x.shape)
            return self.linear(x + 0.1 * noise)

    return NoisyLinear(nnx.Rngs(0))(x)


@case("ValueError", "self.layers = [", ("nnx.List|nnx.data",), "flax-nnx", ROWS)
def nnx_layers_kept_in_plain_list(x):
    class Stack(nnx.Module):
        def __init__(self, rngs):
            self.layers = [nnx.Linear(3, 3, rngs=rngs), nnx.Linear(3, 2, rngs=rngs)]

        def __call__(self, x):
            for layer in self.layers:
                x = jax.nn.relu(layer(x))
            return x

    return Stack(nnx.Rngs(0))(x)


@case(
    "TypeError",
    "loss, grads = nnx.value_and_grad(loss_fn)(model)",
    ("has_aux=True",),
    "has-aux",
    (BATCH,),
)
def nnx_loss_returns_logits_too(x):
    model = nnx.Linear(3, 2, rngs=nnx.Rngs(0))

    def loss_fn(m):
        logits = m(x)
        return jnp.mean(logits**2), logits

    loss, grads = nnx.value_and_grad(loss_fn)(model)
    return loss


@case(
    "ValueError",
    "return emb(tokens)",
    ("astype|int32",),
    "flax-nnx",
    (jnp.array([1.0, 4.0, 2.0]),),
)
def nnx_embed_float_token_ids(tokens):
    emb = nnx.Embed(num_embeddings=10, features=4, rngs=nnx.Rngs(0))
    return emb(tokens)


@case("TypeError", "return layer(x)", ("he_normal()",), "flax-nnx", ROWS)
def nnx_initializer_factory_not_called(x):
    init = nnx.initializers.he_normal
    layer = nnx.Linear(3, 2, kernel_init=init, rngs=nnx.Rngs(0))
    return layer(x)


@case("TypeError", "nnx.merge(graphdef)", ("merge(graphdef, state)",), "flax-nnx", ROWS)
def nnx_merge_without_state(x):
    model = nnx.Linear(3, 2, rngs=nnx.Rngs(0))
    graphdef, state = nnx.split(model)
    restored = nnx.merge(graphdef)
    return restored(x)


@case(
    "ValueError",
    "return conv(images)",
    ("NHWC|transpose|channels-last|channels last|moveaxis|(0, 2, 3, 1)",),
    "flax-nnx",
    (jnp.ones((2, 3, 8, 8)),),
)
def nnx_conv_on_channels_first_images(images):
    conv = nnx.Conv(in_features=3, out_features=8, kernel_size=(3, 3), rngs=nnx.Rngs(0))
    return conv(images)


@case(
    "TracerBoolConversionError",
    "drop(h, deterministic=not train)",
    ("static_argnums|static_argnames|.eval()|.train()",),
    "stateful-layers",
    (ROWS[0], True),
)
def nnx_dropout_switched_by_traced_flag(x, train):
    drop = nnx.Dropout(0.5, rngs=nnx.Rngs(0))
    h = jnp.tanh(x)
    return drop(h, deterministic=not train)


# --- Flax Linen -----------------------------------------------------------------------------------
@case("InvalidRngError", "return model.init(x)", ("jax.random.key|PRNGKey",), "flax-linen", ROWS)
def linen_init_given_only_the_input(x):
    model = nn.Dense(4)
    return model.init(x)


@case(
    "InvalidRngError",
    "nn.Dropout(0.5, deterministic=not train)(h)",
    ("rngs=", "dropout"),
    "stateful-layers",
    ROWS,
)
def linen_dropout_applied_without_its_rng(x):
    class Block(nn.Module):
        @nn.compact
        def __call__(self, x, train):
            h = nn.relu(nn.Dense(4)(x))
            return nn.Dropout(0.5, deterministic=not train)(h)

    model = Block()
    variables = model.init(jax.random.key(0), x, train=False)
    return model.apply(variables, x, train=True)


@case("ValueError", "nn.BatchNorm()(h)", ("use_running_average",), "stateful-layers", ROWS)
def linen_batchnorm_mode_never_set(x):
    class Block(nn.Module):
        @nn.compact
        def __call__(self, x):
            h = nn.Dense(4)(x)
            return nn.BatchNorm()(h)

    return Block().init(jax.random.key(0), x)


@case(
    "SetAttributeFrozenModuleError",
    "self.hidden = nn.tanh(nn.Dense(4)(x))",
    ("sow|local",),
    "flax-linen",
    ROWS,
)
def linen_activation_stored_on_self(x):
    class Probe(nn.Module):
        @nn.compact
        def __call__(self, x):
            self.hidden = nn.tanh(nn.Dense(4)(x))
            return nn.Dense(1)(self.hidden)

    return Probe().init(jax.random.key(0), x)


@case(
    "TypeError",
    'self.param("scale", jnp.ones((3,)))',
    ("nn.initializers|jax.nn.initializers|initializers.ones|init function|lambda",),
    "flax-linen",
    ROWS,
)
def linen_param_given_an_array(x):
    class Scale(nn.Module):
        @nn.compact
        def __call__(self, x):
            scale = self.param("scale", jnp.ones((3,)))
            return x * scale

    return Scale().init(jax.random.key(0), x)


@case(
    "ScopeParamShapeError",
    "return model.apply(variables, x)",
    ("init(|initialis|initializ|same shape|same width|same feature|same number of feature",),
    "flax-linen",
    (jnp.ones((2, 5)),),
)
def linen_apply_on_wider_input_than_init(x):
    model = nn.Dense(4)
    variables = model.init(jax.random.key(0), jnp.ones((1, 3)))
    return model.apply(variables, x)


@case(
    "TracerBoolConversionError",
    "nn.Dropout(0.2, deterministic=not train)(x)",
    ("static_argnums|static_argnames",),
    "static-args",
    (ROWS[0], True),
)
def linen_train_flag_passed_traced(x, train):
    class Head(nn.Module):
        @nn.compact
        def __call__(self, x, train):
            return nn.Dropout(0.2, deterministic=not train)(x)

    rngs = {"dropout": jax.random.key(1)}
    return Head().apply({}, x, train=train, rngs=rngs)


# --- Haiku ----------------------------------------------------------------------------------------
@case(
    "ValueError",
    "return f.apply(params, x)",
    ("without_apply_rng|apply(params, None",),
    "haiku",
    ROWS,
)
def haiku_apply_without_rng_slot(x):
    f = hk.transform(lambda v: hk.Linear(2)(v))
    params = f.init(jax.random.key(0), x)
    return f.apply(params, x)


@case(
    "NonEmptyStateError",
    "return f.init(jax.random.key(0), x)",
    ("transform_with_state",),
    "haiku",
    ROWS,
)
def haiku_batchnorm_under_plain_transform(x):
    def forward(v):
        return hk.BatchNorm(True, True, 0.9)(v, is_training=True)

    f = hk.transform(forward)
    return f.init(jax.random.key(0), x)


@case(
    "MissingRNGError",
    "hk.dropout(hk.next_rng_key(), 0.5, h)",
    ("jax.random.key|PRNGKey",),
    "haiku",
    ROWS,
)
def haiku_dropout_applied_with_none_rng(x):
    def forward(v):
        h = hk.Linear(4)(v)
        return hk.dropout(hk.next_rng_key(), 0.5, h)

    f = hk.transform(forward)
    params = f.init(jax.random.key(0), x)
    return f.apply(params, None, x)


@case(
    "TypeError",
    "return f.apply(params, jax.random.key(1), x)",
    ("apply(params, x)",),
    "haiku",
    ROWS,
)
def haiku_rng_passed_after_without_apply_rng(x):
    f = hk.without_apply_rng(hk.transform(lambda v: hk.Linear(2)(v)))
    params = f.init(jax.random.key(0), x)
    return f.apply(params, jax.random.key(1), x)


# --- Equinox --------------------------------------------------------------------------------------
@case(
    "ValueError",
    "return conv(img)",
    ("transpose|channels first|channels-first|moveaxis|(2, 0, 1)",),
    "equinox",
    (jnp.ones((8, 8, 1)),),
)
def eqx_conv_on_channels_last_image(img):
    conv = eqx.nn.Conv2d(1, 4, kernel_size=3, key=jax.random.key(0))
    return conv(img)


@case("RuntimeError", "return drop(h)", ("key=|inference=True",), "stateful-layers", (jnp.ones(3),))
def eqx_dropout_called_without_key(x):
    drop = eqx.nn.Dropout(0.5)
    h = jnp.tanh(x)
    return drop(h)


@case(
    "TypeError",
    "return jax.grad(loss)(model)",
    ("eqx.filter_grad|eqx.filter_value_and_grad",),
    "equinox",
    (jnp.ones(3),),
)
def eqx_mlp_through_plain_jax_grad(x):
    model = eqx.nn.MLP(3, 1, width_size=4, depth=1, key=jax.random.key(0))

    def loss(m):
        return jnp.sum(m(x) ** 2)

    return jax.grad(loss)(model)


@case("ValueError", "return norm(xs)", ("jax.vmap",), "equinox", (BATCH,))
def eqx_layernorm_on_a_whole_batch(xs):
    norm = eqx.nn.LayerNorm(3)
    return norm(xs)


@case("TypeError", "return model(x)", ("eqx.nn.Lambda",), "equinox", (jnp.ones(3),))
def eqx_sequential_with_bare_relu(x):
    k1, k2 = jax.random.split(jax.random.key(0))
    model = eqx.nn.Sequential(
        [eqx.nn.Linear(3, 4, key=k1), jax.nn.relu, eqx.nn.Linear(4, 1, key=k2)]
    )
    return model(x)


@case(
    "TypeError",
    "eqx.nn.MLP(3, 1, width_size=4, depth=1)",
    ("key=",),
    "equinox",
    (jnp.ones(3),),
)
def eqx_mlp_built_without_key(x):
    model = eqx.nn.MLP(3, 1, width_size=4, depth=1)
    return model(x)


# --- Optax ----------------------------------------------------------------------------------------
@case(
    "TypeError",
    "optax.softmax_cross_entropy_with_integer_labels(logits, targets)",
    ("softmax_cross_entropy(|argmax|(logits, labels)",),
    "losses",
    (LOGITS, LABELS),
)
def optax_integer_label_loss_given_one_hot(logits, labels):
    targets = jax.nn.one_hot(labels, 3)
    return optax.softmax_cross_entropy_with_integer_labels(logits, targets).mean()


@case(
    "ValueError",
    "optax.softmax_cross_entropy_with_integer_labels(logits, labels)",
    ("squeeze|ravel|reshape(-1)|[:, 0]|flatten",),
    "losses",
    (LOGITS, LABELS[:, None]),
)
def optax_integer_labels_in_a_column(logits, labels):
    return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()


@case(
    "TypeError",
    "updates, opt_state = tx.update(grads, opt_state, params)",
    ("value=",),
    "schedules",
    (PARAMS,),
)
def optax_reduce_on_plateau_without_value(params):
    tx = optax.chain(optax.adam(1e-2), optax.contrib.reduce_on_plateau(patience=5))
    opt_state = tx.init(params)
    grads = jax.tree.map(jnp.ones_like, params)
    updates, opt_state = tx.update(grads, opt_state, params)
    return optax.apply_updates(params, updates)


@case(
    "TypeError",
    "updates, opt_state = solver.update(grads, opt_state, params)",
    ("value_fn",),
    "optimizers",
    _params_and_batch,
)
def optax_lbfgs_updated_like_adam(params, x):
    def loss(p):
        return jnp.mean((x @ p["w"] + p["b"]) ** 2)

    solver = optax.lbfgs()
    opt_state = solver.init(params)
    grads = jax.grad(loss)(params)
    updates, opt_state = solver.update(grads, opt_state, params)
    return optax.apply_updates(params, updates)


@case(
    "TypeError",
    "optax.inject_hyperparams(optax.adam(1e-3))",
    ("inject_hyperparams(optax.adam)",),
    "schedules",
    (PARAMS,),
)
def optax_inject_hyperparams_given_an_instance(params):
    tx = optax.inject_hyperparams(optax.adam(1e-3))
    return tx.init(params)


@case(
    "TypeError",
    "optax.MultiSteps(optax.adam(1e-3))",
    ("every_k_schedule",),
    "grad-accumulation",
    (PARAMS,),
)
def optax_multisteps_without_step_count(params):
    tx = optax.MultiSteps(optax.adam(1e-3))
    return tx.init(params)


@case(
    "AttributeError",
    "updates, opt_state = optimizer.update(grads, opt_state, params)",
    ("optimizer.init|.init(params)|same optimi",),
    "init-update-apply",
    (PARAMS,),
)
def optax_state_from_another_optimizer(params):
    optimizer = optax.adam(1e-3)
    opt_state = optax.sgd(0.1).init(params)
    grads = jax.tree.map(jnp.ones_like, params)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return optax.apply_updates(params, updates)


@case(
    "AttributeError",
    "first_moment = opt_state.mu",
    ("[0]|tree_get",),
    "init-update-apply",
    (PARAMS,),
)
def optax_adam_state_read_as_attribute(params):
    opt_state = optax.adam(1e-3).init(params)
    first_moment = opt_state.mu
    return jax.tree.map(jnp.linalg.norm, first_moment)


@case(
    "AttributeError",
    "updates, opt_state = tx.update(grads, opt_state, params)",
    ("LookaheadParams",),
    "optimizers",
    (PARAMS,),
)
def optax_lookahead_on_plain_params(params):
    tx = optax.lookahead(optax.adam(1e-3), sync_period=5, slow_step_size=0.5)
    opt_state = tx.init(params)
    grads = jax.tree.map(jnp.ones_like, params)
    updates, opt_state = tx.update(grads, opt_state, params)
    return optax.apply_updates(params, updates)


@case(
    "ValueError",
    "return optax.apply_updates(params, updates)",
    ("argnums|grads[0]|, _ =",),
    "argnums",
    _params_and_batch,
)
def optax_grads_also_taken_for_inputs(params, x):
    def loss(p, x):
        return jnp.mean((x @ p["w"] + p["b"]) ** 2)

    tx = optax.sgd(0.1)
    opt_state = tx.init(params)
    grads = jax.grad(loss, argnums=(0, 1))(params, x)
    updates, opt_state = tx.update(grads, opt_state, params)
    return optax.apply_updates(params, updates)


@case(
    "ValueError",
    "opt_state = optimizer.init(params)",
    ("callable|lambda|pytree|same structure|{\"w\": true|{'w': true",),
    "per-param-transforms",
    (PARAMS,),
)
def optax_weight_decay_mask_as_name_list(params):
    optimizer = optax.adamw(1e-3, weight_decay=1e-2, mask=["w"])
    opt_state = optimizer.init(params)
    return opt_state


# --- gradients of losses --------------------------------------------------------------------------
@case(
    "TypeError",
    "return jax.grad(loss)(params)",
    ("jnp.mean|.mean()|jnp.sum|.sum()",),
    "grad",
    _params_and_batch,
)
def grad_of_per_example_losses(params, x):
    def loss(p):
        pred = x @ p["w"] + p["b"]
        return jnp.sum(pred**2, axis=1)

    return jax.grad(loss)(params)


@case(
    "TypeError",
    "(loss, aux), grads = jax.value_and_grad(loss_fn, has_aux=True)(params)",
    ("has_aux|(loss, |pair|tuple",),
    "has-aux",
    _params_and_batch,
)
def has_aux_set_but_loss_returned_alone(params, x):
    def loss_fn(p):
        return jnp.mean((x @ p["w"]) ** 2)

    (loss, aux), grads = jax.value_and_grad(loss_fn, has_aux=True)(params)
    return loss


@case(
    "TypeError",
    "return jax.grad(loss)(params)",
    ("separate|static|out of|closure|partial",),
    "pytree-gradients",
    (BATCH,),
)
def config_string_inside_params(x):
    params = {"w": jnp.ones((3, 2)), "activation": "tanh"}

    def loss(p):
        return jnp.sum(jnp.tanh(x @ p["w"]))

    return jax.grad(loss)(params)


# --- PRNG keys in training ------------------------------------------------------------------------
@case(
    "ValueError",
    "key, init_key = jax.random.split(key, 3)",
    ("split(key)|split(key, 2)|three|k2",),
    "split",
    (jax.random.key(3),),
)
def split_three_unpacked_into_two(key):
    key, init_key = jax.random.split(key, 3)
    return jax.random.normal(init_key, (3, 2))


@case(
    "TypeError",
    "jax.random.bernoulli(0.9, key, x.shape)",
    ("bernoulli(key|key first|first argument",),
    "samplers",
    (BATCH, jax.random.key(5)),
)
def dropout_mask_rate_before_key(x, key):
    keep = jax.random.bernoulli(0.9, key, x.shape)
    return jnp.where(keep, x / 0.9, 0.0)


# --- batching with vmap ---------------------------------------------------------------------------
@case(
    "ValueError",
    "return jax.vmap(jax.grad(loss))(params, xs, ys)",
    ("in_axes=(None, 0, 0)",),
    "per-example-gradients",
    lambda: (PARAMS, BATCH, jnp.ones((4, 2))),
)
def per_example_grads_without_in_axes(params, xs, ys):
    def loss(p, x, y):
        return jnp.sum((x @ p["w"] + p["b"] - y) ** 2)

    return jax.vmap(jax.grad(loss))(params, xs, ys)


@case(
    "ValueError",
    'jax.vmap(predict, in_axes=({"w": None}, 0))(params, xs)',
    ("(None, 0)|\"b\": None|'b': None",),
    "in-axes",
    _params_and_batch,
)
def vmap_in_axes_dict_missing_bias(params, xs):
    def predict(p, x):
        return x @ p["w"] + p["b"]

    return jax.vmap(predict, in_axes=({"w": None}, 0))(params, xs)


@case(
    "ValueError",
    "jnp.take_along_axis(log_probs, labels, axis=1)",
    ("[:, None]|expand_dims|newaxis|[..., None]",),
    "losses",
    (LOGITS, LABELS),
)
def nll_take_along_axis_with_flat_labels(logits, labels):
    log_probs = jax.nn.log_softmax(logits)
    return -jnp.take_along_axis(log_probs, labels, axis=1).mean()


# --- the jitted train step and its loop -----------------------------------------------------------
@case(
    "ConcretizationTypeError",
    '"accuracy": float(acc)',
    ("outside|jax.device_get|return acc|after",),
    "metrics-logging",
    (LOGITS, LABELS),
)
def accuracy_converted_with_float(logits, labels):
    acc = jnp.mean(jnp.argmax(logits, axis=-1) == labels)
    return {"accuracy": float(acc)}


@case(
    "TracerBoolConversionError",
    "lr = 1e-2 if step < 100 else 1e-3",
    ("jnp.where|optax.|lax.cond",),
    "schedules",
    (PARAMS, 5),
)
def learning_rate_chosen_with_if(params, step):
    lr = 1e-2 if step < 100 else 1e-3
    return jax.tree.map(lambda p: p * (1.0 - lr), params)


@case(
    "TracerIntegerConversionError",
    "for _ in range(num_steps):",
    ("static_argnums|static_argnames|fori_loop",),
    "static-args",
    (PARAMS, 3),
)
def train_loop_over_traced_num_steps(params, num_steps):
    for _ in range(num_steps):
        params = jax.tree.map(lambda p: 0.9 * p, params)
    return params


@case(
    "TypeError",
    "lax.scan(step, params, batches)",
    ("return p, |, None|pair|(carry, |tuple",),
    "scan",
    lambda: (PARAMS, jnp.ones((5, 4, 3))),
)
def scan_step_returns_only_params(params, batches):
    def step(p, batch):
        g = jax.grad(lambda q: jnp.mean((batch @ q["w"] + q["b"]) ** 2))(p)
        return jax.tree.map(lambda a, b: a - 0.1 * b, p, g)

    return lax.scan(step, params, batches)


@case(
    "IndexError",
    "batch = xs[i * bs : (i + 1) * bs]",
    ("dynamic_slice",),
    "dynamic-slicing",
    (BATCH,),
)
def minibatch_slice_in_fori_loop(xs):
    bs = 2

    def body(i, total):
        batch = xs[i * bs : (i + 1) * bs]
        return total + jnp.sum(batch**2)

    return lax.fori_loop(0, 2, body, 0.0)


@case(
    "TypeError",
    "return step(params, opt_state, tx, x)",
    ("static_argnums|static_argnames|close over|closure|partial",),
    "jitted-loop",
    _params_and_batch,
    via="call",
)
def jit_step_with_optimizer_as_argument(params, x):
    @jax.jit
    def step(params, opt_state, tx, x):
        grads = jax.grad(lambda p: jnp.mean((x @ p["w"] + p["b"]) ** 2))(params)
        updates, opt_state = tx.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state

    tx = optax.sgd(0.1)
    opt_state = tx.init(params)
    return step(params, opt_state, tx, x)


# --- tree utilities on params ---------------------------------------------------------------------
@case(
    "TypeError",
    "return jnp.sqrt(jnp.sum(squares))",
    (
        "jnp.stack|sum(squares)|jnp.array(squares)|jnp.asarray(squares)|optax.global_norm"
        "|jax.tree.reduce",
    ),
    "multi-tree-ops",
    (PARAMS,),
)
def global_norm_from_python_list(grads):
    squares = [jnp.sum(g**2) for g in jax.tree.leaves(grads)]
    return jnp.sqrt(jnp.sum(squares))


@case(
    "AttributeError",
    "return sum(p.size for p in params)",
    ("jax.tree.leaves",),
    "params-as-pytrees",
    (PARAMS,),
)
def count_params_by_iterating_dict(params):
    return sum(p.size for p in params)


# --- Orbax checkpoint options ---------------------------------------------------------------------
@case(
    "ValueError",
    "ocp.CheckpointManagerOptions(max_to_keep=-1",
    ("max_to_keep=None",),
    "checkpointing",
    (),
    via="call",
)
def orbax_keep_every_checkpoint_with_minus_one():
    options = ocp.CheckpointManagerOptions(max_to_keep=-1, save_interval_steps=100)
    return options


@case(
    "ValueError",
    'best_mode="minimize"',
    ("\"min\"|'min'",),
    "checkpointing",
    (),
    via="call",
)
def orbax_best_mode_spelled_out():
    def val_loss(metrics):
        return metrics["val_loss"]

    options = ocp.CheckpointManagerOptions(best_fn=val_loss, best_mode="minimize")
    return options


# --- silent sharp bits ----------------------------------------------------------------------------
T = "trace-time-side-effects"
_LOSS_LOG = []
_TRAIN_X = jnp.linspace(0.0, 1.0, 12).reshape(4, 3)
_BATCHES = iter([jnp.ones((4, 3)) * k for k in range(100)])


@sharp("print", 'print("loss", loss)', T, _params_and_batch)
def print_loss_inside_train_step(params, x):
    def loss_fn(p):
        loss = jnp.mean((x @ p["w"] + p["b"]) ** 2)
        print("loss", loss)
        return loss

    loss, grads = jax.value_and_grad(loss_fn)(params)
    return jax.tree.map(lambda p, g: p - 0.1 * g, params, grads), loss


@sharp("side-effect", "_LOSS_LOG.append(loss)", T, _params_and_batch)
def append_loss_to_history_in_step(params, x):
    loss, grads = jax.value_and_grad(lambda p: jnp.mean((x @ p["w"]) ** 2))(params)
    _LOSS_LOG.append(loss)
    return jax.tree.map(lambda p, g: p - 0.1 * g, params, grads)


@sharp("constant", "pred = _TRAIN_X @ p", "closed-over-constants", (PARAMS,))
def loss_reads_global_training_set(params):
    def loss(p):
        pred = _TRAIN_X @ p["w"] + p["b"]
        return jnp.mean(pred**2)

    return jax.grad(loss)(params)


@sharp("iterator", "x = next(_BATCHES)", T, (PARAMS,))
def next_batch_drawn_inside_step(params):
    x = next(_BATCHES)
    grads = jax.grad(lambda p: jnp.mean((x @ p["w"] + p["b"]) ** 2))(params)
    return jax.tree.map(lambda p, g: p - 0.1 * g, params, grads)


@sharp("unrolled", "for _ in range(25):", "loops-compile-time", (PARAMS, BATCH))
def whole_training_loop_in_python(params, x):
    for _ in range(25):
        grads = jax.grad(lambda p: jnp.mean((x @ p["w"] + p["b"]) ** 2))(params)
        params = jax.tree.map(lambda p, g: p - 0.1 * g, params, grads)
    return params


@sharp(
    "static",
    "p - lr * g",
    "retracing",
    _params_and_batch,
    kwargs={"lr": 0.1},
    static_argnames=("lr",),
)
def learning_rate_as_static_argument(params, x, lr):
    grads = jax.grad(lambda p: jnp.mean((x @ p["w"] + p["b"]) ** 2))(params)
    return jax.tree.map(lambda p, g: p - lr * g, params, grads)


@sharp("out-of-bounds", "log_probs[:, 3]", "out-of-bounds", (LOGITS,))
def score_of_class_past_the_last(logits):
    log_probs = jax.nn.log_softmax(logits)
    return log_probs[:, 3].mean()
