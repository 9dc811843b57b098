"""An eleventh batch, written blind as small real models with Flax, Optax, Equinox and Haiku: each expectation was checked against the libraries themselves, not the coach."""  # noqa: E501

import dataclasses
import itertools

import equinox as eqx
import flax.linen as nn
import haiku as hk
import jax
import jax.numpy as jnp
import optax
from flax import nnx
from flax.training import train_state
from jax import lax

from . import case, sharp

X = (jnp.ones((2, 4)),)
IMAGES = (jnp.ones((2, 3, 8, 8)),)
TOKENS = (jnp.ones((2, 5, 8)),)
SEQ = (jnp.ones((6, 2, 3)),)
PARAMS = ({"w": jnp.ones((4, 2)), "b": jnp.zeros(2)},)
BATCH = (jnp.ones((4, 4)), jnp.array([0, 1, 2, 1]))
T = "trace-time-side-effects"


# --- Flax NNX: module construction, rngs and the optimizer ----------------------------------------
@case("TypeError", "nnx.Linear(4, 8)", ("rngs=",), "flax-nnx", X)
def nnx_linear_built_without_rngs(x):
    layer = nnx.Linear(4, 8)
    return nnx.relu(layer(x))


@case(
    "TypeError",
    "return self.head(h)",
    ("in_features|nnx.Linear(16, 2|match|same size|agree",),
    "flax-nnx",
    X,
)
def nnx_mlp_head_sized_for_the_input(x):
    class MLP(nnx.Module):
        def __init__(self, rngs):
            self.body = nnx.Linear(4, 16, rngs=rngs)
            self.head = nnx.Linear(4, 2, rngs=rngs)

        def __call__(self, x):
            h = nnx.gelu(self.body(x))
            return self.head(h)

    return MLP(nnx.Rngs(0))(x)


@case(
    "ValueError",
    "return self.drop(nnx.relu(self.fc(x)))",
    ("rngs",),
    "stateful-layers",
    X,
)
def nnx_classifier_dropout_without_rngs(x):
    class Classifier(nnx.Module):
        def __init__(self, rngs):
            self.fc = nnx.Linear(4, 3, rngs=rngs)
            self.drop = nnx.Dropout(0.2)

        def __call__(self, x):
            return self.drop(nnx.relu(self.fc(x)))

    return Classifier(nnx.Rngs(0))(x)


@case("TypeError", "nnx.Optimizer(model, optax.adamw(3e-4))", ("wrt=nnx.Param",), "train-state", X)
def nnx_optimizer_without_wrt(x):
    model = nnx.Linear(4, 2, rngs=nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.adamw(3e-4))
    return model(x), optimizer


@case(
    "TypeError",
    "optimizer.update(grads)",
    ("update(model, grads)|(model, grads)",),
    "train-state",
    X,
)
def nnx_optimizer_update_with_grads_only(x):
    model = nnx.Linear(4, 2, rngs=nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.sgd(0.1), wrt=nnx.Param)
    grads = nnx.grad(lambda m: jnp.mean(m(x) ** 2))(model)
    optimizer.update(grads)
    return model(x)


@case(
    "TypeError",
    "jax.grad(loss_fn)(model)",
    ("nnx.grad|nnx.value_and_grad|nnx.split|nnx.state",),
    "flax-nnx",
    X,
)
def jax_grad_over_nnx_model_with_dropout(x):
    class Net(nnx.Module):
        def __init__(self, rngs):
            self.fc = nnx.Linear(4, 2, rngs=rngs)
            self.drop = nnx.Dropout(0.1, rngs=rngs)

        def __call__(self, x):
            return self.drop(self.fc(x))

    model = Net(nnx.Rngs(0))

    def loss_fn(m):
        return jnp.mean(m(x) ** 2)

    return jax.grad(loss_fn)(model)


@case(
    "ValueError",
    "return nnx.relu(conv(images))",
    ("NHWC|channels last|channels-last|transpose|moveaxis",),
    "convolution",
    IMAGES,
)
def nnx_conv_on_channels_first_images(images):
    conv = nnx.Conv(3, 8, kernel_size=(3, 3), rngs=nnx.Rngs(0))
    return nnx.relu(conv(images))


@case(
    "ValueError",
    "nnx.MultiHeadAttention(num_heads=3, in_features=8",
    ("divisible|num_heads=2|num_heads=4|qkv_features",),
    "flax-nnx",
    TOKENS,
)
def nnx_attention_heads_do_not_divide_width(tokens):
    attn = nnx.MultiHeadAttention(num_heads=3, in_features=8, decode=False, rngs=nnx.Rngs(0))
    return attn(tokens)


@case("ValueError", "self.blocks = [", ("nnx.List",), "flax-nnx", X)
def nnx_plain_python_list_of_layers(x):
    class Tower(nnx.Module):
        def __init__(self, depth, rngs):
            self.blocks = [nnx.Linear(4, 4, rngs=rngs) for _ in range(depth)]

        def __call__(self, x):
            for block in self.blocks:
                x = nnx.relu(block(x))
            return x

    return Tower(3, nnx.Rngs(0))(x)


@case(
    "TraceContextError",
    "model.scale[...] = model.scale[...] * 0.5",
    ("nnx.jit|as an argument|pass the model|pass model",),
    "flax-nnx",
    X,
    via="call",
)
def nnx_mutate_closed_over_model_in_jax_jit(x):
    class Scaled(nnx.Module):
        def __init__(self):
            self.scale = nnx.Param(jnp.ones(4))

    model = Scaled()

    @jax.jit
    def shrink(v):
        model.scale[...] = model.scale[...] * 0.5
        return v * model.scale[...]

    return shrink(x)


@case(
    "TypeError",
    "lax.scan(step, jnp.zeros((2, 6)), xs)",
    ("initialize_carry|(c, h)|tuple|pair",),
    "scan",
    SEQ,
)
def nnx_lstm_scan_with_one_array_carry(xs):
    cell = nnx.LSTMCell(3, 6, rngs=nnx.Rngs(0))

    def step(carry, x):
        carry, y = cell(carry, x)
        return carry, y

    _, ys = lax.scan(step, jnp.zeros((2, 6)), xs)
    return ys


@case(
    "TypeError",
    "head = nnx.Linear(8 * 6 * 6, 10, rngs=rngs)(feats)",
    ("reshape|flatten",),
    "broadcasting-reshaping",
    (jnp.ones((2, 8, 8, 3)),),
)
def nnx_cnn_features_not_flattened(images):
    rngs = nnx.Rngs(0)
    feats = nnx.relu(nnx.Conv(3, 8, kernel_size=(3, 3), padding="VALID", rngs=rngs)(images))
    head = nnx.Linear(8 * 6 * 6, 10, rngs=rngs)(feats)
    return head


@case(
    "TypeError",
    "loss, grads = nnx.value_and_grad(loss_fn)(model)",
    ("has_aux=True",),
    "has-aux",
    BATCH,
)
def nnx_value_and_grad_returning_logits(x, y):
    model = nnx.Linear(4, 3, rngs=nnx.Rngs(0))

    def loss_fn(m):
        logits = m(x)
        return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean(), logits

    loss, grads = nnx.value_and_grad(loss_fn)(model)
    return loss


# --- Flax Linen: init, apply and collections ------------------------------------------------------
@case(
    "ApplyScopeInvalidVariablesTypeError",
    'model.apply(variables["params"], x)',
    ('{"params"|apply(variables,',),
    "flax-linen",
    X,
)
def linen_apply_with_bare_params(x):
    model = nn.Dense(3)
    variables = model.init(jax.random.key(0), x)
    return model.apply(variables["params"], x)


@case(
    "InvalidRngError",
    "x = nn.Dropout(0.3, deterministic=not train)(x)",
    ("rngs={\"dropout\"|rngs={'dropout'",),
    "stateful-layers",
    X,
)
def linen_dropout_trained_without_rng(x):
    class Classifier(nn.Module):
        @nn.compact
        def __call__(self, x, train):
            x = nn.relu(nn.Dense(8)(x))
            x = nn.Dropout(0.3, deterministic=not train)(x)
            return nn.Dense(3)(x)

    model = Classifier()
    variables = model.init(jax.random.key(0), x, train=False)
    return model.apply(variables, x, train=True)


@case(
    "ModifyScopeVariableError",
    "x = nn.BatchNorm(use_running_average=not train)(x)",
    ("mutable=",),
    "stateful-layers",
    X,
)
def linen_batchnorm_train_step_immutable(x):
    class Net(nn.Module):
        @nn.compact
        def __call__(self, x, train):
            x = nn.Dense(8)(x)
            x = nn.BatchNorm(use_running_average=not train)(x)
            return nn.Dense(2)(nn.relu(x))

    model = Net()
    variables = model.init(jax.random.key(0), x, train=False)
    return model.apply(variables, x, train=True)


@case(
    "AssignSubModuleError",
    "h = nn.Dense(self.width)(x)",
    ("@nn.compact|setup",),
    "flax-linen",
    X,
)
def linen_submodule_without_compact(x):
    class Block(nn.Module):
        width: int = 8

        def __call__(self, x):
            h = nn.Dense(self.width)(x)
            return nn.relu(h)

    return Block().init(jax.random.key(0), x)


@case(
    "ValueError",
    "optax.softmax_cross_entropy_with_integer_labels(logits, y)",
    ("logits, |unpack|tuple|pair",),
    "stateful-layers",
    BATCH,
)
def linen_mutable_apply_result_used_as_logits(x, y):
    class Net(nn.Module):
        @nn.compact
        def __call__(self, x):
            return nn.BatchNorm(use_running_average=False)(nn.Dense(3)(x))

    model = Net()
    variables = model.init(jax.random.key(0), x)
    logits = model.apply(variables, x, mutable=["batch_stats"])
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()


@case("TypeError", "state.apply_gradients(grads)", ("grads=",), "train-state", X)
def train_state_apply_gradients_positional(x):
    model = nn.Dense(2)
    params = model.init(jax.random.key(0), x)["params"]
    state = train_state.TrainState.create(apply_fn=model.apply, params=params, tx=optax.sgd(0.1))
    grads = jax.grad(lambda p: jnp.sum(state.apply_fn({"params": p}, x) ** 2))(state.params)
    state = state.apply_gradients(grads)
    return state.params


@case(
    "TypeError",
    "batch_stats=stats",
    ("subclass|class TrainState(train_state.TrainState)|batch_stats: ",),
    "train-state",
    X,
)
def train_state_given_batch_stats(x):
    class Net(nn.Module):
        @nn.compact
        def __call__(self, x):
            return nn.BatchNorm(use_running_average=True)(nn.Dense(2)(x))

    net = Net()
    variables = net.init(jax.random.key(0), x)
    params, stats = variables["params"], variables["batch_stats"]
    tx = optax.adam(1e-3)
    state_cls = train_state.TrainState
    return state_cls.create(apply_fn=net.apply, params=params, tx=tx, batch_stats=stats)


# --- Optax: updates, state, chains, schedules and masks -------------------------------------------
@case(
    "TypeError",
    "params = params - updates",
    ("optax.apply_updates|jax.tree.map",),
    "init-update-apply",
    PARAMS,
)
def optax_subtract_updates_from_param_dict(params):
    tx = optax.adam(1e-3)
    opt_state = tx.init(params)
    grads = jax.tree.map(jnp.ones_like, params)
    updates, opt_state = tx.update(grads, opt_state)
    params = params - updates
    return params


@case(
    "ValueError",
    "optax.apply_updates(params, updates)",
    ("updates, opt_state|unpack",),
    "init-update-apply",
    PARAMS,
)
def optax_update_result_not_unpacked(params):
    tx = optax.sgd(0.1, momentum=0.9)
    opt_state = tx.init(params)
    grads = jax.tree.map(jnp.ones_like, params)
    updates = tx.update(grads, opt_state)
    return optax.apply_updates(params, updates)


@case(
    "AttributeError",
    "optax.chain(optax.clip_by_global_norm, optax.adam(1e-3))",
    ("clip_by_global_norm(",),
    "chain-clip",
    PARAMS,
)
def optax_chain_with_uncalled_clip(params):
    tx = optax.chain(optax.clip_by_global_norm, optax.adam(1e-3))
    return tx.init(params)


@case(
    "KeyError",
    'opt_state.hyperparams["lr"]',
    ("learning_rate",),
    "schedules",
    PARAMS,
)
def optax_inject_hyperparams_read_as_lr(params):
    tx = optax.inject_hyperparams(optax.adam)(learning_rate=1e-3)
    opt_state = tx.init(params)
    return opt_state.hyperparams["lr"]


@case(
    "TracerBoolConversionError",
    "if count < warmup:",
    ("jnp.where|optax.linear_schedule|optax.join_schedules|warmup_cosine_decay_schedule|lax.cond",),
    "schedules",
    PARAMS,
)
def python_if_in_warmup_schedule(params):
    warmup = 100

    def lr(count):
        if count < warmup:
            return 1e-3 * count / warmup
        return 1e-3

    tx = optax.sgd(lr)
    opt_state = tx.init(params)
    updates, opt_state = tx.update(params, opt_state)
    return optax.apply_updates(params, updates)


@case(
    "ValueError",
    "updates, opt_state = tx.update(grads, opt_state)",
    ("params",),
    "init-update-apply",
    PARAMS,
)
def adamw_update_without_params(params):
    tx = optax.adamw(1e-3, weight_decay=1e-2)
    opt_state = tx.init(params)
    grads = jax.tree.map(jnp.ones_like, params)
    updates, opt_state = tx.update(grads, opt_state)
    return optax.apply_updates(params, updates)


@case(
    "AttributeError",
    "mask=lambda p: p.ndim > 1",
    ("jax.tree.map|tree_map",),
    "per-param-transforms",
    PARAMS,
)
def weight_decay_mask_on_the_whole_tree(params):
    tx = optax.adamw(1e-3, weight_decay=1e-4, mask=lambda p: p.ndim > 1)
    return tx.init(params)


@case(
    "ValueError",
    "return tx.init(params)",
    ('"b": False|every key|same structure|callable|lambda|jax.tree.map',),
    "per-param-transforms",
    PARAMS,
)
def weight_decay_mask_missing_the_bias(params):
    decay_mask = {"w": True}
    tx = optax.chain(
        optax.masked(optax.add_decayed_weights(1e-4), decay_mask),
        optax.sgd(0.1),
    )
    return tx.init(params)


@case(
    "ValueError",
    "optax.softmax_cross_entropy(logits, labels)",
    ("softmax_cross_entropy_with_integer_labels|one_hot",),
    "losses",
    BATCH,
)
def cross_entropy_with_integer_labels(x, labels):
    logits = x[:, :3] * 2.0
    return optax.softmax_cross_entropy(logits, labels).mean()


@case(
    "ValueError",
    "d_tx.update(d_grads, g_state)",
    ("d_state",),
    "init-update-apply",
    ({"disc": jnp.ones((3, 1))}, {"gen": jnp.ones((2, 3)), "gen_b": jnp.zeros(3)}),
)
def gan_discriminator_update_with_generator_state(d_params, g_params):
    g_tx, d_tx = optax.adam(2e-4, b1=0.5), optax.adam(2e-4, b1=0.5)
    g_state, d_state = g_tx.init(g_params), d_tx.init(d_params)
    d_grads = jax.tree.map(jnp.ones_like, d_params)
    d_updates, d_state = d_tx.update(d_grads, g_state)
    return optax.apply_updates(d_params, d_updates)


@case(
    "AttributeError",
    "opt_state.mu",
    ("[0]|tree_get",),
    "optimizers",
    PARAMS,
)
def adam_first_moment_read_from_state_tuple(params):
    tx = optax.adam(1e-3)
    opt_state = tx.init(params)
    return jax.tree.map(jnp.linalg.norm, opt_state.mu)


# --- Equinox: keys, filtering and frozen modules --------------------------------------------------
@case("TypeError", "eqx.nn.Linear(4, 16)", ("key=",), "equinox", X)
def eqx_linear_built_without_key(x):
    layer = eqx.nn.Linear(4, 16)
    return jax.vmap(layer)(x)


@case("TypeError", "return self.out(jax.nn.relu(self.hidden(x)))", ("jax.vmap",), "vmap-basics", X)
def eqx_mlp_called_on_a_batch(x):
    class MLP(eqx.Module):
        hidden: eqx.nn.Linear
        out: eqx.nn.Linear

        def __init__(self, key):
            k1, k2 = jax.random.split(key)
            self.hidden = eqx.nn.Linear(4, 8, key=k1)
            self.out = eqx.nn.Linear(8, 2, key=k2)

        def __call__(self, x):
            return self.out(jax.nn.relu(self.hidden(x)))

    return MLP(jax.random.key(0))(x)


@case("TypeError", "return forward(model, x)", ("eqx.filter_jit",), "equinox", X, via="call")
def jax_jit_over_eqx_mlp(x):
    model = eqx.nn.MLP(4, 2, width_size=8, depth=2, key=jax.random.key(0))
    forward = jax.jit(lambda m, v: jax.vmap(m)(v))
    return forward(model, x)


@case(
    "TypeError",
    "jax.grad(loss)(model, x)",
    ("eqx.filter_grad|eqx.filter_value_and_grad",),
    "equinox",
    X,
)
def jax_grad_over_eqx_mlp(x):
    model = eqx.nn.MLP(4, 2, width_size=8, depth=2, key=jax.random.key(0))

    def loss(m, v):
        return jnp.mean(jax.vmap(m)(v) ** 2)

    return jax.grad(loss)(model, x)


@case(
    "TypeError",
    "opt_state = tx.init(model)",
    ("eqx.filter(|eqx.is_array|eqx.is_inexact_array",),
    "equinox",
    X,
)
def optax_init_on_whole_eqx_model(x):
    model = eqx.nn.MLP(4, 2, width_size=8, depth=1, key=jax.random.key(0))
    tx = optax.adam(1e-3)
    opt_state = tx.init(model)
    return opt_state


@case(
    "TypeError",
    "ema = jax.tree.map(lambda e, p: decay * e + (1 - decay) * p, ema, model)",
    ("eqx.filter|eqx.is_array|eqx.is_inexact_array|eqx.partition",),
    "equinox",
    X,
)
def eqx_ema_over_a_model_with_activations(x):
    decay = 0.999
    model = eqx.nn.MLP(4, 2, width_size=8, depth=1, key=jax.random.key(0))
    ema = model
    ema = jax.tree.map(lambda e, p: decay * e + (1 - decay) * p, ema, model)
    return jax.vmap(ema)(x)


@case(
    "RuntimeError",
    "return self.drop(h)",
    ("key=|inference=True",),
    "stateful-layers",
    X,
)
def eqx_dropout_without_key(x):
    class Head(eqx.Module):
        fc: eqx.nn.Linear
        drop: eqx.nn.Dropout

        def __init__(self, key):
            self.fc = eqx.nn.Linear(4, 2, key=key)
            self.drop = eqx.nn.Dropout(0.1)

        def __call__(self, x):
            h = self.fc(x)
            return self.drop(h)

    return jax.vmap(Head(jax.random.key(0)))(x)


@case(
    "FrozenInstanceError",
    "self.temperature = 2.0",
    ("temperature: float|annotation|declare|field",),
    "equinox",
    X,
)
def eqx_attribute_not_declared_as_field(x):
    class Logits(eqx.Module):
        w: jax.Array

        def __init__(self, key):
            self.w = jax.random.normal(key, (4, 3))
            self.temperature = 2.0

        def __call__(self, x):
            return x @ self.w / self.temperature

    return Logits(jax.random.key(0))(x)


@case(
    "FrozenInstanceError",
    "self.steps = self.steps + 1",
    ("eqx.tree_at|eqx.nn.State|StateIndex",),
    "equinox",
    X,
)
def eqx_step_counter_mutated_in_call(x):
    class Tracked(eqx.Module):
        fc: eqx.nn.Linear
        steps: int

        def __call__(self, x):
            self.steps = self.steps + 1
            return self.fc(x)

    model = Tracked(eqx.nn.Linear(4, 2, key=jax.random.key(0)), 0)
    return model(x[0])


@case(
    "TypeError",
    "return jax.vmap(eqx.filter_grad(loss))(model, xs, ys)",
    ("in_axes=(None, 0, 0)|eqx.filter_vmap",),
    "per-example-gradients",
    (jnp.ones((3, 4)), jnp.ones((3, 2))),
)
def eqx_per_example_grads_mapping_the_model(xs, ys):
    model = eqx.nn.MLP(4, 2, width_size=8, depth=1, key=jax.random.key(0))

    def loss(m, x, y):
        return jnp.sum((m(x) - y) ** 2)

    return jax.vmap(eqx.filter_grad(loss))(model, xs, ys)


@case("TypeError", "return jax.vmap(net)(x)", ("eqx.nn.Lambda",), "equinox", X)
def eqx_sequential_with_bare_relu(x):
    k1, k2 = jax.random.split(jax.random.key(0))
    net = eqx.nn.Sequential([eqx.nn.Linear(4, 8, key=k1), jax.nn.relu, eqx.nn.Linear(8, 2, key=k2)])
    return jax.vmap(net)(x)


# --- Haiku: transform, rng and state --------------------------------------------------------------
@case("ValueError", "return hk.Linear(2)(x)", ("hk.transform",), "haiku", X)
def haiku_linear_outside_transform(x):
    return hk.Linear(2)(x)


@case(
    "ValueError",
    "return forward.apply(params, x)",
    ("apply(params,|rng as the second|key as the second|second argument",),
    "haiku",
    X,
)
def haiku_apply_without_rng(x):
    def net(x):
        h = jax.nn.relu(hk.Linear(8)(x))
        return hk.dropout(hk.next_rng_key(), 0.2, h)

    forward = hk.transform(net)
    params = forward.init(jax.random.key(0), x)
    return forward.apply(params, x)


@case(
    "NonEmptyStateError",
    "params = forward.init(jax.random.key(0), x)",
    ("hk.transform_with_state",),
    "stateful-layers",
    X,
)
def haiku_batchnorm_in_plain_transform(x):
    def net(x):
        h = hk.Linear(8)(x)
        return hk.BatchNorm(True, True, 0.9)(h, is_training=True)

    forward = hk.transform(net)
    params = forward.init(jax.random.key(0), x)
    return params


@case("KeyError", 'params["linear"]["weight"]', ('"w"',), "haiku", X)
def haiku_param_read_as_weight(x):
    forward = hk.without_apply_rng(hk.transform(lambda v: hk.Linear(2)(v)))
    params = forward.init(jax.random.key(0), x)
    return jnp.linalg.norm(params["linear"]["weight"])


@case(
    "AttributeError",
    "return hk.dynamic_unroll(core, xs, jnp.zeros((2, 6)))",
    ("initial_state",),
    "haiku",
    SEQ,
)
def haiku_lstm_unrolled_from_zeros(xs):
    def net(xs):
        core = hk.LSTM(6)
        return hk.dynamic_unroll(core, xs, jnp.zeros((2, 6)))

    forward = hk.transform(net)
    return forward.init(jax.random.key(0), xs)


# --- training code in plain JAX -------------------------------------------------------------------
@case(
    "ValueError",
    "jax.vmap(jax.grad(loss), in_axes=(0, 0, 0))(params, xs, ys)",
    ("in_axes=(None, 0, 0)",),
    "per-example-gradients",
    ({"w": jnp.ones((3, 2)), "b": jnp.zeros(2)}, jnp.ones((8, 3)), jnp.ones((8, 2))),
)
def per_example_grads_mapping_the_params(params, xs, ys):
    def loss(p, x, y):
        return jnp.sum((x @ p["w"] + p["b"] - y) ** 2)

    return jax.vmap(jax.grad(loss), in_axes=(0, 0, 0))(params, xs, ys)


@case(
    "TypeError",
    "_, hs = lax.scan(rnn_step, jnp.zeros(4), xs)",
    ("return h, h|(carry, y)|pair|tuple",),
    "scan",
    (jnp.ones((8, 3)),),
)
def rnn_step_returns_only_the_carry(xs):
    w_in = jnp.full((3, 4), 0.1)
    w_h = jnp.eye(4) * 0.5

    def rnn_step(h, x):
        return jnp.tanh(x @ w_in + h @ w_h)

    _, hs = lax.scan(rnn_step, jnp.zeros(4), xs)
    return hs


@case(
    "TypeError",
    "lax.scan(step, h0, xs)",
    ("astype|dtype",),
    "mixed-precision",
    (jnp.ones((8, 3)),),
)
def bfloat16_carry_with_float32_weights(xs):
    w = jnp.full((3, 4), 0.1)
    h0 = jnp.zeros(4, jnp.bfloat16)

    def step(h, x):
        h = jnp.tanh(x @ w + h)
        return h, h

    return lax.scan(step, h0, xs)[1]


@case(
    "ValueError",
    "eps = jax.random.normal(keys, mu.shape)",
    ("keys[0]|keys[1]|unpack|, = jax.random.split|k1, k2",),
    "split",
    (jnp.zeros((2, 4)), jnp.zeros((2, 4)), jax.random.key(0)),
)
def vae_reparameterise_with_split_keys(mu, logvar, key):
    keys = jax.random.split(key)
    eps = jax.random.normal(keys, mu.shape)
    return mu + jnp.exp(0.5 * logvar) * eps


@case(
    "TypeError",
    "return jax.tree.map(jnp.add, acc, g), None",
    ("zeros_like",),
    "grad-accumulation",
    ({"w": jnp.ones((3, 2)), "b": jnp.zeros(2)}, jnp.ones((8, 3)), jnp.ones((8, 2))),
)
def grad_accumulation_from_a_scalar_zero(params, xs, ys):
    def loss(p, x, y):
        return jnp.mean((x @ p["w"] + p["b"] - y) ** 2)

    def micro(acc, batch):
        g = jax.grad(loss)(params, *batch)
        return jax.tree.map(jnp.add, acc, g), None

    micro_batches = (xs.reshape(4, 2, 3), ys.reshape(4, 2, 2))
    acc, _ = lax.scan(micro, jnp.zeros(()), micro_batches)
    return jax.tree.map(lambda a: a / 4, acc)


@case(
    "TypeError",
    'return bump(Checkpoint(jnp.array(0), "run-7"))',
    ("meta_fields",),
    "dataclass-nodes",
    (),
    via="call",
)
def checkpoint_pytree_with_a_string_data_field():
    @dataclasses.dataclass
    class Checkpoint:
        step: jax.Array
        run_name: str

    jax.tree_util.register_dataclass(Checkpoint, data_fields=["step", "run_name"], meta_fields=[])
    bump = jax.jit(lambda c: dataclasses.replace(c, step=c.step + 1))
    return bump(Checkpoint(jnp.array(0), "run-7"))


@case(
    "ValueError",
    "scores = jnp.where(pad_mask, scores, -1e9)",
    ("[:, None, None, :]|None, None|expand_dims",),
    "broadcasting-reshaping",
    (jnp.ones((2, 2, 5, 4)), jnp.ones((2, 5), bool)),
)
def attention_padding_mask_per_token(q, pad_mask):
    scores = jnp.einsum("bhqd,bhkd->bhqk", q, q) / 2.0
    scores = jnp.where(pad_mask, scores, -1e9)
    return jax.nn.softmax(scores, axis=-1)


@case(
    "ValueError",
    "return tokens + pos_table[: tokens.shape[0]]",
    ("tokens.shape[1]|tokens.shape[-2]|shape[1]",),
    "broadcasting-reshaping",
    TOKENS,
)
def positional_table_sliced_by_batch(tokens):
    pos_table = jnp.sin(jnp.arange(16.0)[:, None] / (1.0 + jnp.arange(8.0)))
    return tokens + pos_table[: tokens.shape[0]]


@case(
    "ValueError",
    "jax.tree.map(lambda p, g: p - 0.1 * g, params, grads)",
    ("grads, aux|grads, _|unpack",),
    "has-aux",
    ({"w": jnp.ones((3, 2))}, jnp.ones((8, 3))),
)
def has_aux_gradient_pair_not_unpacked(params, x):
    def loss(p):
        out = x @ p["w"]
        return jnp.mean(out**2), {"max_activation": out.max()}

    grads = jax.grad(loss, has_aux=True)(params)
    return jax.tree.map(lambda p, g: p - 0.1 * g, params, grads)


@case(
    "TypeError",
    "return train_step(params, tx.init(params), tx, grads)",
    ("static_argnums|static_argnames|close over|closure|functools.partial",),
    "static-args",
    PARAMS,
    via="call",
)
def optimizer_passed_as_a_jit_argument(params):
    tx = optax.adam(1e-3)

    @jax.jit
    def train_step(p, opt_state, optimizer, g):
        updates, opt_state = optimizer.update(g, opt_state)
        return optax.apply_updates(p, updates), opt_state

    grads = jax.tree.map(jnp.ones_like, params)
    return train_step(params, tx.init(params), tx, grads)


# --- silent sharp bits in model code --------------------------------------------------------------
_LOSS_LOG = []
_BATCHES = itertools.cycle([jnp.ones((2, 4)), jnp.zeros((2, 4))])
_SINUSOIDS = jnp.sin(jnp.arange(512.0)[:, None] / (1.0 + jnp.arange(64.0)))


@sharp("print", 'print("hidden activations", h)', T, X)
def print_activations_in_nnx_call(x):
    class MLP(nnx.Module):
        def __init__(self, rngs):
            self.fc = nnx.Linear(4, 8, rngs=rngs)

        def __call__(self, x):
            h = nnx.relu(self.fc(x))
            print("hidden activations", h)
            return h.sum(axis=-1)

    return MLP(nnx.Rngs(0))(x)


@sharp("side-effect", "_LOSS_LOG.append(loss)", T, PARAMS)
def log_loss_to_a_python_list(params):
    loss = jnp.sum(params["w"] ** 2) + jnp.sum(params["b"] ** 2)
    _LOSS_LOG.append(loss)
    return jax.tree.map(lambda p: p * 0.9, params)


@sharp("out-of-bounds", "probs[:, 10]", "out-of-bounds", (jnp.ones((2, 10)),))
def probability_of_one_based_last_class(logits):
    probs = jax.nn.softmax(logits, axis=-1)
    return probs[:, 10]


@sharp("constant", "_SINUSOIDS[: x.shape[0], : x.shape[1]]", "closed-over-constants", X)
def add_global_sinusoid_table(x):
    return x + _SINUSOIDS[: x.shape[0], : x.shape[1]]


@sharp("iterator", "next(_BATCHES)", T, PARAMS)
def draw_batch_inside_train_step(params):
    batch = next(_BATCHES)
    loss = jnp.mean((batch[:, :4] @ params["w"] + params["b"]) ** 2)
    return loss


@sharp("unrolled", "for t in range(64):", "loops-compile-time", (jnp.ones((64, 3)),))
def rnn_unrolled_over_time_steps(xs):
    w = jnp.full((3, 4), 0.1)
    h = jnp.zeros(4)
    for t in range(64):
        h = jnp.tanh(xs[t] @ w + 0.5 * h)
    return h


@sharp(
    "static",
    "p - lr * g",
    "retracing",
    (PARAMS[0], 0.05),
    static_argnums=(1,),
)
def sgd_step_with_static_learning_rate(params, lr):
    grads = jax.tree.map(jnp.ones_like, params)
    return jax.tree.map(lambda p, g: p - lr * g, params, grads)
