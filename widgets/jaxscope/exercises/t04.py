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
    hints_of,
    primitive_names,
)

HINT = hints_of(__name__)

_NUMPY_ERROR = OnError(
    HINT["numpy"], (jax.errors.TracerArrayConversionError, jax.errors.ConcretizationTypeError)
)
_NUMPY_RESULT = OnResult(
    HINT["numpy"],
    when=lambda got, *args: any(isinstance(v, np.ndarray) for v in jax.tree.leaves(got)),
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
            hint=HINT["random_uniform_k"],
            yours=describe(b),
        )
    many = _over_keys(fn, 2000, "jax.vmap(init_params)")
    w, b = many["w"], many["b"]
    _standard_normal(w, "w over 2000 keys", "draw w with jax.random.normal")
    if abs(b.mean() - 0.5) > 0.02 or abs(b.std() - 0.2887) > 0.02:
        raise CheckFailure(
            "over 2000 keys, b is not uniform in [0, 1)",
            hint=HINT["split_uniform"],
            expected="mean 0.50, std 0.29 (roughly)",
            yours=f"mean {b.mean():.2f}, std {b.std():.2f}",
        )
    _uncorrelated(w[:, 0, 0], b[:, 0], "over 2000 keys, w[0, 0] and b[0]", HINT["split_same"])


_SPLIT = Exercise(
    id="t04-split-1",
    spec=Spec(
        cases=lambda: [(jax.random.key(0),)],
        rtol=None,
        jit={},
        arrays=True,
        key_reuse=True,
        keyed=HINT["fixed_key"],
        on_error=(
            OnError(HINT["split_parent"], (jax.errors.KeyReuseError,), answer=_splits),
            OnError(HINT["split_same"], (jax.errors.KeyReuseError,)),
            _NUMPY_ERROR,
        ),
        on_result=(
            _NUMPY_RESULT,
            OnResult(HINT["return_w_b"], when=lambda got, *a: not isinstance(got, dict)),
            OnResult(HINT["pass_shapes_random"]),
        ),
        extra=_params_drawn_right,
    ),
)

# --- fold_in --------------------------------------------------------------------------------


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
    _differs_by_step(fn, (0, 1), HINT["fold_ignores_step"])
    _differs_by_step(fn, (10**6, 10**6 + 1), HINT["fold_runs_out"])
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
    hint = HINT["fold_drift"] if drift > 0.5 else "draw with jax.random.normal"
    _standard_normal(rows, "noise over 1000 steps", hint)


_FOLD_IN = Exercise(
    id="t04-fold-in-1",
    spec=Spec(
        cases=lambda: [(jax.random.key(0), jnp.int32(s)) for s in range(4)],
        rtol=None,
        eager=False,
        jit={},
        arrays=True,
        compiles_once=True,
        compiles_hint=HINT["keep_step_traced"],
        key_reuse=True,
        keyed=HINT["fold_new_seed"],
        on_error=(
            OnError(
                HINT["fold_split_traced"],
                (jax.errors.ConcretizationTypeError, TypeError),
                ("concrete", "Concret", "shape", "num"),
            ),
            OnError(
                HINT["derive_fresh_key"],
                (jax.errors.KeyReuseError,),
            ),
            _NUMPY_ERROR,
        ),
        on_result=(_NUMPY_RESULT, OnResult(HINT["random_normal_k"])),
        extra=_noise_per_step,
    ),
)

# --- never reuse a key ----------------------------------------------------------------------


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
            hint=HINT["walk_before"],
            expected="the position after the first step",
            yours=describe(walk),
        )
    positions = _over_keys(fn, 1000, "jax.vmap(random_walk)(1000 keys, 5)", 5)
    inc = _walk_steps(positions)
    spread = inc.std(axis=0)
    if np.all(np.abs(positions.std(axis=0) - 1) < 0.15):
        hint = HINT["walk_sum"]
    elif spread[0] < 0.15:
        hint = HINT["walk_before"]
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
    _uncorrelated(inc[:, 0], inc[:, 1], "over 1000 walks, step 1 and step 2", HINT["walk_same"])


_REUSE = Exercise(
    id="t04-key-reuse-1",
    spec=Spec(
        cases=lambda: [(jax.random.key(0), 6), (jax.random.key(0), 3)],
        rtol=None,
        jit={"static_argnums": (1,)},
        arrays=True,
        key_reuse=True,
        keyed=HINT["fixed_key"],
        on_error=(
            OnError(HINT["walk_same"], (jax.errors.KeyReuseError,), answer=_steps_all_equal),
            OnError(HINT["walk_carry"], (jax.errors.KeyReuseError,)),
            _NUMPY_ERROR,
        ),
        on_result=(
            _NUMPY_RESULT,
            OnResult(HINT["stack_positions_jnp"]),
        ),
        extra=_walks_right,
    ),
)

# --- keys under jit and vmap ----------------------------------------------------------------


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
            hint=HINT["vmap_shared"],
            expected="different noise in each row",
            yours=f"noise row {describe(jnp.asarray(noise[0]))} 5 times",
        )
    if not _draws_from_a_batch_of_keys(fn, key, _ROWS):
        raise CheckFailure(
            "noisy_batch does not draw through jax.vmap from a batch of keys",
            hint=HINT["vmap_no_vmap"],
            expected="jax.vmap(add_noise)(keys, xs) with one key per row",
            yours="no random draw from a batch of keys in the traced function",
        )
    big = jnp.zeros((2000, 2), jnp.float32)
    drawn = np.asarray(
        attempt(jax.jit(fn), jax.random.key(3), big, label="noisy_batch(key, 2000 rows)")
    )
    _standard_normal(drawn, "noise over 2000 rows", "draw each row with jax.random.normal")
    _uncorrelated(
        drawn[:-1, 0], drawn[1:, 0], "the noise of neighbouring rows", HINT["vmap_shared"]
    )


_VMAP = Exercise(
    id="t04-keys-vmap-jit-1",
    spec=Spec(
        cases=lambda: [(jax.random.key(0), _ROWS), (jax.random.key(2), _ROWS + 1)],
        rtol=None,
        jit={},
        arrays=True,
        compiles_once=True,
        compiles_hint=HINT["pass_keys_as"],
        key_reuse=True,
        keyed=HINT["vmap_const"],
        on_error=(OnError(HINT["vmap_shared"], (jax.errors.KeyReuseError,)), _NUMPY_ERROR),
        on_result=(_NUMPY_RESULT, OnResult(HINT["add_noise_shape"])),
        extra=_noise_per_row,
    ),
)

EXERCISES = (_SPLIT, _FOLD_IN, _REUSE, _VMAP)
