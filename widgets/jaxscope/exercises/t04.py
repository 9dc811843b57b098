"""Table 4 exercises: splitting keys, fold_in, never reusing a key, keys under jit and vmap."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import Exercise
from ._support import (
    CheckFailure,
    all_eqns,
    attempt,
    aval,
    describe,
    expect_function,
    message_has,
    primitive_names,
    same,
)


def _no_key_reuse(name: str, fn: Any, *args: Any, hint: str, static_argnums: tuple = ()) -> None:
    """Trace ``fn`` under jit with JAX's key-reuse checker on; fail with ``hint`` if it refuses."""
    try:
        with jax.debug_key_reuse(True):
            jax.jit(fn, static_argnums=static_argnums).trace(*args)
    except jax.errors.KeyReuseError as exc:
        raise CheckFailure(
            f"JAX's key-reuse checker refused {name}: {str(exc).splitlines()[0]}",
            hint=hint,
            expected="every key used once",
        ) from None
    except Exception:  # noqa: BLE001 - other errors are reported by the calls that follow
        return


def _array_of(got: Any, label: str, shape: tuple, hint: str, dtype: Any = jnp.float32) -> None:
    """Fail unless ``got`` is a JAX array of ``shape`` and ``dtype``."""
    if not isinstance(got, jax.Array) or got.shape != shape or got.dtype != dtype:
        want = aval(np.zeros(shape, dtype))
        raise CheckFailure(
            f"{label} should be {want}", hint=hint, expected=want, yours=describe(got)
        )


def _keys_error_hint(exc: BaseException) -> str | None:
    if isinstance(exc, jax.errors.TracerArrayConversionError | jax.errors.ConcretizationTypeError):
        return _NUMPY_HINT
    return None


_NUMPY_HINT = (
    "NumPy's random numbers come from hidden global state: they ignore the key, can't be "
    "reproduced, and turn into constants under jit. Draw with jax.random from the key you get."
)


def _follows_key(fn: Any, label: str, *rest: Any, hint: str) -> None:
    """Same key -> same result; another key -> another result."""
    a = attempt(fn, jax.random.key(3), *rest, label=label, hint_for=_keys_error_hint)
    b = attempt(fn, jax.random.key(3), *rest, label=label, hint_for=_keys_error_hint)
    same(a, b, f"{label} called twice with the same key", _NUMPY_HINT)
    c = attempt(fn, jax.random.key(4), *rest, label=label, hint_for=_keys_error_hint)
    pairs = zip(jax.tree.leaves(a), jax.tree.leaves(c), strict=True)
    if all(np.allclose(np.asarray(x), np.asarray(y)) for x, y in pairs):
        raise CheckFailure(
            f"{label}: two different keys gave the same result",
            hint=hint,
            expected="a different draw for a different key",
            yours=describe(a),
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


def _compiled_once(jitted: Any, label: str, hint: str) -> None:
    if jitted._cache_size() != 1:
        raise CheckFailure(f"{label} compiled {jitted._cache_size()} times", hint=hint)


def _standard_normal(sample: np.ndarray, label: str, hint: str) -> None:
    flat = sample.ravel()
    if abs(flat.mean()) > 0.15 or abs(flat.std() - 1) > 0.15:
        raise CheckFailure(
            f"{label}: the draws are not standard normal",
            hint=hint,
            expected="mean 0.00, std 1.00 (roughly)",
            yours=f"mean {flat.mean():.2f}, std {flat.std():.2f}",
        )


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


def _init_reference(key):
    key_w, key_b = jax.random.split(key)
    return {"w": jax.random.normal(key_w, (3, 2)), "b": jax.random.uniform(key_b, (2,))}


def _check_init_params(answer: Any) -> None:
    fn = expect_function(answer, "init_params(key)")
    key = jax.random.key(0)
    out = attempt(fn, key, label="init_params(key)", hint_for=_keys_error_hint)
    if not isinstance(out, dict) or set(out) != {"w", "b"}:
        raise CheckFailure(
            "init_params(key) should return a dict with keys 'w' and 'b'",
            hint='return {"w": ..., "b": ...}',
            expected="{'w': float32[3,2], 'b': float32[2]}",
            yours=describe(out),
        )
    for name, shape in (("w", (3, 2)), ("b", (2,))):
        if isinstance(out[name], np.ndarray):
            raise CheckFailure(f"init_params: {name} is a NumPy array", hint=_NUMPY_HINT)
        draw = "normal" if name == "w" else "uniform"
        _array_of(
            out[name],
            f"init_params: {name}",
            shape,
            f"pass the shape: jax.random.{draw}(k, {shape})",
        )
    if not np.all((np.asarray(out["b"]) >= 0) & (np.asarray(out["b"]) < 1)):
        raise CheckFailure(
            "init_params: b should be uniform in [0, 1)",
            hint="jax.random.uniform(k, (2,))",
            yours=describe(out["b"]),
        )
    try:
        split_used = "random_split" in primitive_names(jax.make_jaxpr(fn)(key))
    except Exception:  # noqa: BLE001 - the calls themselves report errors
        split_used = False
    hint = _SPLIT_HINT_PARENT if split_used else _SPLIT_HINT_SAME
    _no_key_reuse("init_params", fn, jax.random.key(1), hint=hint)
    _follows_key(fn, "init_params", hint=_FIXED_KEY_HINT)
    jitted = jax.jit(fn)
    same(out, attempt(jitted, key, label="jax.jit(init_params)(key)"), "jax.jit(init_params)")
    many = attempt(
        jax.jit(jax.vmap(fn)),
        jax.random.split(jax.random.key(5), 2000),
        label="jax.vmap(init_params)",
    )
    _standard_normal(np.asarray(many["w"]), "w over 2000 keys", "draw w with jax.random.normal")
    b_all = np.asarray(many["b"]).ravel()
    if abs(b_all.mean() - 0.5) > 0.02 or abs(b_all.std() - 0.2887) > 0.02:
        raise CheckFailure(
            "over 2000 keys, b is not uniform in [0, 1)",
            hint=_SPLIT_HINT_UNIFORM,
            expected="mean 0.50, std 0.29 (roughly)",
            yours=f"mean {b_all.mean():.2f}, std {b_all.std():.2f}",
        )
    w0, b0 = np.asarray(many["w"])[:, 0, 0], np.asarray(many["b"])[:, 0]
    _uncorrelated(w0, b0, "over 2000 keys, w[0, 0] and b[0]", _SPLIT_HINT_SAME)


_SPLIT = Exercise(
    id="t04-split-1",
    title="One key per parameter",
    hints=("Split the key into as many keys as you have draws, then use only the new keys.",),
    checker=_check_init_params,
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


def _fold_hint(exc: BaseException) -> str | None:
    if isinstance(exc, jax.errors.ConcretizationTypeError | TypeError) and message_has(
        exc, "concrete", "Concret", "shape", "num"
    ):
        return _FOLD_HINT_SPLIT_TRACED
    return _keys_error_hint(exc)


def _check_step_noise(answer: Any) -> None:
    fn = expect_function(answer, "step_noise(key, step)")
    jitted = jax.jit(fn)
    key = jax.random.key(0)
    outs = []
    for step in range(4):
        label = f"jax.jit(step_noise)(key, {step})"
        got = attempt(jitted, key, jnp.int32(step), label=label, hint_for=_fold_hint)
        _array_of(got, label, (4,), "jax.random.normal(k, (4,))")
        outs.append(np.asarray(got))
    if np.allclose(outs[0], outs[1]):
        raise CheckFailure(
            "step 0 and step 1 gave the same noise",
            hint=_FOLD_HINT_IGNORES_STEP,
            expected="different noise for each step",
            yours=f"{describe(outs[0])} for both",
        )
    big = [
        np.asarray(attempt(jitted, key, jnp.int32(s), label=f"jax.jit(step_noise)(key, {s})"))
        for s in (10**6, 10**6 + 1)
    ]
    if np.array_equal(big[0], big[1]):
        raise CheckFailure(
            "steps 1000000 and 1000001 gave the same noise",
            hint=_FOLD_HINT_RUNS_OUT,
            expected="different noise for each step",
            yours=f"{describe(jnp.asarray(big[0]))} for both",
        )
    again = attempt(jitted, key, jnp.int32(2), label="step_noise(key, 2) again")
    same(jnp.asarray(outs[2]), again, "step_noise(key, 2) called twice", _NUMPY_HINT)
    other = attempt(jitted, jax.random.key(1), jnp.int32(2), label="step_noise(other key, 2)")
    if np.allclose(np.asarray(other), outs[2]):
        raise CheckFailure(
            "two different keys gave the same noise for step 2",
            hint=_FOLD_HINT_NEW_SEED,
            expected="noise that depends on the key and the step",
            yours=describe(other),
        )
    _compiled_once(
        jitted,
        "jax.jit(step_noise) for 4 steps",
        "keep `step` a traced integer: fold it into the key, don't branch on it",
    )
    _no_key_reuse(
        "step_noise",
        fn,
        jax.random.key(2),
        jnp.int32(0),
        hint="derive a fresh key with fold_in and draw once from it",
    )
    many = attempt(
        jax.jit(jax.vmap(fn, in_axes=(None, 0))),
        key,
        jnp.arange(1000, dtype=jnp.int32),
        label="jax.vmap(step_noise, in_axes=(None, 0))(key, 1000 steps)",
        hint_for=_fold_hint,
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
    checker=_check_step_noise,
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


def _check_random_walk(answer: Any) -> None:
    fn = expect_function(answer, "random_walk(key, n)")
    key = jax.random.key(0)
    walk = attempt(fn, key, 6, label="random_walk(key, 6)", hint_for=_keys_error_hint)
    _array_of(
        walk,
        "random_walk(key, 6)",
        (6,),
        "stack the positions: jnp.stack(positions) or jnp.cumsum(steps)",
    )
    if float(walk[0]) == 0.0:
        raise CheckFailure(
            "random_walk(key, 6) starts with 0.0",
            hint=_WALK_HINT_BEFORE,
            expected="the position after the first step",
            yours=describe(walk),
        )
    steps = np.diff(np.concatenate([[0.0], np.asarray(walk)]))
    if np.allclose(steps, steps[0]):
        raise CheckFailure(
            "all 6 steps of the walk are equal",
            hint=_WALK_HINT_SAME,
            expected="6 different steps",
            yours=f"steps {describe(jnp.asarray(steps, jnp.float32))}",
        )
    _no_key_reuse(
        "random_walk", fn, jax.random.key(1), 6, hint=_WALK_HINT_CARRY, static_argnums=(1,)
    )
    _follows_key(fn, "random_walk(key, 6)", 6, hint=_FIXED_KEY_HINT)
    many = attempt(
        jax.jit(jax.vmap(lambda k: fn(k, 5))),
        jax.random.split(jax.random.key(7), 1000),
        label="jax.vmap(random_walk)(1000 keys, 5)",
        hint_for=_keys_error_hint,
    )
    positions = np.asarray(many).reshape(1000, -1)
    inc = np.diff(np.concatenate([np.zeros((1000, 1)), positions], axis=1), axis=1)
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
    first = attempt(fn, key, 3, label="random_walk(key, 3)")
    _array_of(first, "random_walk(key, 3)", (3,), "return n positions")


_REUSE = Exercise(
    id="t04-key-reuse-1",
    title="A random walk without reusing keys",
    hints=(
        "Carry one key through the loop; each iteration splits it into the key to carry and "
        "a subkey to draw from.",
    ),
    checker=_check_random_walk,
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


def _check_noisy_batch(answer: Any) -> None:
    fn = expect_function(answer, "noisy_batch(key, xs)")
    xs = jnp.arange(15.0, dtype=jnp.float32).reshape(5, 3)
    jitted = jax.jit(fn)
    key = jax.random.key(0)
    out = attempt(jitted, key, xs, label="jax.jit(noisy_batch)(key, xs)", hint_for=_keys_error_hint)
    _array_of(
        out, "noisy_batch(key, xs)", xs.shape, "add noise of the shape of one row to each row"
    )
    noise = np.asarray(out) - np.asarray(xs)
    if np.allclose(noise, noise[0]):
        raise CheckFailure(
            "every row got the same noise",
            hint=_VMAP_HINT_SHARED,
            expected="different noise in each row",
            yours=f"noise row {describe(jnp.asarray(noise[0]))} 5 times",
        )
    other = attempt(jitted, jax.random.key(1), xs, label="noisy_batch(another key, xs)")
    if np.allclose(np.asarray(other), np.asarray(out)):
        raise CheckFailure(
            "another key gave the same noise", hint=_VMAP_HINT_CONST, yours=describe(other)
        )
    if not _draws_from_a_batch_of_keys(fn, key, xs):
        raise CheckFailure(
            "noisy_batch does not draw through jax.vmap from a batch of keys",
            hint=_VMAP_HINT_NO_VMAP,
            expected="jax.vmap(add_noise)(keys, xs) with one key per row",
            yours="no random draw from a batch of keys in the traced function",
        )
    again = attempt(fn, key, xs, label="noisy_batch(key, xs) without jit")
    same(out, again, "noisy_batch with and without jit", _NUMPY_HINT, rtol=1e-4)
    attempt(jitted, jax.random.key(2), xs + 1, label="jax.jit(noisy_batch) again")
    _compiled_once(
        jitted,
        "jax.jit(noisy_batch) for one shape",
        "pass keys as arguments; don't make them from Python values inside",
    )
    big = jnp.zeros((2000, 2), jnp.float32)
    drawn = np.asarray(attempt(jitted, jax.random.key(3), big, label="noisy_batch(key, 2000 rows)"))
    _standard_normal(drawn, "noise over 2000 rows", "draw each row with jax.random.normal")
    _uncorrelated(drawn[:-1, 0], drawn[1:, 0], "the noise of neighbouring rows", _VMAP_HINT_SHARED)


_VMAP = Exercise(
    id="t04-keys-vmap-jit-1",
    title="A batch of keys for a batch of examples",
    hints=(
        "`jax.random.split(key, n)` returns a batch of n keys, which vmap maps over like "
        "any other array.",
    ),
    checker=_check_noisy_batch,
)

EXERCISES = (_SPLIT, _FOLD_IN, _REUSE, _VMAP)
