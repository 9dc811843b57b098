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
from ._support import CheckFailure, OnError, OnResult, Spec, attempt, close, expect_function, normal


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


def _train_cases() -> list[tuple]:
    """Three steps of adam and of sgd on a regression: (opt, params, opt_state, x, y)."""
    import optax

    cases = []
    for seed, opt in ((0, optax.adam(0.1)), (1, optax.sgd(0.05))):
        params, x, y = _regression(seed)
        state = opt.init(params)
        for _ in range(3):
            cases.append((opt, params, state, x, y))
            updates, state = opt.update(jax.grad(_mse)(params, x, y), state, params)
            params = optax.apply_updates(params, updates)
    return cases


def _jitted_step(make: Any, opt: Any) -> Any:
    """``jax.jit`` of the train step that ``make(opt)`` returns."""
    step = expect_function(make(opt), "train_step(params, opt_state, x, y)", "make_train_step(opt)")
    return jax.jit(step)


def _stale(got: Any, opt: Any, params: Any, state: Any, *data: Any) -> bool:
    """Whether ``got`` holds the optimiser state it was given (one with leaves: not sgd's)."""
    leaves, mine = jax.tree.leaves(state), jax.tree.leaves(got[1])
    same_tree = jax.tree.structure(got[1]) == jax.tree.structure(state)
    return bool(leaves) and same_tree and all(map(np.array_equal, leaves, mine))


_TRAIN_STEP = Exercise(
    id="t19-train-step-1",
    title="A pure train step",
    hints=(
        "value_and_grad gives loss and gradients; opt.update turns gradients into updates; "
        "apply_updates applies them.",
    ),
    spec=Spec(
        cases=_train_cases,
        wrap=lambda make: lambda opt, *args: _jitted_step(make, opt)(*args),
        on_result=(
            OnResult(
                "return the triple (new_params, new_opt_state, loss)",
                when=lambda got, *a: not (isinstance(got, tuple) and len(got) == 3),
            ),
            OnResult(
                _STEP_HINT_RAW,
                when=lambda got, o, p, s, x, y: close(
                    jax.tree.map(jnp.subtract, p, jax.grad(_mse)(p, x, y)), got[0], 1e-4
                ),
            ),
            OnResult(_STEP_HINT_STATE, when=_stale),
            OnResult(
                _STEP_HINT_LOSS_AFTER,
                when=lambda got, o, p, s, x, y: close(_mse(got[0], x, y), got[2]),
            ),
        ),
        rtol=1e-4,
    ),
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


def _donate_case() -> tuple:
    return {"w": normal(0, (4,)), "count": jnp.int32(0)}, normal(1, (8, 4)), normal(2, (8, 4))


def _two_calls(compiled: Any, state: dict, batch: jax.Array, nxt: jax.Array) -> tuple:
    """Two calls of ``compiled``: on ``state``, then on its result (copies: they are donated)."""
    got = compiled(jax.tree.map(jnp.copy, state), batch)
    return got, compiled(jax.tree.map(jnp.copy, got), nxt)


def _donates(fn: Any) -> None:
    """``compile_step(step)`` is jitted and donates the state, not the batch."""
    compiled = attempt(fn, _step, label="compile_step(step)")
    expect_function(compiled, "the compiled step(state, batch)", "compile_step(step)")
    if not hasattr(compiled, "lower"):
        raise CheckFailure(
            "compile_step(step) did not return a jitted function",
            hint="return `jax.jit(step, donate_argnums=0)`",
        )
    with warnings.catch_warnings():  # "donated buffers were not usable" belongs to the hint
        warnings.simplefilter("ignore")
        args = _donate_case()[:2]
        lowered = attempt(compiled.lower, *args, label="compiled.lower(state, batch)")
    (state_info, batch_info), _ = lowered.args_info
    if any(info.donated for info in jax.tree.leaves(batch_info)):
        raise CheckFailure("the batch is donated", hint=_DONATE_HINT_BATCH)
    if not all(info.donated for info in jax.tree.leaves(state_info)):
        raise CheckFailure(
            "the state is not donated",
            hint=_DONATE_HINT_NONE,
            expected="every leaf of the state donated (its buffers reused)",
        )


_DONATE = Exercise(
    id="t19-jitted-loop-1",
    title="Jit the step and donate the state",
    hints=("jax.jit takes donate_argnums: the positions of the arguments whose buffers to reuse.",),
    spec=Spec(
        cases=lambda: [_donate_case()],
        wrap=lambda f: lambda state, batch, nxt: _two_calls(f(_step), state, batch, nxt),
        before=_donates,
    ),
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


def _metric_cases() -> list[tuple]:
    """(params, x, labels) of a linear classifier, from NumPy data (nothing to compile here)."""
    cases = []
    for seed, n, d, c in ((0, 32, 4, 3), (1, 20, 2, 5)):
        rng = np.random.default_rng(seed)
        w, b, x = (jnp.asarray(rng.standard_normal(s), jnp.float32) for s in ((d, c), c, (n, d)))
        cases.append(({"w": w, "b": b}, x, jnp.asarray(rng.integers(0, c, n), jnp.int32)))
    return cases


def _count(got: Any, params: dict, x: jax.Array, labels: jax.Array) -> bool:
    """Whether the accuracy is the number of correct predictions, not their fraction."""
    acc, n = float(_metrics_ref(params, x, labels)["accuracy"]), len(labels)
    return np.shape(got["accuracy"]) == () and np.isclose(got["accuracy"], n * acc) and acc != 0


_METRICS = Exercise(
    id="t19-metrics-logging-1",
    title="Metrics that survive jit",
    hints=("Keep metrics as JAX arrays inside the function; convert to floats outside jit.",),
    spec=Spec(
        cases=_metric_cases,
        eager=False,
        jit={},
        # any dtype of the metrics will do: they are compared as float32
        wrap=lambda f: lambda *a: jax.tree.map(lambda v: jnp.asarray(v, jnp.float32), f(*a)),
        on_error=(
            OnError(_METRIC_HINT_FLOAT, (jax.errors.ConcretizationTypeError,)),
            OnError(_METRIC_HINT_FLOAT, words=("concrete value", "Abstract tracer")),
        ),
        on_result=(
            OnResult(
                "return a dict with the keys 'loss' and 'accuracy'",
                when=lambda got, *a: (
                    not (isinstance(got, dict) and sorted(got) == ["accuracy", "loss"])
                ),
            ),
            OnResult(
                _METRIC_HINT_SUM,
                when=lambda got, *a: close(_metrics_ref(*a)["loss_sum"], got["loss"], 1e-4),
            ),
            OnResult(
                _METRIC_HINT_LOSS,
                when=lambda got, *a: not close(_metrics_ref(*a)["loss"], got["loss"], 1e-4),
            ),
            OnResult(_METRIC_HINT_COUNT, when=_count),
            OnResult(_METRIC_HINT_ACCURACY, when=lambda got, *a: True),
        ),
        rtol=1e-4,
    ),
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


def _round_trip(fn: Any, state: dict) -> Any:
    """``fn(state, directory)`` run from a scratch folder, with ``directory`` a folder that
    holds a file already: the checkpoint must go into a new folder inside it, and come back."""
    label = "save_and_restore(state, directory)"
    with tempfile.TemporaryDirectory() as directory, tempfile.TemporaryDirectory() as cwd:
        marker = os.path.join(directory, _CKPT_MARKER)
        with open(marker, "w", encoding="utf-8") as fh:
            fh.write("the folder's earlier contents\n")
        here = os.getcwd()
        os.chdir(cwd)  # a relative path lands in a scratch folder, not the learner's
        try:
            got = fn(state, directory)
        except Exception as exc:  # the temporary folder's name changes run to run
            exc.args = tuple(str(a).replace(directory, "<directory>") for a in exc.args)
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
    if got is state or any(map(lambda a, b: a is b, jax.tree.leaves(got), jax.tree.leaves(state))):
        raise CheckFailure(
            f"{label} returned the state it was given, not the restored one",
            hint="return what ckpt.restore(path) gives back",
        )
    return got


_CKPT = Exercise(
    id="t19-checkpointing-1",
    title="An Orbax round trip",
    hints=("save, wait_until_finished, then restore from the same path.",),
    spec=Spec(
        cases=lambda: [
            ({"params": {"w": normal(0, (3, 2)), "b": jnp.zeros(2)}, "step": jnp.int32(7)},)
        ],
        wrap=lambda f: lambda state: _round_trip(f, state),
        on_error=(
            OnError(_CKPT_HINT_EXISTS, words=("already exists",)),
            OnError(_CKPT_HINT_RELATIVE, words=("should be absolute",)),
        ),
    ),
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


_FRESH = "steps differ"
_KEPT = "about 1 - rate kept"
_RATE = "about rate kept"
_REPEATS = "the same masks for the same key"
_PREFIX = "the first steps of a longer run the same"
_KEYED = "other masks for another key"


def _mask_facts(f: Any, key: Any, n: int, shape: tuple, rate: float) -> dict[str, bool]:
    """What the masks ``f`` draws must show (not which masks: any fresh ones will do)."""
    masks = np.asarray(f(key, n, shape, rate))
    if masks.shape != (n, *shape) or masks.dtype != np.bool_:
        return {"bool[n_steps, *shape]": False}
    kept = float(masks.mean())
    return {
        "bool[n_steps, *shape]": True,
        _FRESH: not all(np.array_equal(masks[0], m) for m in masks[1:]),
        _KEPT: abs(kept - (1 - rate)) <= 0.03,
        _RATE: abs(kept - rate) < 0.03,
        _REPEATS: np.array_equal(masks, f(key, n, shape, rate)),
        _PREFIX: np.array_equal(masks, np.asarray(f(key, n + 3, shape, rate))[:n]),
        _KEYED: not np.array_equal(masks, f(jax.random.fold_in(key, 1), n, shape, rate)),
    }


def _lacks(fact: str) -> Any:
    return lambda got, *a: not got.get(fact, True)


_MASKS = Exercise(
    id="t19-reproducibility-1",
    title="A fresh dropout mask every step",
    hints=("One key per step, derived from the root key and the step number.",),
    spec=Spec(
        cases=lambda: [(jax.random.key(3), 6, (64, 32), 0.25)],
        wrap=lambda f: lambda *args: _mask_facts(f, *args),
        on_result=(
            OnResult(
                "return a boolean array of shape (n_steps, *shape)",
                when=lambda got, *a: len(got) == 1,
            ),
            OnResult(_KEY_HINT_SAME, when=_lacks(_FRESH)),
            OnResult(_KEY_HINT_RATE, when=lambda got, *a: got[_RATE]),
            OnResult("", when=_lacks(_KEPT)),
            OnResult(
                "draw only from JAX keys derived from `key`: no NumPy or global randomness",
                when=_lacks(_REPEATS),
            ),
            OnResult(
                "derive step i's key from key and i alone, e.g. jax.random.fold_in(key, i), so "
                "a resumed or longer run repeats the same masks",
                when=_lacks(_PREFIX),
            ),
            OnResult("use the key you are given", when=_lacks(_KEYED)),
        ),
    ),
)

EXERCISES = (_TRAIN_STEP, _DONATE, _METRICS, _CKPT, _MASKS)
