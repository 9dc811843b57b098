"""A nineteenth batch, written blind from real models and training loops with Flax (Linen and NNX), Equinox, Haiku and Optax, each expectation checked against JAX itself, not the coach."""  # noqa: E501

from typing import Any

import equinox as eqx
import flax.linen as nn
import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx
from flax.training import train_state

from . import case, sharp

X = (jnp.linspace(-1.0, 1.0, 12).reshape(4, 3),)
TOKENS = (jnp.ones((2, 5, 8)),)
_GLOVE = jnp.asarray(np.random.default_rng(19).standard_normal((2000, 32)).astype(np.float32))


# --- Flax Linen: train/eval flags, rngs, batch_stats, lifted transforms ---------------------------
@case(
    "ValueError",
    "h = nn.MultiHeadDotProductAttention(num_heads=2, dropout_rate=0.1)(h)",
    ("deterministic=",),
    "stateful-layers",
    TOKENS,
)
def linen_encoder_block_attention_mode_never_given(tokens):
    class EncoderBlock(nn.Module):
        @nn.compact
        def __call__(self, x, train: bool):
            h = nn.LayerNorm()(x)
            h = nn.MultiHeadDotProductAttention(num_heads=2, dropout_rate=0.1)(h)
            x = x + h
            h = nn.gelu(nn.Dense(16)(nn.LayerNorm()(x)))
            return x + nn.Dense(8)(h)

    block = EncoderBlock()
    variables = block.init(jax.random.key(0), tokens, train=False)
    return block.apply(variables, tokens, train=True, rngs={"dropout": jax.random.key(1)})


@case(
    "ValueError",
    'logits = model.apply(variables, x, train=True, rngs={"dropout": step})',
    (
        "\"dropout\": jax.random|'dropout': jax.random|\"dropout\": key|'dropout': key"
        "|\"dropout\": rng|'dropout': rng|\"dropout\": dropout_|'dropout': dropout_|fold_in(",
    ),
    "stateful-layers",
    X,
)
def linen_dropout_rng_given_as_the_step_number(x):
    class Classifier(nn.Module):
        @nn.compact
        def __call__(self, v, train):
            h = nn.relu(nn.Dense(16)(v))
            h = nn.Dropout(0.2, deterministic=not train)(h)
            return nn.Dense(3)(h)

    model = Classifier()
    variables = model.init(jax.random.key(0), x, train=False)
    step = 7
    logits = model.apply(variables, x, train=True, rngs={"dropout": step})
    return logits.mean()


@case(
    "ScopeCollectionNotFound",
    "v = nn.BatchNorm(use_running_average=not train, momentum=0.9)(v)",
    ("\"batch_stats\":|'batch_stats':|batch_stats=|apply(variables",),
    "stateful-layers",
    X,
)
def linen_eval_step_passes_only_params(x):
    class ConvNetBN(nn.Module):
        @nn.compact
        def __call__(self, v, train):
            v = nn.Dense(8)(v)
            v = nn.BatchNorm(use_running_average=not train, momentum=0.9)(v)
            return nn.Dense(2)(nn.relu(v))

    model = ConvNetBN()
    variables = model.init(jax.random.key(0), x, train=False)
    params = variables["params"]

    def eval_step(params, batch):
        logits = model.apply({"params": params}, batch, train=False)
        return jnp.argmax(logits, -1)

    return eval_step(params, x)


@case(
    "ScopeVariableNotFoundError",
    "v = nn.BatchNorm(use_running_average=not train, momentum=0.9)(v)",
    (
        "updates[\"batch_stats\"]|updates['batch_stats']|mutated[\"batch_stats\"]|mutated['batch_stats']"
        '|new_state["batch_stats"]|new_state[\'batch_stats\']|new_stats["batch_stats"]'
        "|new_stats['batch_stats']|batch_stats[\"batch_stats\"]|batch_stats['batch_stats']"
        "|.pop(\"batch_stats\")|.pop('batch_stats')",
    ),
    "stateful-layers",
    X,
)
def linen_batch_stats_stored_with_the_collection_name_twice(x):
    class ConvNetBN(nn.Module):
        @nn.compact
        def __call__(self, v, train):
            v = nn.Dense(8)(v)
            v = nn.BatchNorm(use_running_average=not train, momentum=0.9)(v)
            return nn.Dense(2)(nn.relu(v))

    model = ConvNetBN()
    variables = model.init(jax.random.key(0), x, train=False)
    params, batch_stats = variables["params"], variables["batch_stats"]
    for _ in range(2):
        _, batch_stats = model.apply(
            {"params": params, "batch_stats": batch_stats}, x, train=True, mutable=["batch_stats"]
        )
    return model.apply({"params": params, "batch_stats": batch_stats}, x, train=False)


class _TrainStateWithStats(train_state.TrainState):
    batch_stats: Any


@case(
    "TypeError",
    "state = _TrainStateWithStats.create(",
    ("batch_stats=",),
    "train-state",
    X,
)
def linen_custom_train_state_created_without_its_stats(x):
    class ConvNetBN(nn.Module):
        @nn.compact
        def __call__(self, v, train):
            v = nn.Dense(8)(v)
            v = nn.BatchNorm(use_running_average=not train, momentum=0.9)(v)
            return nn.Dense(2)(nn.relu(v))

    model = ConvNetBN()
    variables = model.init(jax.random.key(0), x, train=False)
    state = _TrainStateWithStats.create(
        apply_fn=model.apply,
        params=variables["params"],
        tx=optax.sgd(0.1, momentum=0.9),
    )
    return state.step


@case(
    "TypeError",
    "carry = cell.initialize_carry(jax.random.key(1), (batch,), 16)",
    ("[:, 0].shape|input_shape|(batch, 3)|(batch, features)|(2, 3))",),
    "flax-linen",
    (jnp.ones((2, 5, 3)),),
)
def linen_lstm_carry_built_with_the_old_signature(xs):
    batch, steps, _ = xs.shape
    cell = nn.LSTMCell(features=16)
    carry = cell.initialize_carry(jax.random.key(1), (batch,), 16)
    variables = cell.init(jax.random.key(0), carry, xs[:, 0])
    outputs = []
    for t in range(steps):
        carry, y = cell.apply(variables, carry, xs[:, t])
        outputs.append(y)
    return jnp.stack(outputs, axis=1)


@case(
    "AttributeError",
    "self.layers.append(nn.Dense(self.n_classes))",
    ("self.layers = layers|+ [nn.Dense(self.n_classes)]|before assign|local list|[*",),
    "flax-linen",
    X,
)
def linen_setup_appends_head_to_assigned_layer_list(x):
    class MLP(nn.Module):
        widths: tuple = (16, 16)
        n_classes: int = 3

        def setup(self):
            self.layers = [nn.Dense(w) for w in self.widths]
            self.layers.append(nn.Dense(self.n_classes))

        def __call__(self, v):
            for layer in self.layers[:-1]:
                v = nn.relu(layer(v))
            return self.layers[-1](v)

    return MLP().init(jax.random.key(0), x)


@case(
    "ScopeCollectionNotFound",
    "h = h + nn.relu(nn.Dense(self.width)(h))",
    ("variable_axes=|variable_broadcast=",),
    "flax-linen",
    X,
)
def linen_scan_over_layers_without_variable_axes(x):
    class ResBlock(nn.Module):
        width: int

        @nn.compact
        def __call__(self, h, _):
            h = h + nn.relu(nn.Dense(self.width)(h))
            return h, None

    class Tower(nn.Module):
        @nn.compact
        def __call__(self, h):
            Stack = nn.scan(ResBlock, length=6, split_rngs={"params": True})
            h, _ = Stack(width=h.shape[-1])(h, None)
            return h

    return Tower().init(jax.random.key(0), x)


# --- Flax NNX: split/merge filters, metrics, transforms -------------------------------------------
@case(
    "ValueError",
    "graphdef, params = nnx.split(model, nnx.Param)",
    ("nnx.Param, nnx.BatchStat|nnx.Param, ...",),
    "flax-nnx",
    X,
)
def nnx_fine_tune_with_frozen_batchnorm_splits_params_only(x):
    rngs = nnx.Rngs(0)
    model = nnx.Sequential(
        nnx.Linear(3, 8, rngs=rngs), nnx.BatchNorm(8, rngs=rngs), nnx.Linear(8, 1, rngs=rngs)
    )
    model.eval()
    graphdef, params = nnx.split(model, nnx.Param)

    def loss_fn(p):
        out = nnx.merge(graphdef, p)(x)
        return jnp.mean(out**2)

    return jax.grad(loss_fn)(params)


@case(
    "ValueError",
    "net = nnx.merge(graphdef, p)",
    ("merge(graphdef, p, stats)|p, stats)|, stats)",),
    "flax-nnx",
    X,
)
def nnx_jitted_predict_merges_params_without_batch_stats(x):
    rngs = nnx.Rngs(0)
    model = nnx.Sequential(
        nnx.Linear(3, 8, rngs=rngs), nnx.BatchNorm(8, rngs=rngs), nnx.Linear(8, 2, rngs=rngs)
    )
    model.eval()
    graphdef, params, stats = nnx.split(model, nnx.Param, nnx.BatchStat)

    @jax.jit
    def predict(p, v):
        net = nnx.merge(graphdef, p)
        return jnp.argmax(net(v), axis=-1)

    return predict(params, x)


@case(
    "TypeError",
    "metrics.update(logits=logits, labels=labels)",
    ("loss=loss|update(loss=",),
    "metrics-logging",
    (X[0], jnp.array([0, 2, 1, 0])),
)
def nnx_eval_metrics_updated_without_the_loss(x, labels):
    model = nnx.Linear(3, 3, rngs=nnx.Rngs(0))
    metrics = nnx.MultiMetric(
        accuracy=nnx.metrics.Accuracy(),
        loss=nnx.metrics.Average("loss"),
    )
    logits = model(x)
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
    metrics.update(logits=logits, labels=labels)
    return metrics.compute(), loss


@case(
    "ValueError",
    "metrics.update(loss=loss, logits=logits, labels=targets)",
    ("argmax",),
    "metrics-logging",
    (X[0], jnp.array([0, 2, 1, 0])),
)
def nnx_accuracy_metric_fed_one_hot_targets(x, labels):
    model = nnx.Linear(3, 3, rngs=nnx.Rngs(0))
    metrics = nnx.MultiMetric(
        accuracy=nnx.metrics.Accuracy(),
        loss=nnx.metrics.Average("loss"),
    )
    targets = jax.nn.one_hot(labels, 3)
    logits = model(x)
    loss = optax.softmax_cross_entropy(logits, targets).mean()
    metrics.update(loss=loss, logits=logits, labels=targets)
    return metrics.compute()


@case(
    "ValueError",
    "optimizer.update(model, grads)",
    ("argnums=1|loss_fn(model, batch|(model, batch",),
    "flax-nnx",
    (X[0], jnp.array([0.5, -0.5, 1.0, 0.0])),
)
def nnx_value_and_grad_with_the_batch_as_first_argument(x, y):
    model = nnx.Linear(3, 1, rngs=nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.adam(1e-3), wrt=nnx.Param)

    def loss_fn(batch, model):
        inputs, targets = batch
        return jnp.mean((model(inputs)[:, 0] - targets) ** 2)

    loss, grads = nnx.value_and_grad(loss_fn)((x, y), model)
    optimizer.update(model, grads)
    return loss


# --- Equinox: immutable modules, filtering, ensembles, state --------------------------------------
@case(
    "RuntimeError",
    "return self.head(self.dropout(h, key=key))",
    ("= eqx.nn.inference_mode(",),
    "equinox",
    X,
)
def eqx_inference_mode_result_thrown_away(x):
    class Regressor(eqx.Module):
        body: eqx.nn.Linear
        dropout: eqx.nn.Dropout
        head: eqx.nn.Linear

        def __init__(self, key):
            k1, k2 = jax.random.split(key)
            self.body = eqx.nn.Linear(3, 16, key=k1)
            self.dropout = eqx.nn.Dropout(0.3)
            self.head = eqx.nn.Linear(16, 1, key=k2)

        def __call__(self, v, key=None):
            h = jax.nn.relu(self.body(v))
            return self.head(self.dropout(h, key=key))

    model = Regressor(jax.random.key(0))
    eqx.nn.inference_mode(model)
    return jax.vmap(model)(x)


@case(
    "TypeError",
    "model = optax.apply_updates(model, updates)",
    ("eqx.apply_updates",),
    "equinox",
    (X[0], jnp.array([0.5, -0.5, 1.0, 0.0])),
)
def eqx_training_step_applies_updates_with_optax(x, y):
    model = eqx.nn.MLP(3, "scalar", width_size=16, depth=2, key=jax.random.key(0))
    optim = optax.adamw(1e-3)
    opt_state = optim.init(eqx.filter(model, eqx.is_array))

    def loss(m):
        return jnp.mean((jax.vmap(m)(x) - y) ** 2)

    grads = eqx.filter_grad(loss)(model)
    updates, opt_state = optim.update(grads, opt_state, eqx.filter(model, eqx.is_array))
    model = optax.apply_updates(model, updates)
    return jax.vmap(model)(x)


@case(
    "TypeError",
    "ensemble = jax.vmap(make_member)(keys)",
    ("eqx.filter_vmap",),
    "equinox",
    X,
)
def eqx_ensemble_of_mlps_built_with_jax_vmap(x):
    def make_member(key):
        return eqx.nn.MLP(3, 1, width_size=8, depth=2, key=key)

    keys = jax.random.split(jax.random.key(0), 5)
    ensemble = jax.vmap(make_member)(keys)
    params, static = eqx.partition(ensemble, eqx.is_array)

    def predict(p, v):
        return jax.vmap(eqx.combine(p, static))(v)

    return jax.vmap(predict, in_axes=(0, None))(params, x).mean(axis=0)


@case(
    "ValueError",
    'out, state = jax.vmap(model, axis_name="batch")(x, state)',
    ("in_axes=(0, None)",),
    "stateful-layers",
    X,
)
def eqx_batchnorm_model_vmapped_over_its_state(x):
    class Net(eqx.Module):
        linear: eqx.nn.Linear
        norm: eqx.nn.BatchNorm

        def __init__(self, key):
            self.linear = eqx.nn.Linear(3, 8, key=key)
            self.norm = eqx.nn.BatchNorm(8, axis_name="batch")

        def __call__(self, v, state):
            h, state = self.norm(self.linear(v), state)
            return jax.nn.relu(h), state

    model, state = eqx.nn.make_with_state(Net)(jax.random.key(0))
    out, state = jax.vmap(model, axis_name="batch")(x, state)
    return out.mean()


# --- Haiku: init/apply, module rules, parameter trees ---------------------------------------------
@case(
    "ValueError",
    "params = forward.init(x, jax.random.key(42))",
    ("init(jax.random.key(42), x)|init(jax.random.PRNGKey(42), x)|init(key, x)|init(rng, x)",),
    "haiku",
    X,
)
def haiku_init_given_the_batch_before_the_key(x):
    def net(v):
        return hk.nets.MLP([16, 16, 2])(v)

    forward = hk.without_apply_rng(hk.transform(net))
    params = forward.init(x, jax.random.key(42))
    return forward.apply(params, x)


@case(
    "TypeError",
    "h = hk.BatchNorm(create_scale=True, create_offset=True, decay_rate=0.99)(h)",
    ("is_training=|(h, is_training)|h, is_training)",),
    "stateful-layers",
    X,
)
def haiku_batchnorm_called_without_is_training(x):
    def net(v, is_training):
        h = hk.Linear(16)(v)
        h = hk.BatchNorm(create_scale=True, create_offset=True, decay_rate=0.99)(h)
        return hk.Linear(1)(jax.nn.relu(h))

    forward = hk.transform_with_state(net)
    params, state = forward.init(jax.random.key(0), x, True)
    out, state = forward.apply(params, state, None, x, True)
    return out


@case(
    "TypeError",
    "trainable, frozen = hk.data_structures.partition(",
    ("module_name|lambda m, n, v|lambda m, n, p|lambda m, n, _|lambda mod, name",),
    "haiku",
    X,
)
def haiku_fine_tune_partition_with_a_two_argument_predicate(x):
    forward = hk.without_apply_rng(hk.transform(lambda v: hk.nets.MLP([16, 16, 2])(v)))
    params = forward.init(jax.random.key(0), x)
    trainable, frozen = hk.data_structures.partition(
        lambda name, value: name.endswith("linear_2"), params
    )

    def loss_fn(trainable):
        merged = hk.data_structures.merge(trainable, frozen)
        return jnp.mean(forward.apply(merged, x) ** 2)

    return jax.grad(loss_fn)(trainable)


@case(
    "TypeError",
    'w = hk.get_parameter("w", [v.shape[-1], self.out], init=jax.random.normal)',
    ("hk.initializers.",),
    "haiku",
    X,
)
def haiku_parameter_initialised_with_jax_random_normal(x):
    class Projection(hk.Module):
        def __init__(self, out, name=None):
            super().__init__(name=name)
            self.out = out

        def __call__(self, v):
            w = hk.get_parameter("w", [v.shape[-1], self.out], init=jax.random.normal)
            b = hk.get_parameter("b", [self.out], init=jnp.zeros)
            return v @ w + b

    forward = hk.without_apply_rng(hk.transform(lambda v: Projection(4)(v)))
    return forward.init(jax.random.key(0), x)


@case(
    "AssertionError",
    "hs, _ = hk.scan(step, jnp.zeros(4), xs)",
    ("outside|cell = hk.Linear|proj = hk.Linear|layer = hk.Linear|lin = hk.Linear",),
    "haiku",
    (jnp.ones((6, 3)),),
)
def haiku_rnn_step_creates_its_linear_inside_scan(xs):
    def net(xs):
        def step(h, x_t):
            h = jnp.tanh(hk.Linear(4)(jnp.concatenate([x_t, h])))
            return h, h

        hs, _ = hk.scan(step, jnp.zeros(4), xs)
        return hs

    forward = hk.without_apply_rng(hk.transform(net))
    return forward.init(jax.random.key(0), xs)


# --- Optax: schedules, losses, optimiser state ----------------------------------------------------
@case(
    "TypeError",
    "lr = schedule(step)",
    ("boundaries=[|[warmup_steps]|[100]",),
    "schedules",
    (jnp.array(250),),
)
def optax_warmup_then_cosine_joined_with_an_int_boundary(step):
    warmup_steps = 100
    warmup = optax.linear_schedule(0.0, 3e-4, transition_steps=warmup_steps)
    decay = optax.cosine_decay_schedule(3e-4, decay_steps=900)
    schedule = optax.join_schedules([warmup, decay], boundaries=warmup_steps)
    lr = schedule(step)
    return lr


@case(
    "TypeError",
    "schedule = optax.warmup_cosine_decay_schedule(",
    ("decay_steps=",),
    "schedules",
    ({"w": jnp.ones((3, 2)), "b": jnp.zeros(2)},),
)
def optax_warmup_cosine_given_total_steps(params):
    config = {"lr": 3e-4, "warmup": 500, "train_steps": 10_000}
    schedule = optax.warmup_cosine_decay_schedule(
        init_value=0.0,
        peak_value=config["lr"],
        warmup_steps=config["warmup"],
        total_steps=config["train_steps"],
    )
    tx = optax.adamw(schedule, weight_decay=0.05)
    return tx.init(params)


@case(
    "TypeError",
    "return optax.softmax_cross_entropy_with_integer_labels(logits, batch[:, -1]).mean()",
    ("astype(jnp.int32)|astype(int)|astype(jnp.int|astype(\"int|astype('int|jnp.int32)",),
    "losses",
    (jnp.array([[0.1, 0.4, 0.2, 0.0], [0.9, -0.3, 0.5, 2.0], [0.2, 0.2, -0.1, 1.0]]),),
)
def optax_class_column_read_from_a_float_table(batch):
    w = jnp.full((3, 3), 0.1)
    logits = batch[:, :3] @ w
    return optax.softmax_cross_entropy_with_integer_labels(logits, batch[:, -1]).mean()


@case(
    "ValueError",
    "updates, opt_state = tx.update(grads, opt_state, params)",
    ("init(variables[\"params\"])|init(variables['params'])|init(params)",),
    "init-update-apply",
    X,
)
def optax_state_initialised_on_params_and_batch_stats(x):
    class ConvNetBN(nn.Module):
        @nn.compact
        def __call__(self, v, train):
            v = nn.Dense(8)(v)
            v = nn.BatchNorm(use_running_average=not train, momentum=0.9)(v)
            return nn.Dense(2)(nn.relu(v))

    model = ConvNetBN()
    variables = model.init(jax.random.key(0), x, train=False)
    tx = optax.adam(1e-3)
    opt_state = tx.init(variables)
    params = variables["params"]

    def loss_fn(p):
        out, _ = model.apply(
            {"params": p, "batch_stats": variables["batch_stats"]},
            x,
            train=True,
            mutable=["batch_stats"],
        )
        return jnp.mean(out**2)

    grads = jax.grad(loss_fn)(params)
    updates, opt_state = tx.update(grads, opt_state, params)
    return optax.apply_updates(params, updates)


@case(
    "ValueError",
    "losses = optax.softmax_cross_entropy_with_integer_labels(logits, labels)",
    ("logits.reshape(|(logits, targets)|remove the reshape|drop the reshape|without reshap",),
    "losses",
    (jnp.ones((2, 6)), jnp.array([[1, 4, 2, 0, 3, 5], [2, 2, 1, 0, 4, 4]])),
)
def optax_language_model_loss_on_flattened_targets(embeds, targets):
    vocab = 7
    w_out = jnp.full((1, vocab), 0.1)
    logits = embeds[..., None] @ w_out
    labels = targets.reshape(-1)
    losses = optax.softmax_cross_entropy_with_integer_labels(logits, labels)
    return losses.mean()


# --- silent sharp bits ----------------------------------------------------------------------------
@sharp(
    "unrolled",
    "for i in range(16):",
    "loops-compile-time",
    ({"w": jnp.full((3, 1), 0.1)}, jnp.ones((64, 3)), jnp.zeros((64, 1))),
)
def optax_gradient_accumulation_over_sixteen_micro_batches(params, xs, ys):
    tx = optax.adam(1e-3)
    opt_state = tx.init(params)

    def loss_fn(p, x, y):
        return jnp.mean((x @ p["w"] - y) ** 2)

    acc = jax.tree.map(jnp.zeros_like, params)
    for i in range(16):
        g = jax.grad(loss_fn)(params, xs[i * 4 : (i + 1) * 4], ys[i * 4 : (i + 1) * 4])
        acc = jax.tree.map(lambda a, b: a + b / 16, acc, g)
    updates, opt_state = tx.update(acc, opt_state)
    return optax.apply_updates(params, updates)


@sharp(
    "static",
    "lr = schedule(step)",
    "retracing",
    ({"w": jnp.full((3, 1), 0.1)}, jnp.ones((8, 3))),
    kwargs={"step": 120},
    static_argnames=("step",),
)
def sgd_step_with_the_step_counter_marked_static(params, x, step):
    schedule = optax.warmup_cosine_decay_schedule(0.0, 1e-2, warmup_steps=100, decay_steps=1000)
    lr = schedule(step)
    grads = jax.grad(lambda p: jnp.mean((x @ p["w"]) ** 2))(params)
    return jax.tree.map(lambda p, g: p - lr * g, params, grads)


@sharp("constant", "emb = _GLOVE[tokens]", "closed-over-constants", (jnp.array([[3, 17, 256, 9]]),))
def linen_classifier_on_a_global_pretrained_embedding(tokens):
    class BagOfWords(nn.Module):
        @nn.compact
        def __call__(self, tokens):
            emb = _GLOVE[tokens]
            return nn.Dense(2)(emb.mean(axis=1))

    model = BagOfWords()
    variables = model.init(jax.random.key(0), tokens)
    return model.apply(variables, tokens)
