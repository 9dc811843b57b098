"""A fourteenth batch, written blind from the training libraries' gotchas, migration and FAQ pages: each expectation was checked against the libraries themselves, not the coach."""  # noqa: E501

import equinox as eqx
import flax.linen as nn
import haiku as hk
import jax
import jax.numpy as jnp
import optax
from flax import nnx
from flax.training import train_state

from . import case, sharp

X = (jnp.ones((2, 3)),)
XY = (jnp.ones((2, 3)), jnp.array([0.5, -1.0]))
W = jnp.full((3,), 0.1)


def _params():
    return {"w": jnp.ones((3, 2)), "b": jnp.zeros((2,))}


# --- Flax NNX: modules, Rngs, optimizer, split and merge ------------------------------------------
@case("TypeError", "nnx.Optimizer(model, optax.adam(1e-3))", ("wrt=",), "train-state", X)
def nnx_optimizer_without_wrt(x):
    model = nnx.Linear(3, 1, rngs=nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.adam(1e-3))
    return model(x), optimizer


@case(
    "TypeError",
    "optimizer.update(grads)",
    ("update(model, grads)",),
    "train-state",
    XY,
)
def nnx_update_with_grads_only(x, y):
    model = nnx.Linear(3, 1, rngs=nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.sgd(0.1), wrt=nnx.Param)
    grads = nnx.grad(lambda m: jnp.mean((m(x)[:, 0] - y) ** 2))(model)
    optimizer.update(grads)
    return model(x)


@case("ValueError", "self.blocks = [", ("nnx.List|nnx.data",), "flax-nnx", X)
def nnx_plain_list_of_blocks(x):
    class Tower(nnx.Module):
        def __init__(self, rngs):
            self.blocks = [nnx.Linear(3, 3, rngs=rngs) for _ in range(2)]

        def __call__(self, v):
            for block in self.blocks:
                v = block(v)
            return v

    return Tower(nnx.Rngs(0))(x)


@case(
    "AttributeError",
    "nnx.Linear(3, 4, rngs=jax.random.key(0))",
    ("nnx.Rngs(",),
    "flax-nnx",
    X,
)
def nnx_linear_given_a_raw_key(x):
    layer = nnx.Linear(3, 4, rngs=jax.random.key(0))
    return layer(x)


@case(
    "ValueError",
    "return self.drop(nnx.relu(self.lin(v)))",
    ("rngs=|deterministic=True|.eval()",),
    "stateful-layers",
    X,
)
def nnx_dropout_built_without_rngs(x):
    class Head(nnx.Module):
        def __init__(self, rngs):
            self.lin = nnx.Linear(3, 3, rngs=rngs)
            self.drop = nnx.Dropout(0.5)

        def __call__(self, v):
            return self.drop(nnx.relu(self.lin(v)))

    return Head(nnx.Rngs(0))(x)


@case(
    "KeyError",
    "self.drop = nnx.Dropout(0.2, rngs=rngs)",
    ("dropout=|nnx.Rngs(0)|default",),
    "stateful-layers",
    X,
)
def nnx_rngs_without_a_dropout_stream(x):
    class Head(nnx.Module):
        def __init__(self, rngs):
            self.lin = nnx.Linear(3, 3, rngs=rngs)
            self.drop = nnx.Dropout(0.2, rngs=rngs)

        def __call__(self, v):
            return self.drop(self.lin(v))

    return Head(nnx.Rngs(params=0))(x)


@case(
    "TypeError",
    "jax.random.normal(rngs, (3, 4))",
    ("rngs.params()|rngs()|rngs.default()",),
    "flax-nnx",
    X,
)
def nnx_rngs_passed_as_a_key(x):
    class Projection(nnx.Module):
        def __init__(self, rngs):
            self.w = nnx.Param(jax.random.normal(rngs, (3, 4)))

        def __call__(self, v):
            return v @ self.w

    return Projection(nnx.Rngs(0))(x)


@case(
    "ValueError",
    "graphdef, params, batch_stats = nnx.split(model)",
    ("nnx.Param, nnx.BatchStat",),
    "stateful-layers",
    X,
)
def nnx_split_into_three_without_filters(x):
    rngs = nnx.Rngs(0)
    model = nnx.Sequential(nnx.Linear(3, 4, rngs=rngs), nnx.BatchNorm(4, rngs=rngs))
    graphdef, params, batch_stats = nnx.split(model)
    return nnx.merge(graphdef, params, batch_stats)(x)


@case(
    "TypeError",
    "nnx.merge(state, graphdef)",
    ("nnx.merge(graphdef, state)|graphdef, state",),
    "flax-nnx",
    X,
)
def nnx_merge_with_arguments_swapped(x):
    graphdef, state = nnx.split(nnx.Linear(3, 2, rngs=nnx.Rngs(0)))
    model = nnx.merge(state, graphdef)
    return model(x)


@case(
    "ValueError",
    "return conv(images)",
    ("NHWC|channels last|channels-last|transpose|moveaxis",),
    "flax-nnx",
    (jnp.ones((1, 3, 8, 8)),),
)
def nnx_conv_on_channels_first_images(images):
    conv = nnx.Conv(3, 8, kernel_size=(3, 3), rngs=nnx.Rngs(0))
    return conv(images)


# --- Flax Linen: init, apply, collections, setup and compact --------------------------------------
@case(
    "ApplyScopeInvalidVariablesTypeError",
    "model.apply(params, x)",
    ("\"params\"|'params'",),
    "flax-linen",
    X,
)
def linen_apply_with_bare_params(x):
    model = nn.Dense(2)
    params = model.init(jax.random.key(0), x)["params"]
    return model.apply(params, x)


class _DropBlock(nn.Module):
    @nn.compact
    def __call__(self, v, train):
        v = nn.Dense(3)(v)
        return nn.Dropout(0.3, deterministic=not train)(v)


@case(
    "InvalidRngError",
    "model.apply(variables, x, train=True)",
    ("rngs=", "dropout"),
    "stateful-layers",
    X,
)
def linen_dropout_train_without_rng(x):
    model = _DropBlock()
    variables = model.init(jax.random.key(0), x, train=False)
    return model.apply(variables, x, train=True)


@case(
    "ModifyScopeVariableError",
    "model.apply(variables, x)",
    ("mutable=", "batch_stats"),
    "stateful-layers",
    X,
)
def linen_batchnorm_train_without_mutable(x):
    model = nn.BatchNorm(use_running_average=False)
    variables = model.init(jax.random.key(0), x)
    return model.apply(variables, x)


@case(
    "AttributeError",
    "return out.mean()",
    ("updates|new_state|tuple|unpack|, state|, batch_stats",),
    "stateful-layers",
    X,
)
def linen_mutable_apply_used_as_array(x):
    model = nn.BatchNorm(use_running_average=False)
    variables = model.init(jax.random.key(0), x)
    out = model.apply(variables, x, mutable=["batch_stats"])
    return out.mean()


@case(
    "ValueError",
    "nn.BatchNorm()(v)",
    ("use_running_average",),
    "stateful-layers",
    X,
)
def linen_batchnorm_mode_never_given(x):
    class Net(nn.Module):
        @nn.compact
        def __call__(self, v):
            v = nn.Dense(3)(v)
            return nn.BatchNorm()(v)

    return Net().init(jax.random.key(0), x)


@case(
    "AssignSubModuleError",
    "self.hidden = nn.Dense(4)",
    ("compact|setup",),
    "flax-linen",
    X,
)
def linen_submodule_assigned_in_call(x):
    class Net(nn.Module):
        def __call__(self, v):
            self.hidden = nn.Dense(4)
            return self.hidden(v)

    return Net().init(jax.random.key(0), x)


@case(
    "AttributeError",
    "model.encoder",
    ("bind|method=|apply(",),
    "flax-linen",
    X,
)
def linen_setup_submodule_read_outside_apply(x):
    class AutoEncoder(nn.Module):
        def setup(self):
            self.encoder = nn.Dense(2)
            self.decoder = nn.Dense(3)

        def __call__(self, v):
            return self.decoder(self.encoder(v))

    model = AutoEncoder()
    variables = model.init(jax.random.key(0), x)
    codes = model.encoder.apply({"params": variables["params"]["encoder"]}, x)
    return codes


@case(
    "TypeError",
    'self.param("bias", jnp.zeros, (4,))',
    ("initializers.zeros|lambda key|lambda rng|lambda _",),
    "flax-linen",
    X,
)
def linen_param_with_jnp_zeros_as_init(x):
    class Affine(nn.Module):
        @nn.compact
        def __call__(self, v):
            bias = self.param("bias", jnp.zeros, (4,))
            return nn.Dense(4, use_bias=False)(v) + bias

    return Affine().init(jax.random.key(0), x)


@case(
    "TypeError",
    "nn.Dense(4, kernel_init=nn.initializers.normal)(v)",
    ("normal()|normal(stddev|normal(0.",),
    "flax-linen",
    X,
)
def linen_initializer_factory_not_called(x):
    class Net(nn.Module):
        @nn.compact
        def __call__(self, v):
            return nn.Dense(4, kernel_init=nn.initializers.normal)(v)

    return Net().init(jax.random.key(0), x)


@case(
    "TypeError",
    "state.apply_gradients(grads)",
    ("grads=",),
    "train-state",
    X,
)
def linen_apply_gradients_positional(x):
    model = nn.Dense(1)
    params = model.init(jax.random.key(0), x)["params"]
    state = train_state.TrainState.create(apply_fn=model.apply, params=params, tx=optax.sgd(0.1))
    grads = jax.grad(lambda p: jnp.mean(state.apply_fn({"params": p}, x) ** 2))(state.params)
    return state.apply_gradients(grads)


@case(
    "TypeError",
    "batch_stats=stats)",
    ("subclass|class TrainState|(train_state.TrainState)|(TrainState)",),
    "train-state",
    X,
)
def linen_trainstate_given_batch_stats(x):
    model = nn.BatchNorm(use_running_average=False)
    variables = model.init(jax.random.key(0), x)
    params, stats = variables["params"], variables["batch_stats"]
    create = train_state.TrainState.create
    return create(apply_fn=model.apply, params=params, tx=optax.adam(1e-3), batch_stats=stats)


@case(
    "ValueError",
    "state.apply_gradients(grads=grads)",
    ("variables[\"params\"]|variables['params']|params=params",),
    "train-state",
    X,
)
def linen_trainstate_built_from_whole_variables(x):
    model = nn.Dense(1)
    variables = model.init(jax.random.key(0), x)
    state = train_state.TrainState.create(apply_fn=model.apply, params=variables, tx=optax.sgd(0.1))
    grads = jax.grad(lambda p: jnp.mean(model.apply({"params": p}, x) ** 2))(variables["params"])
    return state.apply_gradients(grads=grads)


# --- Optax: update, apply_updates, chains, hyperparameters, masks ---------------------------------
@case(
    "ValueError",
    "tx.update(grads, opt_state)",
    ("update(grads, opt_state, params)|, params)|params=",),
    "init-update-apply",
    (),
)
def optax_adamw_update_without_params():
    params = _params()
    tx = optax.adamw(1e-3, weight_decay=1e-2)
    opt_state = tx.init(params)
    grads = jax.tree.map(jnp.ones_like, params)
    updates, opt_state = tx.update(grads, opt_state)
    return optax.apply_updates(params, updates)


@case(
    "ValueError",
    "optax.apply_updates(params, step)",
    ("updates, opt_state|updates, state|unpack|, new_state",),
    "init-update-apply",
    (),
)
def optax_apply_the_update_pair():
    params = _params()
    tx = optax.adam(1e-2)
    opt_state = tx.init(params)
    step = tx.update(jax.tree.map(jnp.ones_like, params), opt_state)
    return optax.apply_updates(params, step)


@case(
    "TypeError",
    "optax.inject_hyperparams(optax.adam(learning_rate=1e-3))",
    ("inject_hyperparams(optax.adam)",),
    "schedules",
    (),
)
def optax_inject_hyperparams_on_a_built_optimizer():
    tx = optax.inject_hyperparams(optax.adam(learning_rate=1e-3))
    return tx.init(_params())


@case(
    "AttributeError",
    'opt_state.hyperparams["learning_rate"]',
    ("inject_hyperparams",),
    "schedules",
    (),
)
def optax_lower_lr_without_inject_hyperparams():
    params = _params()
    tx = optax.sgd(0.1)
    opt_state = tx.init(params)
    opt_state.hyperparams["learning_rate"] = 0.01
    return opt_state


@case(
    "TypeError",
    "-schedule * g",
    ("(step)|(count)|schedule(",),
    "schedules",
    (),
)
def optax_schedule_used_as_a_number():
    params = _params()
    grads = jax.tree.map(jnp.ones_like, params)
    schedule = optax.warmup_cosine_decay_schedule(0.0, 1e-2, 10, 100)
    updates = jax.tree.map(lambda g: -schedule * g, grads)
    return optax.apply_updates(params, updates)


@case(
    "ValueError",
    "tx.init(params)",
    ('"b"|same structure|every leaf|each leaf|callable|lambda',),
    "per-param-transforms",
    (),
)
def optax_mask_missing_a_leaf():
    params = _params()
    tx = optax.masked(optax.add_decayed_weights(1e-4), {"w": True})
    return tx.init(params)


@case(
    "ValueError",
    "tx.init(params)",
    ("set_to_zero|\"frozen\"|'frozen'",),
    "per-param-transforms",
    (),
)
def optax_label_without_a_transform():
    params = _params()
    labels = {"w": "train", "b": "frozen"}
    tx = optax.multi_transform({"train": optax.adam(1e-3)}, labels)
    return tx.init(params)


@case(
    "AttributeError",
    "optax.MultiSteps(optax.adam, every_k_schedule=4)",
    ("optax.adam(",),
    "grad-accumulation",
    (),
)
def optax_multisteps_given_the_factory():
    tx = optax.MultiSteps(optax.adam, every_k_schedule=4)
    return tx.init(_params())


@case(
    "ValueError",
    "optax.softmax_cross_entropy(logits, labels)",
    ("softmax_cross_entropy_with_integer_labels|one_hot",),
    "losses",
    (jnp.ones((4, 3)), jnp.array([0, 2, 1, 1])),
)
def optax_dense_cross_entropy_with_class_ids(logits, labels):
    return optax.softmax_cross_entropy(logits, labels).mean()


@case(
    "TypeError",
    "optax.softmax_cross_entropy_with_integer_labels(logits, targets)",
    ("argmax|softmax_cross_entropy(",),
    "losses",
    (jnp.ones((4, 3)), jax.nn.one_hot(jnp.array([0, 2, 1, 1]), 3)),
)
def optax_integer_cross_entropy_with_one_hot(logits, targets):
    return optax.softmax_cross_entropy_with_integer_labels(logits, targets).mean()


@case(
    "TypeError",
    "tx.update(grads, opt_state, params)",
    ("value=",),
    "schedules",
    (),
)
def optax_plateau_without_the_loss_value():
    params = _params()
    tx = optax.chain(optax.adam(1e-2), optax.contrib.reduce_on_plateau(patience=2))
    opt_state = tx.init(params)
    grads = jax.tree.map(jnp.ones_like, params)
    updates, opt_state = tx.update(grads, opt_state, params)
    return updates


@case(
    "TypeError",
    "opt.update(grads, opt_state, w)",
    ("value_fn=|value_and_grad_from_state",),
    "optimizers",
    (W,),
)
def optax_lbfgs_updated_like_adam(w):
    def loss(p):
        return jnp.sum((p - 1.0) ** 2)

    opt = optax.lbfgs()
    opt_state = opt.init(w)
    grads = jax.grad(loss)(w)
    updates, opt_state = opt.update(grads, opt_state, w)
    return optax.apply_updates(w, updates)


@case(
    "TypeError",
    "tx.update(grads, opt_state)",
    ("float(|1e-3",),
    "optimizers",
    (),
)
def optax_learning_rate_read_as_string():
    config = {"lr": "1e-3"}
    params = _params()
    tx = optax.adam(config["lr"])
    opt_state = tx.init(params)
    grads = jax.tree.map(jnp.ones_like, params)
    updates, opt_state = tx.update(grads, opt_state)
    return updates


@case(
    "AttributeError",
    "optax.chain([optax.clip(1.0), optax.sgd(0.1)])",
    ("optax.chain(optax.clip|separate argument|positional argument|unpack|*[",),
    "chain-clip",
    (),
)
def optax_chain_given_a_list():
    tx = optax.chain([optax.clip(1.0), optax.sgd(0.1)])
    return tx.init(_params())


# --- Equinox: filtered transforms, unbatched layers, keys, state, tree_at -------------------------
@case(
    "TypeError",
    "jax.grad(loss)(model, x)",
    ("eqx.filter_grad|eqx.filter_value_and_grad",),
    "equinox",
    X,
)
def eqx_plain_grad_on_an_mlp(x):
    model = eqx.nn.MLP(3, "scalar", width_size=4, depth=1, key=jax.random.key(0))

    def loss(m, v):
        return jnp.mean(jax.vmap(m)(v) ** 2)

    return jax.grad(loss)(model, x)


@case(
    "ValueError",
    "return conv(images)",
    ("jax.vmap|eqx.filter_vmap",),
    "equinox",
    (jnp.ones((2, 1, 6, 6)),),
)
def eqx_conv_on_a_whole_batch(images):
    conv = eqx.nn.Conv2d(1, 4, kernel_size=3, key=jax.random.key(0))
    return conv(images)


@case(
    "RuntimeError",
    "return drop(h)",
    ("key=|inference=True|inference_mode",),
    "stateful-layers",
    (jnp.ones(3),),
)
def eqx_dropout_in_training_without_key(x):
    layer = eqx.nn.Linear(3, 3, key=jax.random.key(0))
    drop = eqx.nn.Dropout(0.4)
    h = layer(x)
    return drop(h)


@case(
    "TypeError",
    "return bn(x)",
    ("make_with_state|eqx.nn.State",),
    "stateful-layers",
    (jnp.ones(4),),
)
def eqx_batchnorm_called_without_state(x):
    bn = eqx.nn.BatchNorm(4, axis_name="batch")
    return bn(x)


@case(
    "NameError",
    "bn(x, state)",
    ("axis_name=|jax.vmap|filter_vmap",),
    "stateful-layers",
    (jnp.ones(4),),
)
def eqx_batchnorm_outside_a_named_vmap(x):
    bn, state = eqx.nn.make_with_state(eqx.nn.BatchNorm)(4, axis_name="batch")
    out, state = bn(x, state)
    return out


@case(
    "TypeError",
    'eqx.nn.make_with_state(eqx.nn.BatchNorm(4, axis_name="batch"))',
    ("make_with_state(eqx.nn.BatchNorm)|the class",),
    "stateful-layers",
    (),
)
def eqx_make_with_state_given_an_instance():
    bn, state = eqx.nn.make_with_state(eqx.nn.BatchNorm(4, axis_name="batch"))()
    return state


@case(
    "TypeError",
    "eqx.tree_at(lambda m: m.weight * 0.5, layer, shrunk)",
    ("lambda m: m.weight|replace_fn",),
    "equinox",
    (),
)
def eqx_tree_at_where_computes_a_value():
    layer = eqx.nn.Linear(3, 4, key=jax.random.key(0))
    shrunk = layer.weight * 0.5
    return eqx.tree_at(lambda m: m.weight * 0.5, layer, shrunk)


@case(
    "FrozenInstanceError",
    "layer.weight = layer.weight * 0.5",
    ("eqx.tree_at",),
    "equinox",
    (),
)
def eqx_module_attribute_assigned():
    layer = eqx.nn.Linear(3, 4, key=jax.random.key(0))
    layer.weight = layer.weight * 0.5
    return layer


@case(
    "TypeError",
    "Scaler(jnp.ones(3))",
    ("self.shift|every field|all fields|default",),
    "equinox",
    (),
)
def eqx_field_left_unset_in_init():
    class Scaler(eqx.Module):
        scale: jax.Array
        shift: jax.Array

        def __init__(self, scale):
            self.scale = scale

        def __call__(self, v):
            return v * self.scale + self.shift

    return Scaler(jnp.ones(3))(jnp.ones(3))


@case(
    "TypeError",
    "return model(x)",
    ("eqx.nn.Lambda",),
    "equinox",
    (jnp.ones(3),),
)
def eqx_sequential_with_a_bare_activation(x):
    k1, k2 = jax.random.split(jax.random.key(0))
    model = eqx.nn.Sequential(
        [eqx.nn.Linear(3, 4, key=k1), jax.nn.relu, eqx.nn.Linear(4, 1, key=k2)]
    )
    return model(x)


@case(
    "TypeError",
    "eqx.filter_grad(lambda m: m(x))(model)",
    ("\"scalar\"|'scalar'|squeeze|[0]|sum|mean",),
    "equinox",
    (jnp.ones(3),),
)
def eqx_mlp_with_out_size_one(x):
    model = eqx.nn.MLP(3, 1, width_size=4, depth=1, key=jax.random.key(0))
    return eqx.filter_grad(lambda m: m(x))(model)


@case(
    "AttributeError",
    "sum(leaf.size for leaf in jax.tree.leaves(model))",
    ("eqx.is_array|eqx.filter",),
    "params-as-pytrees",
    (),
)
def eqx_count_parameters_over_all_leaves():
    model = eqx.nn.MLP(3, 2, width_size=8, depth=2, key=jax.random.key(0))
    return sum(leaf.size for leaf in jax.tree.leaves(model))


@case(
    "TypeError",
    "jax.jit(step)(params, static, x)",
    ("static_argnums|eqx.filter_jit",),
    "equinox",
    X,
)
def eqx_partitioned_static_half_through_jit(x):
    model = eqx.nn.MLP(3, 1, width_size=4, depth=1, key=jax.random.key(0))
    params, static = eqx.partition(model, eqx.is_array)

    def step(p, s, v):
        return jax.vmap(eqx.combine(p, s))(v).sum()

    return jax.jit(step)(params, static, x)


# --- Haiku: transform, state, rngs, module rules --------------------------------------------------
@case(
    "ValueError",
    "forward.apply(params, x)",
    ("without_apply_rng|None",),
    "haiku",
    X,
)
def hk_apply_without_an_rng_argument(x):
    forward = hk.transform(lambda v: hk.Linear(2)(v))
    params = forward.init(jax.random.key(0), x)
    return forward.apply(params, x)


@case(
    "NonEmptyStateError",
    "forward.init(jax.random.key(0), x)",
    ("hk.transform_with_state",),
    "haiku",
    X,
)
def hk_batchnorm_under_plain_transform(x):
    def net(v):
        return hk.BatchNorm(True, True, 0.9)(v, is_training=True)

    forward = hk.transform(net)
    return forward.init(jax.random.key(0), x)


def _noisy_head(v):
    return hk.dropout(hk.next_rng_key(), 0.5, hk.Linear(3)(v))


@case(
    "MissingRNGError",
    "forward.apply(params, x)",
    ("without_apply_rng|apply(params, key|apply(params, rng",),
    "haiku",
    X,
)
def hk_dropout_with_apply_rng_removed(x):
    forward = hk.without_apply_rng(hk.transform(_noisy_head))
    params = forward.init(jax.random.key(0), x)
    return forward.apply(params, x)


@case(
    "ValueError",
    "hk.dropout(hk.next_rng_key(), h, 0.5)",
    ("hk.dropout(hk.next_rng_key(), 0.5|rng, rate, x",),
    "haiku",
    X,
)
def hk_dropout_arguments_in_torch_order(x):
    def net(v):
        h = hk.Linear(3)(v)
        return hk.dropout(hk.next_rng_key(), h, 0.5)

    forward = hk.transform(net)
    return forward.init(jax.random.key(0), x)


@case(
    "ValueError",
    "Scale(3)",
    ("super(",),
    "haiku",
    X,
)
def hk_module_without_super_init(x):
    class Scale(hk.Module):
        def __init__(self, size):
            self.size = size

        def __call__(self, v):
            return v * hk.get_parameter("scale", [self.size], init=jnp.ones)

    forward = hk.transform(lambda v: Scale(3)(v))
    return forward.init(jax.random.key(0), x)


@case("TypeError", "hk.vmap(layer)(v)", ("split_rng=",), "haiku", X)
def hk_vmap_without_split_rng(x):
    def net(v):
        layer = hk.Linear(2)
        return hk.vmap(layer)(v)

    forward = hk.transform(net)
    return forward.init(jax.random.key(0), x)


@case(
    "TypeError",
    "forward.apply(params, jax.random.key(1), x)",
    ("apply(params, state|params, state,",),
    "haiku",
    X,
)
def hk_stateful_apply_without_state(x):
    def net(v):
        return hk.BatchNorm(True, True, 0.9)(v, is_training=True)

    forward = hk.transform_with_state(net)
    params, state = forward.init(jax.random.key(0), x)
    return forward.apply(params, jax.random.key(1), x)


# --- silent sharp bits ----------------------------------------------------------------------------
T = "trace-time-side-effects"
_STEPS = {"n": 0}
_LRS = iter([1e-2 * 0.9**i for i in range(64)])
_FROZEN = {"w": jnp.linspace(-1.0, 1.0, 12).reshape(3, 4)}


@sharp("print", 'print("hidden", h)', T, X)
def linen_print_hidden_activations(x):
    class Probe(nn.Module):
        @nn.compact
        def __call__(self, v):
            h = nn.Dense(4)(v)
            print("hidden", h)
            return nn.relu(h)

    model = Probe()
    variables = model.init(jax.random.key(0), x)
    return model.apply(variables, x)


@sharp("side-effect", '_STEPS["n"] += 1', T, (W, X[0]))
def optax_count_steps_in_python(w, x):
    tx = optax.sgd(0.1)
    opt_state = tx.init(w)
    grads = jax.grad(lambda p: jnp.mean((x @ p) ** 2))(w)
    updates, opt_state = tx.update(grads, opt_state)
    _STEPS["n"] += 1
    return optax.apply_updates(w, updates)


@sharp("iterator", "next(_LRS)", T, (W, X[0]))
def optax_learning_rate_from_a_generator(w, x):
    lr = next(_LRS)
    grads = jax.grad(lambda p: jnp.mean((x @ p) ** 2))(w)
    return w - lr * grads


@sharp("unrolled", "for _ in range(32):", "loops-compile-time", (W, X[0]))
def optax_inner_adaptation_loop(w, x):
    tx = optax.sgd(0.05)
    opt_state = tx.init(w)
    for _ in range(32):
        grads = jax.grad(lambda p: jnp.mean((x @ p - 1.0) ** 2))(w)
        updates, opt_state = tx.update(grads, opt_state)
        w = optax.apply_updates(w, updates)
    return w


@sharp("static", "lr", "retracing", (W, X[0], 0.05), static_argnums=(2,))
def sgd_step_with_static_rate(w, x, lr):
    grads = jax.grad(lambda p: jnp.mean((x @ p) ** 2))(w)
    return jax.tree.map(lambda p, g: p - lr * g, w, grads)


@sharp("constant", '_FROZEN["w"]', "closed-over-constants", X)
def features_from_frozen_backbone(x):
    h = jnp.tanh(x @ _FROZEN["w"])
    return h.sum(axis=-1)


@sharp("out-of-bounds", "table[8]", "out-of-bounds", (jnp.array([1, 3]),))
def end_token_one_past_the_vocab(token_ids):
    table = jax.random.normal(jax.random.key(0), (8, 3))
    tokens = table[token_ids]
    end = table[8]
    return jnp.concatenate([tokens, end[None]])
