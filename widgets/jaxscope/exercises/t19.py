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
from ._support import (
    CheckFailure,
    OnError,
    OnResult,
    Spec,
    attempt,
    close,
    expect_function,
    hints_of,
    normal,
)

HINT = hints_of(__name__)


def _regression(seed: int, n: int = 16, d: int = 3) -> tuple[dict, jax.Array, jax.Array]:
    params = {"w": jnp.zeros(d), "b": jnp.float32(0.0)}
    x = normal(seed, (n, d))
    y = x @ jnp.arange(1.0, d + 1.0) + 0.5
    return params, x, y


def _mse(params: dict, x: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.mean((x @ params["w"] + params["b"] - y) ** 2)


# --- train step -----------------------------------------------------------------------------


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
    spec=Spec(
        cases=_train_cases,
        wrap=lambda make: lambda opt, *args: _jitted_step(make, opt)(*args),
        on_result=(
            OnResult(
                HINT["return_triple_new"],
                when=lambda got, *a: not (isinstance(got, tuple) and len(got) == 3),
            ),
            OnResult(
                HINT["step_raw"],
                when=lambda got, o, p, s, x, y: close(
                    jax.tree.map(jnp.subtract, p, jax.grad(_mse)(p, x, y)), got[0], 1e-4
                ),
            ),
            OnResult(HINT["step_state"], when=_stale),
            OnResult(
                HINT["step_loss_after"],
                when=lambda got, o, p, s, x, y: close(_mse(got[0], x, y), got[2]),
            ),
        ),
        rtol=1e-4,
    ),
)

# --- jit with donation ----------------------------------------------------------------------


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
            hint=HINT["return_jit_step"],
        )
    with warnings.catch_warnings():  # "donated buffers were not usable" belongs to the hint
        warnings.simplefilter("ignore")
        args = _donate_case()[:2]
        lowered = attempt(compiled.lower, *args, label="compiled.lower(state, batch)")
    (state_info, batch_info), _ = lowered.args_info
    if any(info.donated for info in jax.tree.leaves(batch_info)):
        raise CheckFailure("the batch is donated", hint=HINT["donate_batch"])
    if not all(info.donated for info in jax.tree.leaves(state_info)):
        raise CheckFailure(
            "the state is not donated",
            hint=HINT["donate_none"],
            expected="every leaf of the state donated (its buffers reused)",
        )


_DONATE = Exercise(
    id="t19-jitted-loop-1",
    spec=Spec(
        cases=lambda: [_donate_case()],
        wrap=lambda f: lambda state, batch, nxt: _two_calls(f(_step), state, batch, nxt),
        before=_donates,
    ),
)

# --- metrics under jit ----------------------------------------------------------------------


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
    spec=Spec(
        cases=_metric_cases,
        eager=False,
        jit={},
        # any dtype of the metrics will do: they are compared as float32
        wrap=lambda f: lambda *a: jax.tree.map(lambda v: jnp.asarray(v, jnp.float32), f(*a)),
        on_error=(
            OnError(HINT["metric_float"], (jax.errors.ConcretizationTypeError,)),
            OnError(HINT["metric_float"], words=("concrete value", "Abstract tracer")),
        ),
        on_result=(
            OnResult(
                HINT["return_dict_with"],
                when=lambda got, *a: (
                    not (isinstance(got, dict) and sorted(got) == ["accuracy", "loss"])
                ),
            ),
            OnResult(
                HINT["metric_sum"],
                when=lambda got, *a: close(_metrics_ref(*a)["loss_sum"], got["loss"], 1e-4),
            ),
            OnResult(
                HINT["metric_loss"],
                when=lambda got, *a: not close(_metrics_ref(*a)["loss"], got["loss"], 1e-4),
            ),
            OnResult(HINT["metric_count"], when=_count),
            OnResult(HINT["metric_accuracy"], when=lambda got, *a: True),
        ),
        rtol=1e-4,
    ),
)

# --- checkpointing --------------------------------------------------------------------------


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
                hint=HINT["ckpt_clobber"],
                expected=f"{_CKPT_MARKER} kept, the checkpoint in a new folder inside directory",
                yours=", ".join(sorted(os.listdir(directory))),
            )
    if not written:
        raise CheckFailure(
            f"{label} wrote nothing into directory",
            hint=HINT["save_with_ocp"],
        )
    if got is state or any(map(lambda a, b: a is b, jax.tree.leaves(got), jax.tree.leaves(state))):
        raise CheckFailure(
            f"{label} returned the state it was given, not the restored one",
            hint=HINT["return_what_ckpt"],
        )
    return got


_CKPT = Exercise(
    id="t19-checkpointing-1",
    spec=Spec(
        cases=lambda: [
            ({"params": {"w": normal(0, (3, 2)), "b": jnp.zeros(2)}, "step": jnp.int32(7)},)
        ],
        wrap=lambda f: lambda state: _round_trip(f, state),
        on_error=(
            OnError(HINT["ckpt_exists"], words=("already exists",)),
            OnError(HINT["ckpt_relative"], words=("should be absolute",)),
        ),
    ),
)

# --- reproducibility ------------------------------------------------------------------------


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
    spec=Spec(
        cases=lambda: [(jax.random.key(3), 6, (64, 32), 0.25)],
        wrap=lambda f: lambda *args: _mask_facts(f, *args),
        on_result=(
            OnResult(
                HINT["return_boolean_array"],
                when=lambda got, *a: len(got) == 1,
            ),
            OnResult(HINT["key_same"], when=_lacks(_FRESH)),
            OnResult(HINT["key_rate"], when=lambda got, *a: got[_RATE]),
            OnResult("", when=_lacks(_KEPT)),
            OnResult(
                HINT["draw_only_from"],
                when=_lacks(_REPEATS),
            ),
            OnResult(
                HINT["derive_step_i"],
                when=_lacks(_PREFIX),
            ),
            OnResult(HINT["use_key_you"], when=_lacks(_KEYED)),
        ),
    ),
)

EXERCISES = (_TRAIN_STEP, _DONATE, _METRICS, _CKPT, _MASKS)
