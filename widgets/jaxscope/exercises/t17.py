"""Table 17 exercises: an NNX module, an Equinox update, counting parameters, inference mode."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import Exercise
from ._support import CheckFailure, attempt, describe, expect_function, message_has, normal, same


def _host_normal(seed: int, shape: tuple[int, ...], scale: float = 1.0, shift: float = 0.0):
    """Normal samples drawn by NumPy: no XLA compilation on a check's first run."""
    draw = np.random.default_rng(seed).standard_normal(shape) * scale + shift
    return jnp.asarray(draw, jnp.float32)


# --- flax nnx -------------------------------------------------------------------------------

_NNX_HINT_RELU = (
    "Without an activation between them, two Linear layers collapse into one linear map. "
    "Apply `nnx.relu` to the hidden layer's output before the output layer."
)
_NNX_HINT_IN_CALL = (
    "Layers made inside `__call__` are new, freshly initialised layers on every call, and the "
    "module holds none of them, so there is nothing to train. Create them in `__init__` and "
    "keep them as attributes (`self.hidden = nnx.Linear(...)`)."
)
_NNX_HINT_SHAPES = (
    "Make exactly two `nnx.Linear` layers, din→dhidden and dhidden→dout, each with its bias "
    "(the default: no `use_bias=False`)."
)
_NNX_HINT_RELU_OUT = (
    "The output layer's result goes out as it is: apply `nnx.relu` to the hidden layer only; "
    "a relu on the output cuts off every negative output."
)
_NNX_HINT_VALUES = (
    "The output differs from `out(relu(hidden(x)))` computed with your model's own kernels and "
    "biases: apply the first layer, `nnx.relu`, then the second layer, and nothing else."
)


def _nnx_params(model: Any) -> dict[tuple[int, ...], jax.Array]:
    from flax import nnx

    leaves = jax.tree.leaves(nnx.state(model, nnx.Param))
    return {tuple(leaf.shape): leaf for leaf in leaves}


@jax.jit  # one compilation instead of one per operation: a quicker first check
def _mlp_ref(x, k1, b1, k2, b2) -> tuple[jax.Array, jax.Array]:
    """The MLP's output, and what it would be without the relu."""
    h = x @ k1 + b1
    return jax.nn.relu(h) @ k2 + b2, h @ k2 + b2


def _check_nnx_mlp(answer: Any) -> None:
    from flax import nnx

    cls = expect_function(
        answer, "class MLP(nnx.Module) with __init__(din, dhidden, dout, *, rngs)"
    )
    for din, dh, dout, seed in ((3, 8, 2, 0), (5, 4, 1, 1)):
        label = f"MLP({din}, {dh}, {dout}, rngs=nnx.Rngs({seed}))"
        model = attempt(partial(cls, rngs=nnx.Rngs(seed)), din, dh, dout, label=label)
        if not isinstance(model, nnx.Module):
            raise CheckFailure(
                f"{label} is not an nnx.Module",
                hint="subclass nnx.Module: `class MLP(nnx.Module): ...`",
                yours=describe(model),
            )
        x = _host_normal(seed + 10, (6, din))
        params = _nnx_params(model)
        want_shapes = sorted([(din, dh), (dh,), (dh, dout), (dout,)])
        if sorted(params) != want_shapes:
            raise CheckFailure(
                f"{label} holds parameters of shapes {sorted(params)}",
                hint=_NNX_HINT_IN_CALL if not params else _NNX_HINT_SHAPES,
                expected=f"kernels and biases of shapes {want_shapes}",
                yours=f"{sorted(params)}",
            )
        k1, b1, k2, b2 = params[(din, dh)], params[(dh,)], params[(dh, dout)], params[(dout,)]
        want, linear = _mlp_ref(x, k1, b1, k2, b2)
        got = attempt(model, x, label=f"{label}(x: float32[6,{din}])")
        hint = _NNX_HINT_VALUES
        if getattr(got, "shape", None) == want.shape:
            if np.allclose(np.asarray(got), np.asarray(linear), atol=1e-5):
                hint = _NNX_HINT_RELU
            elif np.allclose(np.asarray(got), np.maximum(np.asarray(want), 0), atol=1e-5):
                hint = _NNX_HINT_RELU_OUT
        same(want, got, f"{label}(x)", hint, rtol=1e-4)
        jitted = attempt(nnx.jit(lambda m, x: m(x)), model, x, label=f"nnx.jit call of {label}")
        same(want, jitted, f"nnx.jit call of {label}", rtol=1e-4)


_NNX = Exercise(
    id="t17-flax-nnx-1",
    title="A two-layer MLP in Flax NNX",
    signature="MLP(...)",
    stub="class MLP:\n    ...  # your code here\n\n    def __init__(self, *args, **kwargs):\n"
    "        raise NotImplementedError\n",
    reference=(
        "from flax import nnx\n\n\n"
        "class MLP(nnx.Module):\n"
        "    def __init__(self, din, dhidden, dout, *, rngs):\n"
        "        self.hidden = nnx.Linear(din, dhidden, rngs=rngs)\n"
        "        self.out = nnx.Linear(dhidden, dout, rngs=rngs)\n\n"
        "    def __call__(self, x):\n"
        "        return self.out(nnx.relu(self.hidden(x)))\n"
    ),
    hints=(
        "An NNX module creates its layers in __init__ (passing rngs on) and uses them in __call__.",
    ),
    checker=_check_nnx_mlp,
)

# --- equinox --------------------------------------------------------------------------------

_EQX_HINT_JAX_GRAD = (
    "An Equinox model also holds things that are not arrays (the activation function, ints), "
    "and jax.grad refuses them. `eqx.filter_grad(loss)(model)` differentiates the array leaves "
    "and treats the rest as static."
)
_EQX_HINT_TREE_MAP = (
    "The gradient from filter_grad has None where the model has non-array leaves, so a "
    "jax.tree.map over (model, grads) meets None. Use `eqx.apply_updates(model, updates)`, "
    "which skips them."
)
_EQX_HINT_SIGN = (
    "Gradient descent steps against the gradient: the updates are `-lr * grads`, so the loss "
    "goes down."
)
_EQX_HINT_SIZE = (
    "Your step points the right way but has the wrong length: the loss is the mean of the "
    "squared errors (`jnp.mean`, not a sum), and the update is exactly `-lr * grads`."
)
_EQX_HINT_VMAP = (
    "The model maps one input vector to one output vector, and x is a batch of 16 vectors: "
    "run the model over the batch with `jax.vmap(model)(x)`."
)
_EQX_HINT_VALUES = (
    "The new model differs from `model - lr * grad(loss)(model)`, with loss the mean squared "
    "error of `jax.vmap(model)(x)` against y."
)


def _eqx_loss(model: Any, x: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.mean((jax.vmap(model)(x) - y) ** 2)


def _eqx_hint(exc: BaseException) -> str | None:
    if message_has(exc, "not a valid JAX type"):
        return _EQX_HINT_JAX_GRAD
    if message_has(exc, "NoneType"):
        return _EQX_HINT_TREE_MAP
    if message_has(exc, "contracting dimensions"):
        return _EQX_HINT_VMAP
    return None


def _eqx_step_hint(model: Any, grads: Any, got: Any, lr: float) -> str:
    """Which hint fits ``got``: its change from ``model`` compared with ``-lr * grads``."""
    import equinox as eqx

    before = jax.tree.leaves(eqx.filter(model, eqx.is_array))
    after = jax.tree.leaves(eqx.filter(got, eqx.is_array))
    step = jax.tree.leaves(grads)
    if not len(before) == len(after) == len(step) or any(
        np.shape(a) != np.shape(b) for a, b in zip(before, after, strict=True)
    ):
        return _EQX_HINT_VALUES
    pairs = zip(after, before, strict=True)
    moved = np.concatenate([np.ravel(np.asarray(a) - np.asarray(b)) for a, b in pairs])
    down = np.concatenate([np.ravel(-lr * np.asarray(g)) for g in step])
    k = float(moved @ down / (down @ down))
    if np.linalg.norm(moved - k * down) > 1e-3 * np.linalg.norm(moved):
        return _EQX_HINT_VALUES  # not along the gradient at all
    if np.isclose(k, -1.0, rtol=1e-3):
        return _EQX_HINT_SIGN
    return _EQX_HINT_SIZE if k > 0 else _EQX_HINT_VALUES


def _eqx_same(want: Any, got: Any, label: str, hint: str) -> None:
    """Like ``same`` on the array leaves, but naming the first leaf (path) that differs."""
    import equinox as eqx

    want_leaves = jax.tree_util.tree_flatten_with_path(eqx.filter(want, eqx.is_array))[0]
    got_leaves = jax.tree_util.tree_flatten_with_path(eqx.filter(got, eqx.is_array))[0]
    if [p for p, _ in want_leaves] != [p for p, _ in got_leaves]:
        same(eqx.filter(want, eqx.is_array), eqx.filter(got, eqx.is_array), label, hint, 1e-4)
        return
    for (path, w), (_, g) in zip(want_leaves, got_leaves, strict=True):
        name = "model" + jax.tree_util.keystr(path)
        same(w, g, f"{label}: {name}", hint, 1e-4)


def _check_eqx_step(answer: Any) -> None:
    import equinox as eqx

    fn = expect_function(answer, "sgd_step(model, x, y, lr)")
    for seed, lr in ((0, 0.1), (1, 0.05)):
        model = eqx.nn.MLP(3, 2, 8, 1, key=jax.random.key(seed))
        x, y = normal(seed + 10, (16, 3)), normal(seed + 20, (16, 2))
        label = f"sgd_step(eqx.nn.MLP(3, 2, 8, 1), x, y, lr={lr})"
        try:
            got = attempt(fn, model, x, y, lr, label=label, hint_for=_eqx_hint)
        except CheckFailure as failure:  # the error names an object by its memory address
            failure.message = re.sub(r" at 0x[0-9a-fA-F]+", "", failure.message)
            raise
        if type(got) is not type(model):
            raise CheckFailure(
                f"{label} returned {type(got).__name__}, not the updated model",
                hint="return the new model: `eqx.apply_updates(model, updates)`",
                yours=describe(got),
            )
        grads = eqx.filter_grad(_eqx_loss)(model, x, y)
        want = eqx.apply_updates(model, jax.tree.map(lambda g, lr=lr: -lr * g, grads))
        hint = _eqx_step_hint(model, grads, got, lr)
        _eqx_same(want, got, label, hint)


_EQX = Exercise(
    id="t17-equinox-1",
    title="One gradient step on an Equinox model",
    signature="sgd_step(model, x, y, lr)",
    reference=(
        "import equinox as eqx\n\n\n"
        "def sgd_step(model, x, y, lr):\n"
        "    def loss(model):\n"
        "        return jnp.mean((jax.vmap(model)(x) - y) ** 2)\n"
        "    grads = eqx.filter_grad(loss)(model)\n"
        "    updates = jax.tree.map(lambda g: -lr * g, grads)\n"
        "    return eqx.apply_updates(model, updates)\n"
    ),
    hints=("The model is the pytree of parameters: differentiate it with eqx.filter_grad.",),
    checker=_check_eqx_step,
)

# --- counting parameters --------------------------------------------------------------------

_COUNT_HINT_ALL_STATE = (
    "nnx.state(model) holds every variable: the trainable nnx.Param arrays but also "
    "BatchNorm's running statistics (nnx.BatchStat) and the Dropout RNG state. Count only the "
    "parameters: `nnx.state(model, nnx.Param)`."
)
_COUNT_HINT_LEAVES = (
    "len(jax.tree.leaves(...)) counts arrays, not numbers: a (4, 8) kernel is one leaf but 32 "
    "parameters. Add up `leaf.size`."
)


class _Counted:
    """Models for the counting check, built lazily (flax loads only when it is used)."""

    @staticmethod
    def build(seed: int, din: int, dh: int, dout: int) -> tuple[Any, int]:
        from flax import nnx

        host = np.random.default_rng(seed)

        def init(key: Any, shape: tuple[int, ...], dtype: Any = jnp.float32) -> jax.Array:
            # NumPy draws the weights: no XLA compilation on a check's first run
            return jnp.asarray(host.standard_normal(shape) / np.sqrt(shape[0]), dtype)

        class Net(nnx.Module):
            def __init__(self, rngs: nnx.Rngs):
                self.l1 = nnx.Linear(din, dh, kernel_init=init, bias_init=init, rngs=rngs)
                self.bn = nnx.BatchNorm(dh, rngs=rngs)
                self.drop = nnx.Dropout(0.1, rngs=rngs)
                self.l2 = nnx.Linear(dh, dout, kernel_init=init, bias_init=init, rngs=rngs)

            def __call__(self, x: jax.Array) -> jax.Array:
                return self.l2(self.drop(nnx.relu(self.bn(self.l1(x)))))

        n = din * dh + dh + 2 * dh + dh * dout + dout
        return Net(nnx.Rngs(seed)), n


def _check_count(answer: Any) -> None:
    fn = expect_function(answer, "count_params(model)")
    for seed, din, dh, dout in ((0, 4, 8, 3), (1, 10, 32, 2)):
        model, n = _Counted.build(seed, din, dh, dout)
        label = (
            f"count_params(Linear({din},{dh}) + BatchNorm({dh}) + Dropout + Linear({dh},{dout}))"
        )
        got = attempt(fn, model, label=label)
        try:
            value = int(got)
        except (TypeError, ValueError):
            raise CheckFailure(
                f"{label} returned {type(got).__name__}, not a number",
                hint="return one integer: the total number of trainable parameters",
                yours=describe(got),
            ) from None
        if value != n:
            hint = ""
            if value > n:
                hint = _COUNT_HINT_ALL_STATE
            elif value < 10:  # the models hold 6 parameter arrays
                hint = _COUNT_HINT_LEAVES
            raise CheckFailure(
                f"{label} gave {value}", hint=hint, expected=str(n), yours=str(value)
            )


_COUNT = Exercise(
    id="t17-params-as-pytrees-1",
    title="Count the trainable parameters",
    signature="count_params(model)",
    reference=(
        "from flax import nnx\n\n\n"
        "def count_params(model):\n"
        "    return sum(x.size for x in jax.tree.leaves(nnx.state(model, nnx.Param)))\n"
    ),
    hints=("The parameters are a pytree: filter the state to nnx.Param and add up the sizes.",),
    checker=_check_count,
)

# --- stateful layers ------------------------------------------------------------------------

_EVAL_HINT = (
    "In training mode BatchNorm normalises with this batch's statistics (and updates its "
    "running averages) and Dropout zeroes random units. Switch the model to inference mode "
    "with `model.eval()` before calling it."
)


def _trained_net(seed: int) -> Any:
    from flax import nnx

    model, _ = _Counted.build(seed, 4, 8, 3)
    # running statistics as training would leave them (off 0 and 1), drawn by NumPy: a quicker
    # first check than a few training-mode calls
    host = np.random.default_rng(seed + 100)
    model.bn.mean[...] = jnp.asarray(host.normal(0.5, 1.0, 8), jnp.float32)
    model.bn.var[...] = jnp.asarray(host.uniform(0.5, 2.0, 8), jnp.float32)
    return model, nnx


def _check_predict(answer: Any) -> None:
    fn = expect_function(answer, "predict(model, x)")
    for seed in (0, 1):
        model, nnx = _trained_net(seed)
        reference = nnx.clone(model)
        reference.eval()
        x = _host_normal(seed + 50, (5, 4))
        want = reference(x)
        before = jax.tree.map(np.asarray, nnx.state(model, nnx.BatchStat))
        label = "predict(model, x: float32[5,4])"
        got = attempt(fn, model, x, label=label)
        after = jax.tree.map(np.asarray, nnx.state(model, nnx.BatchStat))
        if not all(jax.tree.leaves(jax.tree.map(np.array_equal, before, after))):
            raise CheckFailure(
                "predict changed BatchNorm's running statistics",
                hint=_EVAL_HINT,
                expected="running mean and variance left as they were",
            )
        same(want, got, label, _EVAL_HINT, rtol=1e-4)
        again = attempt(fn, model, x, label=label + " called again")
        same(got, again, "a second call of predict", _EVAL_HINT, rtol=1e-5)


_PREDICT = Exercise(
    id="t17-stateful-layers-1",
    title="Predict in inference mode",
    signature="predict(model, x)",
    reference=("def predict(model, x):\n    model.eval()\n    return model(x)\n"),
    hints=("NNX layers switch between training and inference with model.train() / model.eval().",),
    checker=_check_predict,
)

EXERCISES = (_NNX, _EQX, _COUNT, _PREDICT)
