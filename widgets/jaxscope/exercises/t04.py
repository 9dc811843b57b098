"""Table 4 exercises: splitting keys, fold_in, never reusing a key, keys under jit and vmap.

A draw may rightly differ from the reference's (another way to split is as good), so the records
compare structure, shapes and dtypes only. What makes a draw right is checked on its keys (JAX's
key-reuse checker; another key gives another draw) and on its statistics over many keys.
"""

from __future__ import annotations

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
    all_eqns,
    attempt,
    describe,
    primitive_names,
)

_NUMPY_HINT = (
    "NumPy's random numbers come from hidden global state: they ignore the key, can't be "
    "reproduced, and turn into constants under jit. Draw with jax.random from the key you get."
)
_NUMPY_ERROR = OnError(
    _NUMPY_HINT, (jax.errors.TracerArrayConversionError, jax.errors.ConcretizationTypeError)
)
_NUMPY_RESULT = OnResult(
    _NUMPY_HINT,
    when=lambda got, *args: any(isinstance(v, np.ndarray) for v in jax.tree.leaves(got)),
)
_FIXED_KEY_HINT = (
    "Your result ignores the key argument: a key made from a fixed seed (`jax.random.key(0)` "
    "inside the function, or a key made once outside it) gives the same numbers whatever key "
    "you are given. Split the key you get."
)


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    """Correlation of two samples; NaN (no warning) when either one is constant."""
    a, b = a - a.mean(), b - b.mean()
    scale = float(np.sqrt(np.sum(a * a) * np.sum(b * b)))
    return float(np.sum(a * b)) / scale if scale > 0 else float("nan")


def _uncorrelated(a: np.ndarray, b: np.ndarray, what: str, hint: str) -> None:
    corr = _corr(a, b)
    if not abs(corr) <= 0.15:
        raise CheckFailure(
            f"{what} are correlated", hint=hint, expected="corr near 0", yours=f"{corr:.2f}"
        )


def _standard_normal(sample: np.ndarray, label: str, hint: str) -> None:
    flat = sample.ravel()
    if abs(flat.mean()) > 0.15 or abs(flat.std() - 1) > 0.15:
        raise CheckFailure(
            f"{label}: the draws are not standard normal",
            hint=hint,
            expected="mean 0.00, std 1.00 (roughly)",
            yours=f"mean {flat.mean():.2f}, std {flat.std():.2f}",
        )


def _over_keys(fn: Any, n: int, label: str, *rest: Any) -> np.ndarray:
    """``fn(key, *rest)`` jitted and vmapped over ``n`` keys: draws to test the distribution of."""
    keys = jax.random.split(jax.random.key(5), n)
    many = attempt(jax.jit(jax.vmap(lambda k: fn(k, *rest))), keys, label=label)
    return jax.tree.map(np.asarray, many)


# --- split ----------------------------------------------------------------------------------

_SPLIT_HINT_SAME = (
    "`w` and `b` were both drawn from `key` itself, so their random bits are the same: "
    "split first (`key_w, key_b = jax.random.split(key)`) and give each draw its own key."
)
_SPLIT_HINT_UNIFORM = (
    "b should be uniform over the whole interval [0, 1): mean 0.5, std 0.29. "
    "jax.random.uniform(k, (2,)) draws exactly that (its default range is [0, 1))."
)
_SPLIT_HINT_PARENT = (
    "You split `key` but then still drew from `key`: once a key has been split it is spent. "
    "Draw only from the new keys split returned."
)


def _splits(fn: Any) -> bool:
    """Whether ``fn(key)`` calls jax.random.split at all."""
    try:
        return "random_split" in primitive_names(jax.make_jaxpr(fn)(jax.random.key(0)))
    except Exception:  # noqa: BLE001 - the calls themselves report errors
        return False


def _params_drawn_right(fn: Any, ref: Any) -> None:
    """b in [0, 1); over 2000 keys w standard normal, b uniform, w and b independent."""
    b = np.asarray(fn(jax.random.key(0))["b"])
    if not np.all((b >= 0) & (b < 1)):
        raise CheckFailure(
            "init_params: b should be uniform in [0, 1)",
            hint="jax.random.uniform(k, (2,))",
            yours=describe(b),
        )
    many = _over_keys(fn, 2000, "jax.vmap(init_params)")
    w, b = many["w"], many["b"]
    _standard_normal(w, "w over 2000 keys", "draw w with jax.random.normal")
    if abs(b.mean() - 0.5) > 0.02 or abs(b.std() - 0.2887) > 0.02:
        raise CheckFailure(
            "over 2000 keys, b is not uniform in [0, 1)",
            hint=_SPLIT_HINT_UNIFORM,
            expected="mean 0.50, std 0.29 (roughly)",
            yours=f"mean {b.mean():.2f}, std {b.std():.2f}",
        )
    _uncorrelated(w[:, 0, 0], b[:, 0], "over 2000 keys, w[0, 0] and b[0]", _SPLIT_HINT_SAME)


_SPLIT = Exercise(
    id="t04-split-1",
    title="One key per parameter",
    hints=("Split the key into as many keys as you have draws, then use only the new keys.",),
    spec=Spec(
        cases=lambda: [(jax.random.key(0),)],
        rtol=None,
        jit={},
        arrays=True,
        key_reuse=True,
        keyed=_FIXED_KEY_HINT,
        on_error=(
            OnError(_SPLIT_HINT_PARENT, (jax.errors.KeyReuseError,), answer=_splits),
            OnError(_SPLIT_HINT_SAME, (jax.errors.KeyReuseError,)),
            _NUMPY_ERROR,
        ),
        on_result=(
            _NUMPY_RESULT,
            OnResult('return {"w": ..., "b": ...}', when=lambda got, *a: not isinstance(got, dict)),
            OnResult("pass the shapes: jax.random.normal(k, (3, 2)), jax.random.uniform(k, (2,))"),
        ),
        extra=_params_drawn_right,
    ),
)

# --- fold_in --------------------------------------------------------------------------------

_FOLD_HINT_IGNORES_STEP = (
    "Every step got the same noise: the step number never reached the key. "
    "`jax.random.fold_in(key, step)` gives each step its own key."
)
_FOLD_HINT_NEW_SEED = (
    "`jax.random.key(step)` starts a brand-new stream from the step number and throws away the "
    "key you were given, so two runs with different keys share their noise. Derive from the "
    "key instead: `jax.random.fold_in(key, step)`."
)
_FOLD_HINT_SPLIT_TRACED = (
    "`jax.random.split(key, n)` needs a concrete Python int for n, but under jit `step` is "
    "traced. `jax.random.fold_in(key, step)` accepts a traced integer."
)
_FOLD_HINT_RUNS_OUT = (
    "Steps 1000000 and 1000001 gave the same noise: your keys run out for large steps "
    "(indexing a fixed batch `jax.random.split(key, N)[step]` clamps every step >= N to the "
    "last key). `jax.random.fold_in(key, step)` gives every step its own key."
)
_FOLD_HINT_DRIFT = (
    "Your noise drifts with the step number: the step went into the values instead of the key. "
    "Keep the noise standard normal and fold the step into the key: "
    "jax.random.normal(jax.random.fold_in(key, step), (4,))."
)


def _differs_by_step(fn: Any, steps: tuple[int, int], hint: str) -> None:
    a, b = (np.asarray(fn(jax.random.key(0), jnp.int32(s))) for s in steps)
    if np.array_equal(a, b):
        raise CheckFailure(
            f"step {steps[0]} and step {steps[1]} gave the same noise",
            hint=hint,
            expected="different noise for each step",
            yours=f"{describe(jnp.asarray(a))} for both",
        )


def _noise_per_step(fn: Any, ref: Any) -> None:
    """Each step its own noise, large steps too; over 1000 steps standard normal, no drift."""
    _differs_by_step(fn, (0, 1), _FOLD_HINT_IGNORES_STEP)
    _differs_by_step(fn, (10**6, 10**6 + 1), _FOLD_HINT_RUNS_OUT)
    many = attempt(
        jax.vmap(fn, in_axes=(None, 0)),
        jax.random.key(0),
        jnp.arange(1000, dtype=jnp.int32),
        label="jax.vmap(step_noise, in_axes=(None, 0))(key, 1000 steps)",
    )
    rows = np.asarray(many).reshape(1000, -1)
    steps = np.arange(1000, dtype=np.float64)
    trends = (_corr(steps, rows.mean(axis=1)), _corr(steps, np.abs(rows).mean(axis=1)))
    drift = max((abs(c) for c in trends if not np.isnan(c)), default=0.0)
    hint = _FOLD_HINT_DRIFT if drift > 0.5 else "draw with jax.random.normal"
    _standard_normal(rows, "noise over 1000 steps", hint)


_FOLD_IN = Exercise(
    id="t04-fold-in-1",
    title="Per-step noise with fold_in",
    hints=("`jax.random.fold_in(key, data)` mixes an integer (traced or not) into a key.",),
    spec=Spec(
        cases=lambda: [(jax.random.key(0), jnp.int32(s)) for s in range(4)],
        rtol=None,
        eager=False,
        jit={},
        arrays=True,
        compiles_once=True,
        compiles_hint="keep `step` a traced integer: fold it into the key, don't branch on it",
        key_reuse=True,
        keyed=_FOLD_HINT_NEW_SEED,
        on_error=(
            OnError(
                _FOLD_HINT_SPLIT_TRACED,
                (jax.errors.ConcretizationTypeError, TypeError),
                ("concrete", "Concret", "shape", "num"),
            ),
            OnError(
                "derive a fresh key with fold_in and draw once from it",
                (jax.errors.KeyReuseError,),
            ),
            _NUMPY_ERROR,
        ),
        on_result=(_NUMPY_RESULT, OnResult("jax.random.normal(k, (4,))")),
        extra=_noise_per_step,
    ),
)

# --- never reuse a key ----------------------------------------------------------------------

_WALK_HINT_SAME = (
    "Every step of your walk is the same number: the loop draws from the same key each time. "
    "Split inside the loop: `key, sub = jax.random.split(key)`, then draw from `sub`."
)
_WALK_HINT_BEFORE = (
    "Your walk starts with 0, so you recorded the position before taking the step: entry i is "
    "the position *after* i + 1 steps. Add the step to x first, then append x."
)
_WALK_HINT_SUM = (
    "You returned the steps themselves: entry i must be the position, the sum of the first "
    "i + 1 steps. Add each step to a running `x` (or take jnp.cumsum of the steps)."
)
_WALK_HINT_CARRY = (
    "Inside the loop you split `key` into `key, sub` but drew from `key`, the one you carry "
    "to the next split: that key is used twice. Draw from `sub`, carry `key`."
)


def _walk_steps(walk: Any) -> np.ndarray:
    """The steps of a walk (or of a batch of walks): the differences of its positions."""
    positions = np.asarray(walk)
    return np.diff(positions, axis=-1, prepend=0.0)


def _steps_all_equal(fn: Any) -> bool:
    """Whether every step of ``fn(key, 6)`` is the same number (one key drawn from each time)."""
    try:
        steps = _walk_steps(fn(jax.random.key(0), 6))
    except Exception:  # noqa: BLE001 - the calls themselves report errors
        return False
    return bool(np.allclose(steps, steps[0]))


def _walks_right(fn: Any, ref: Any) -> None:
    """Positions after each step; over 1000 walks the steps standard normal and independent."""
    walk = np.asarray(fn(jax.random.key(0), 6))
    if walk[0] == 0.0:
        raise CheckFailure(
            "random_walk(key, 6) starts with 0.0",
            hint=_WALK_HINT_BEFORE,
            expected="the position after the first step",
            yours=describe(walk),
        )
    positions = _over_keys(fn, 1000, "jax.vmap(random_walk)(1000 keys, 5)", 5)
    inc = _walk_steps(positions)
    spread = inc.std(axis=0)
    if np.all(np.abs(positions.std(axis=0) - 1) < 0.15):
        hint = _WALK_HINT_SUM
    elif spread[0] < 0.15:
        hint = _WALK_HINT_BEFORE
    else:
        hint = "each step is jax.random.normal(sub)"
    if not np.all(np.abs(spread - 1) <= 0.15):
        raise CheckFailure(
            "over 1000 walks, the steps are not standard normal",
            hint=hint,
            expected="std 1.00 for each of the 5 steps (roughly)",
            yours="std " + ", ".join(f"{v:.2f}" for v in spread),
        )
    _standard_normal(inc, "steps over 1000 walks", hint)
    _uncorrelated(inc[:, 0], inc[:, 1], "over 1000 walks, step 1 and step 2", _WALK_HINT_SAME)


_REUSE = Exercise(
    id="t04-key-reuse-1",
    title="A random walk without reusing keys",
    hints=(
        "Carry one key through the loop; each iteration splits it into the key to carry and "
        "a subkey to draw from.",
    ),
    spec=Spec(
        cases=lambda: [(jax.random.key(0), 6), (jax.random.key(0), 3)],
        rtol=None,
        jit={"static_argnums": (1,)},
        arrays=True,
        key_reuse=True,
        keyed=_FIXED_KEY_HINT,
        on_error=(
            OnError(_WALK_HINT_SAME, (jax.errors.KeyReuseError,), answer=_steps_all_equal),
            OnError(_WALK_HINT_CARRY, (jax.errors.KeyReuseError,)),
            _NUMPY_ERROR,
        ),
        on_result=(
            _NUMPY_RESULT,
            OnResult("stack the positions: jnp.stack(positions) or jnp.cumsum(steps)"),
        ),
        extra=_walks_right,
    ),
)

# --- keys under jit and vmap ----------------------------------------------------------------

_VMAP_HINT_SHARED = (
    "Every row got the same noise: one key was shared by the whole batch "
    "(`in_axes=(None, 0)`). Split it into one key per row, "
    "`jax.random.split(key, xs.shape[0])`, and map over the keys too."
)
_VMAP_HINT_CONST = (
    "Your noise ignores the key argument: a key made once outside the function (or from a "
    "fixed seed inside it) becomes a constant, and every call draws the same numbers. Use "
    "the key you are given."
)
_VMAP_HINT_NO_VMAP = (
    "Draw the noise through jax.vmap, one key per row: `keys = jax.random.split(key, "
    "xs.shape[0])`, then `jax.vmap(add_noise)(keys, xs)`. One draw of shape xs.shape (or a "
    "Python loop over rows) is not what this exercise practises."
)


def _draws_from_a_batch_of_keys(fn: Any, key: jax.Array, xs: jax.Array) -> bool:
    """True when ``fn(key, xs)`` draws random bits from a batch of keys (a vmapped draw)."""

    try:
        eqns = all_eqns(jax.make_jaxpr(fn)(key, xs))
        return any(e.primitive.name == "random_bits" and e.invars[0].aval.shape for e in eqns)
    except Exception:  # noqa: BLE001 - the calls themselves report errors
        return True


_ROWS = jnp.arange(15.0, dtype=jnp.float32).reshape(5, 3)


def _noise_per_row(fn: Any, ref: Any) -> None:
    """Each row its own noise, drawn through vmap; over 2000 rows standard normal, independent."""
    key = jax.random.key(0)
    noise = np.asarray(fn(key, _ROWS)) - np.asarray(_ROWS)
    if np.allclose(noise, noise[0]):
        raise CheckFailure(
            "every row got the same noise",
            hint=_VMAP_HINT_SHARED,
            expected="different noise in each row",
            yours=f"noise row {describe(jnp.asarray(noise[0]))} 5 times",
        )
    if not _draws_from_a_batch_of_keys(fn, key, _ROWS):
        raise CheckFailure(
            "noisy_batch does not draw through jax.vmap from a batch of keys",
            hint=_VMAP_HINT_NO_VMAP,
            expected="jax.vmap(add_noise)(keys, xs) with one key per row",
            yours="no random draw from a batch of keys in the traced function",
        )
    big = jnp.zeros((2000, 2), jnp.float32)
    drawn = np.asarray(
        attempt(jax.jit(fn), jax.random.key(3), big, label="noisy_batch(key, 2000 rows)")
    )
    _standard_normal(drawn, "noise over 2000 rows", "draw each row with jax.random.normal")
    _uncorrelated(drawn[:-1, 0], drawn[1:, 0], "the noise of neighbouring rows", _VMAP_HINT_SHARED)


_VMAP = Exercise(
    id="t04-keys-vmap-jit-1",
    title="A batch of keys for a batch of examples",
    hints=(
        "`jax.random.split(key, n)` returns a batch of n keys, which vmap maps over like "
        "any other array.",
    ),
    spec=Spec(
        cases=lambda: [(jax.random.key(0), _ROWS), (jax.random.key(2), _ROWS + 1)],
        rtol=None,
        jit={},
        arrays=True,
        compiles_once=True,
        compiles_hint="pass keys as arguments; don't make them from Python values inside",
        key_reuse=True,
        keyed=_VMAP_HINT_CONST,
        on_error=(OnError(_VMAP_HINT_SHARED, (jax.errors.KeyReuseError,)), _NUMPY_ERROR),
        on_result=(_NUMPY_RESULT, OnResult("add noise of the shape of one row to each row")),
        extra=_noise_per_row,
    ),
)

EXERCISES = (_SPLIT, _FOLD_IN, _REUSE, _VMAP)
