"""Table 19 exercises: a train step, donation, metrics under jit, an Orbax round trip, keys."""

from __future__ import annotations

import os
import tempfile
import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import Exercise
from ._support import CheckFailure, attempt, describe, expect_function, message_has, normal, same


def _regression(seed: int, n: int = 16, d: int = 3) -> tuple[dict, jax.Array, jax.Array]:
    params = {"w": jnp.zeros(d), "b": jnp.float32(0.0)}
    x = normal(seed, (n, d))
    y = x @ jnp.arange(1.0, d + 1.0) + 0.5
    return params, x, y


def _mse(params: dict, x: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.mean((x @ params["w"] + params["b"] - y) ** 2)


# --- train step -----------------------------------------------------------------------------

_STEP_HINT_RAW = (
    "The step ignores the optimiser: it subtracts the raw gradient. Turn the gradients into "
    "updates with `opt.update(grads, opt_state, params)` and add them with "
    "`optax.apply_updates(params, updates)`."
)
_STEP_HINT_LOSS_AFTER = (
    "Return the loss that value_and_grad computed for the parameters you were given, not a "
    "loss recomputed after the update (that costs a second forward pass and is one step off)."
)
_STEP_HINT_STATE = (
    "Return the new optimiser state from opt.update: with the old one Adam's moments and step "
    "count never advance."
)


def _check_train_step(answer: Any) -> None:
    import optax

    make = expect_function(answer, "make_train_step(opt)")
    for seed, opt_name, opt in (
        (0, "optax.adam(0.1)", optax.adam(0.1)),
        (1, "optax.sgd(0.05)", optax.sgd(0.05)),
    ):
        step = attempt(make, opt, label=f"make_train_step({opt_name})")
        expect_function(step, "train_step(params, opt_state, x, y)", f"make_train_step({opt_name})")
        jitted = jax.jit(step)
        params, x, y = _regression(seed)
        state = opt.init(params)
        mine, my_state = params, state
        for i in range(3):
            label = f"step {i + 1} of jax.jit(make_train_step({opt_name}))"
            got = attempt(jitted, mine, my_state, x, y, label=label)
            if not (isinstance(got, tuple) and len(got) == 3):
                raise CheckFailure(
                    f"{label} returned {describe(got)}",
                    hint="return the triple (new_params, new_opt_state, loss)",
                )
            loss, grads = jax.value_and_grad(_mse)(params, x, y)
            updates, new_state = opt.update(grads, state, params)
            want = optax.apply_updates(params, updates)
            hint = ""
            raw = jax.tree.map(lambda p, g: p - g, mine, jax.grad(_mse)(mine, x, y))
            if jax.tree.structure(raw) == jax.tree.structure(got[0]) and all(
                np.allclose(a, b, rtol=1e-4)
                for a, b in zip(jax.tree.leaves(raw), jax.tree.leaves(got[0]), strict=True)
            ):
                hint = _STEP_HINT_RAW
            elif (
                i > 0
                and opt_name.startswith("optax.adam")
                and jax.tree.structure(got[1]) == jax.tree.structure(my_state)
                and all(
                    np.array_equal(a, b)
                    for a, b in zip(jax.tree.leaves(got[1]), jax.tree.leaves(my_state), strict=True)
                )
            ):
                hint = _STEP_HINT_STATE
            same(want, got[0], f"{label}: new params", hint, rtol=1e-4)
            after = _mse(want, x, y)
            loss_hint = _STEP_HINT_LOSS_AFTER if np.allclose(got[2], after, rtol=1e-5) else ""
            same(loss, got[2], f"{label}: loss", loss_hint, rtol=1e-4)
            params, state, mine, my_state = want, new_state, got[0], got[1]


_TRAIN_STEP = Exercise(
    id="t19-train-step-1",
    title="A pure train step",
    signature="make_train_step(opt)",
    reference=(
        "import optax\n\n\n"
        "def make_train_step(opt):\n"
        "    def loss_fn(params, x, y):\n"
        "        return jnp.mean((x @ params['w'] + params['b'] - y) ** 2)\n\n"
        "    def train_step(params, opt_state, x, y):\n"
        "        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)\n"
        "        updates, opt_state = opt.update(grads, opt_state, params)\n"
        "        return optax.apply_updates(params, updates), opt_state, loss\n\n"
        "    return train_step\n"
    ),
    hints=(
        "value_and_grad gives loss and gradients; opt.update turns gradients into updates; "
        "apply_updates applies them.",
    ),
    checker=_check_train_step,
)

# --- jit with donation ----------------------------------------------------------------------

_DONATE_HINT_NONE = (
    "Without donation XLA must keep the old state alive while it writes the new one: twice the "
    "memory. `jax.jit(step, donate_argnums=0)` lets it reuse the old buffers."
)
_DONATE_HINT_BATCH = (
    "donate_argnums counts positional arguments from 0: the state is argument 0. Donating the "
    "batch (argument 1) frees the batch, not the state."
)


def _step(state: dict, batch: jax.Array) -> dict:
    return {"w": state["w"] - 0.1 * jnp.mean(batch, axis=0), "count": state["count"] + 1}


def _check_donating_jit(answer: Any) -> None:
    fn = expect_function(answer, "compile_step(step)")
    compiled = attempt(fn, _step, label="compile_step(step)")
    expect_function(compiled, "the compiled step(state, batch)", "compile_step(step)")
    state = {"w": normal(0, (4,)), "count": jnp.int32(0)}
    batch = normal(1, (8, 4))
    if not hasattr(compiled, "lower"):
        raise CheckFailure(
            "compile_step(step) did not return a jitted function",
            hint="return `jax.jit(step, donate_argnums=0)`",
        )
    with warnings.catch_warnings():  # "donated buffers were not usable" belongs to the hint
        warnings.simplefilter("ignore")
        lowered = attempt(compiled.lower, state, batch, label="compiled.lower(state, batch)")
    (state_info, batch_info), _ = lowered.args_info
    if any(info.donated for info in jax.tree.leaves(batch_info)):
        raise CheckFailure("the batch is donated", hint=_DONATE_HINT_BATCH)
    if not all(info.donated for info in jax.tree.leaves(state_info)):
        raise CheckFailure(
            "the state is not donated",
            hint=_DONATE_HINT_NONE,
            expected="every leaf of the state donated (its buffers reused)",
        )
    want = _step(state, batch)
    theirs = jax.tree.map(jnp.copy, state)
    got = attempt(compiled, theirs, batch, label="compiled(state, batch)")
    same(want, got, "compiled(state, batch)")
    nxt = normal(2, (8, 4))
    again = attempt(compiled, got, nxt, label="a second call")
    same(_step(want, nxt), again, "a second compiled call")


_DONATE = Exercise(
    id="t19-jitted-loop-1",
    title="Jit the step and donate the state",
    signature="compile_step(step)",
    reference="def compile_step(step):\n    return jax.jit(step, donate_argnums=0)\n",
    hints=("jax.jit takes donate_argnums: the positions of the arguments whose buffers to reuse.",),
    checker=_check_donating_jit,
)

# --- metrics under jit ----------------------------------------------------------------------

_METRIC_HINT_FLOAT = (
    "Inside jit the loss is a tracer, not a number, so float() / .item() cannot work (and "
    "outside jit they would wait for the device on every step). Return arrays from the "
    "step; convert them with jax.device_get outside, every N steps."
)
_METRIC_HINT_COUNT = (
    "Accuracy is the fraction of correct predictions: `jnp.mean(pred == labels)`, not the "
    "count `jnp.sum(...)`."
)


_METRIC_HINT_SUM = (
    "loss differs: it is the mean cross-entropy over the batch (`.mean()`), not the sum, so "
    "that it does not grow with the batch size."
)
_METRIC_HINT_LOSS = (
    "loss differs: take the mean over the batch of "
    "`optax.softmax_cross_entropy_with_integer_labels(logits, labels)`, with "
    "`logits = x @ params['w'] + params['b']`."
)
_METRIC_HINT_ACCURACY = (
    "accuracy differs: it is the fraction of examples whose prediction (the argmax of the "
    "logits) equals the label: `jnp.mean(jnp.argmax(logits, axis=-1) == labels)`."
)


@jax.jit  # one compilation instead of one per operation: a quicker first check
def _metrics_ref(params: dict, x: jax.Array, labels: jax.Array) -> dict:
    import optax

    logits = x @ params["w"] + params["b"]
    losses = optax.softmax_cross_entropy_with_integer_labels(logits, labels)
    return {
        "accuracy": jnp.mean(jnp.argmax(logits, -1) == labels),
        "loss": losses.mean(),
        "loss_sum": losses.sum(),
    }


def _metric_hint(exc: BaseException) -> str | None:
    if isinstance(exc, jax.errors.ConcretizationTypeError) or message_has(
        exc, "concrete value", "Abstract tracer"
    ):
        return _METRIC_HINT_FLOAT
    return None


def _check_metrics(answer: Any) -> None:
    fn = expect_function(answer, "eval_metrics(params, x, labels)")
    jitted = jax.jit(fn)
    for seed, n, d, c in ((0, 32, 4, 3), (1, 20, 2, 5)):
        rng = np.random.default_rng(seed)  # NumPy data: nothing to compile on the check's side
        params = {
            "w": jnp.asarray(rng.standard_normal((d, c)), jnp.float32),
            "b": jnp.asarray(rng.standard_normal(c), jnp.float32),
        }
        x = jnp.asarray(rng.standard_normal((n, d)), jnp.float32)
        labels = jnp.asarray(rng.integers(0, c, n), jnp.int32)
        want = _metrics_ref(params, x, labels)
        loss_sum = want.pop("loss_sum")
        label = f"jax.jit(eval_metrics)(params, x: float32[{n},{d}], labels: int32[{n}])"
        got = attempt(jitted, params, x, labels, label=label, hint_for=_metric_hint)
        if not isinstance(got, dict) or sorted(got) != ["accuracy", "loss"]:
            raise CheckFailure(
                f"{label} returned {describe(got)}",
                hint="return a dict with the keys 'loss' and 'accuracy'",
            )
        acc = np.asarray(got["accuracy"])
        if (
            acc.shape == ()
            and np.isclose(acc, n * float(want["accuracy"]))
            and n * float(want["accuracy"]) != float(want["accuracy"])
        ):
            acc_hint = _METRIC_HINT_COUNT
        else:
            acc_hint = _METRIC_HINT_ACCURACY
        loss = np.asarray(got["loss"])
        is_sum = loss.shape == () and np.isclose(loss, float(loss_sum), rtol=1e-4)
        loss_hint = _METRIC_HINT_SUM if is_sum else _METRIC_HINT_LOSS
        got = {
            k: jnp.asarray(v, jnp.float32) if np.asarray(v).dtype != np.float32 else v
            for k, v in got.items()
        }
        same(want["loss"], got["loss"], f"{label}['loss']", loss_hint, rtol=1e-4)
        same(want["accuracy"], got["accuracy"], f"{label}['accuracy']", acc_hint, rtol=1e-4)


_METRICS = Exercise(
    id="t19-metrics-logging-1",
    title="Metrics that survive jit",
    signature="eval_metrics(params, x, labels)",
    reference=(
        "import optax\n\n\n"
        "def eval_metrics(params, x, labels):\n"
        "    logits = x @ params['w'] + params['b']\n"
        "    loss = optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()\n"
        "    accuracy = jnp.mean(jnp.argmax(logits, axis=-1) == labels)\n"
        "    return {'loss': loss, 'accuracy': accuracy}\n"
    ),
    hints=("Keep metrics as JAX arrays inside the function; convert to floats outside jit.",),
    checker=_check_metrics,
)

# --- checkpointing --------------------------------------------------------------------------

_CKPT_HINT_EXISTS = (
    "Orbax refuses to save into a folder that already exists (it would mix two checkpoints). "
    "Save to a new path inside it, e.g. `os.path.join(directory, 'step_0')`."
)


_CKPT_HINT_RELATIVE = (
    "Orbax needs an absolute path: save under `directory`, e.g. "
    "`os.path.join(directory, 'step_0')`."
)
_CKPT_HINT_CLOBBER = (
    "Saving to `directory` itself (with force=True) replaces everything the folder held. Save "
    "into a new folder inside it: `os.path.join(directory, 'step_0')`."
)
_CKPT_MARKER = "notes.txt"  # stands for what the learner's folder held before
_CKPT_FILES = ("_CHECKPOINT_METADATA", "_METADATA", "manifest.ocdbt")


def _ckpt_hint(exc: BaseException) -> str | None:
    if message_has(exc, "already exists"):
        return _CKPT_HINT_EXISTS
    if message_has(exc, "should be absolute"):
        return _CKPT_HINT_RELATIVE
    return None


def _check_round_trip(answer: Any) -> None:
    fn = expect_function(answer, "save_and_restore(state, directory)")
    state = {
        "params": {"w": normal(0, (3, 2)), "b": jnp.zeros(2)},
        "step": jnp.int32(7),
    }
    with tempfile.TemporaryDirectory() as directory, tempfile.TemporaryDirectory() as cwd:
        marker = os.path.join(directory, _CKPT_MARKER)
        with open(marker, "w", encoding="utf-8") as fh:
            fh.write("the folder's earlier contents\n")
        label = "save_and_restore(state, directory)"
        here = os.getcwd()
        os.chdir(cwd)  # a relative path lands in a scratch folder, not the learner's
        try:
            got = attempt(fn, state, directory, label=label, hint_for=_ckpt_hint)
        except CheckFailure as failure:  # the temporary folder's name changes run to run
            failure.message = failure.message.replace(directory, "<directory>")
            raise
        finally:
            os.chdir(here)
        written = sorted(set(os.listdir(directory)) - {_CKPT_MARKER})
        if not os.path.exists(marker) or any(name in written for name in _CKPT_FILES):
            raise CheckFailure(
                f"{label} saved the checkpoint into directory itself"
                + ("" if os.path.exists(marker) else ", deleting the files it held"),
                hint=_CKPT_HINT_CLOBBER,
                expected=f"{_CKPT_MARKER} kept, the checkpoint in a new folder inside directory",
                yours=", ".join(sorted(os.listdir(directory))),
            )
        if not written:
            raise CheckFailure(
                f"{label} wrote nothing into directory",
                hint="save with ocp.StandardCheckpointer().save(path, state) under directory",
            )
        if got is state or any(
            a is b for a, b in zip(jax.tree.leaves(got), jax.tree.leaves(state), strict=False)
        ):
            raise CheckFailure(
                f"{label} returned the state it was given, not the restored one",
                hint="return what ckpt.restore(path) gives back",
            )
        same(state, got, f"the restored state ({label})")


_CKPT = Exercise(
    id="t19-checkpointing-1",
    title="An Orbax round trip",
    signature="save_and_restore(state, directory)",
    reference=(
        "import os\n\n"
        "import orbax.checkpoint as ocp\n\n\n"
        "def save_and_restore(state, directory):\n"
        "    path = os.path.join(directory, 'step_0')\n"
        "    ckpt = ocp.StandardCheckpointer()\n"
        "    ckpt.save(path, state)\n"
        "    ckpt.wait_until_finished()\n"
        "    return ckpt.restore(path)\n"
    ),
    hints=("save, wait_until_finished, then restore from the same path.",),
    checker=_check_round_trip,
)

# --- reproducibility ------------------------------------------------------------------------

_KEY_HINT_SAME = (
    "Every step drew its mask from the same key, so every step drops the same units. Give "
    "each step its own key: `jax.random.fold_in(key, step)`."
)
_KEY_HINT_RATE = (
    "rate is the probability of DROPPING a unit; bernoulli(k, p) is True with probability p, "
    "so a keep-mask needs `p = 1 - rate`."
)


def _check_masks(answer: Any) -> None:
    fn = expect_function(answer, "dropout_masks(key, n_steps, shape, rate)")
    key = jax.random.key(3)
    label = "dropout_masks(key, 6, (64, 32), 0.25)"
    got = attempt(fn, key, 6, (64, 32), 0.25, label=label)
    arr = np.asarray(got)
    if arr.shape != (6, 64, 32) or arr.dtype != np.bool_:
        raise CheckFailure(
            f"{label} returned {describe(got)}",
            hint="return a boolean array of shape (n_steps, *shape)",
            expected="bool[6,64,32]",
        )
    if all(np.array_equal(arr[0], arr[i]) for i in range(1, 6)):
        raise CheckFailure("every step got the same mask", hint=_KEY_HINT_SAME)
    kept = float(arr.mean())
    if abs(kept - 0.75) > 0.03:
        raise CheckFailure(
            f"{kept:.2f} of the units are kept",
            hint=_KEY_HINT_RATE if abs(kept - 0.25) < 0.03 else "",
            expected="about 0.75 kept for rate 0.25",
        )
    again = np.asarray(attempt(fn, key, 6, (64, 32), 0.25, label=label + " again"))
    if not np.array_equal(arr, again):
        raise CheckFailure(
            "the same key gave different masks",
            hint="draw only from JAX keys derived from `key`: no NumPy or global randomness",
        )
    longer = np.asarray(attempt(fn, key, 9, (64, 32), 0.25, label="dropout_masks(key, 9, ...)"))
    if not np.array_equal(arr, longer[:6]):
        raise CheckFailure(
            "a 9-step run drew other masks for steps 0..5 than a 6-step run",
            hint="derive step i's key from key and i alone, e.g. jax.random.fold_in(key, i), so "
            "a resumed or longer run repeats the same masks",
        )
    other = np.asarray(attempt(fn, jax.random.key(4), 6, (64, 32), 0.25, label="another key"))
    if np.array_equal(arr, other):
        raise CheckFailure("another key gave the same masks", hint="use the key you are given")


_MASKS = Exercise(
    id="t19-reproducibility-1",
    title="A fresh dropout mask every step",
    signature="dropout_masks(key, n_steps, shape, rate)",
    reference=(
        "def dropout_masks(key, n_steps, shape, rate):\n"
        "    def one(step):\n"
        "        return jax.random.bernoulli(jax.random.fold_in(key, step), 1.0 - rate, shape)\n"
        "    return jax.vmap(one)(jnp.arange(n_steps))\n"
    ),
    hints=("One key per step, derived from the root key and the step number.",),
    checker=_check_masks,
)

EXERCISES = (_TRAIN_STEP, _DONATE, _METRICS, _CKPT, _MASKS)
