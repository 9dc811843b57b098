"""Table 1 exercises: pure functions, immutable arrays, explicit state and keys, static values."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import Exercise
from ._support import (
    Also,
    CheckFailure,
    OnError,
    OnResult,
    Spec,
    attempt,
    captured_stdout,
    changed_globals,
    describe,
    global_values,
    globals_state,
    hints_of,
    normal,
    quietly,
    same,
)

HINT = hints_of(__name__)

_TRACER_ERROR = OnError(
    HINT["tracer_escaped_from"],
    (jax.errors.UnexpectedTracerError,),
)


def _unchanged_globals(fn: Any, args: tuple, hint_for: Any) -> None:
    """Fail when calling ``fn(*args)`` rebinds a global it reads or changes a global container;
    ``hint_for(value)`` is the hint for a changed global holding ``value``."""
    before = globals_state(fn)
    with captured_stdout():
        attempt(fn, *args, label=f"{fn.__name__}{describe(args)}")
    for name in changed_globals(fn, before):
        value = global_values(fn)[name]
        raise CheckFailure(
            f"{fn.__name__} changed the global {name!r}",
            hint=hint_for(value),
            expected="no change outside the function",
            yours=f"{name} now holds {describe(value)}",
        )


# --- pure functions -------------------------------------------------------------------------


def _reads_a_number(fn: Any) -> bool:
    return any(isinstance(v, int | float | jax.Array) for v in global_values(fn).values())


def _no_side_effects(fn: Any) -> None:
    """No global changes, and no print that runs only while JAX traces."""
    _unchanged_globals(
        fn,
        (normal(1, (4,)), 2.0),
        lambda v: HINT["pure_list"] if isinstance(v, list | dict | set) else HINT["pure_rebind"],
    )
    jitted, printed = jax.jit(lambda x, scale: fn(x, scale)), []  # a fresh trace
    for x in (normal(5, (4,)), normal(6, (4,))):
        with captured_stdout() as out:
            jax.block_until_ready(jitted(x, 2.0))
            jax.effects_barrier()
        printed.append(out.getvalue().strip())
    if printed[0] and not printed[1]:
        raise CheckFailure(
            "scaled_sum printed while JAX traced it, and not on the next jitted call",
            hint=HINT["pure_print"],
            expected="the same behaviour on every call",
            yours=f"1st call printed {printed[0]!r}; 2nd printed {printed[1]!r}",
        )


_PURE = Exercise(
    id="t01-pure-functions-1",
    spec=Spec(
        cases=lambda: [
            (normal(1, (4,)), 2.0),
            (normal(2, (4,)), 0.5),
            (normal(3, (2, 3)), 3.0),
            (normal(4, (5,)), -1.5),
        ],
        eager=False,
        also=(Also("{}", quietly), Also("jax.jit({})", lambda f: quietly(jax.jit(f)))),
        on_result=(OnResult(HINT["pure_global"], when=lambda *a: True, answer=_reads_a_number),),
        extra=lambda fn, ref: _no_side_effects(fn),
    ),
)

# --- immutable arrays -----------------------------------------------------------------------


_IMMUTABLE = Exercise(
    id="t01-immutable-arrays-1",
    spec=Spec(
        cases=lambda: [
            (normal(1, (5,)), 7.5),
            (normal(2, (3, 4)), -1.0),
            (jnp.arange(4, dtype=jnp.int32), 9),
            (jnp.array([1.0, 1.0, 2.0]), 5.0),
            (normal(10, (6,)), 10.0),
            (normal(11, (6,)), 11.0),
        ],
        jit={},
        compiles_once=True,
        compiles_hint=HINT["keep_result_s"],
        on_error=(
            OnError(HINT["at_numpy"], (jax.errors.TracerArrayConversionError,)),
            OnError(HINT["at_assign"], (TypeError,), ("immutable", "item assignment")),
        ),
        on_result=(
            OnResult(
                HINT["at_forgot_set"],
                when=lambda got, x, v: type(got).__name__ == "_IndexUpdateRef",
            ),
            OnResult(HINT["at_numpy"], when=lambda got, x, v: isinstance(got, np.ndarray)),
            OnResult(HINT["at_by_value"], wrong=lambda ref, x, v: jnp.where(x == x[0], v, x)),
            OnResult(HINT["at_row"], wrong=lambda ref, x, v: x.at[(0,) * x.ndim].set(v)),
        ),
        arrays=True,
    ),
)

# --- explicit state -------------------------------------------------------------------------


def _steps() -> list[tuple[dict[str, jax.Array], jax.Array]]:
    """Three steps from the initial state: each (state, x) starts where the one before ended."""
    state, cases = {"count": jnp.int32(0), "total": jnp.float32(0.0)}, []
    for seed in (1, 2, 3):
        cases.append((state, normal(seed, (4,))))
        state = {"count": state["count"] + 1, "total": state["total"] + jnp.sum(cases[-1][1])}
    return cases


_STATE = Exercise(
    id="t01-explicit-state-1",
    spec=Spec(
        cases=_steps,
        jit={},
        compiles_once=True,
        compiles_hint=HINT["return_state_with"],
        on_error=(_TRACER_ERROR,),
        on_result=(
            OnResult(
                HINT["return_new_state"],
                when=lambda got, *a: not isinstance(got, dict),
            ),
            OnResult(HINT["state_global"], when=lambda *a: True, answer=global_values),
        ),
        mutated_hint=HINT["state_mutate"],
        extra=lambda fn, ref: _unchanged_globals(fn, _steps()[0], lambda v: HINT["state_global"]),
    ),
)

# --- explicit PRNG keys ---------------------------------------------------------------------


def _independent(fn: Any, ref: Any) -> None:
    """Samples that follow the key, from split keys only, the same under jit, and independent
    standard normals over many keys."""
    key, other = jax.random.key(42), jax.random.key(7)
    a, b = attempt(fn, key, label="two_samples(key)")
    a2, b2 = attempt(fn, key, label="two_samples(key) called again")
    if not (np.array_equal(a, a2) and np.array_equal(b, b2)):
        raise CheckFailure(
            "two calls with the same key gave different samples",
            hint=HINT["key_numpy"],
            expected=f"{describe(a)} both times",
            yours=f"{describe(a)}, then {describe(a2)}",
        )
    if np.allclose(a, b):
        raise CheckFailure(
            "the two samples are identical",
            hint=HINT["key_same"],
            expected="two different samples",
            yours=f"a = b = {describe(a)}",
        )
    parent = jax.random.normal(key, (3,), a.dtype)
    children = [jax.random.normal(k, (3,), a.dtype) for k in jax.random.split(key)]
    for mine, rest in ((a, b), (b, a)):
        if np.allclose(mine, parent) and any(np.allclose(rest, c) for c in children):
            raise CheckFailure(
                "one sample was drawn from the key you were given, the other from a key split "
                "off it",
                hint=HINT["key_parent"],
                expected="samples drawn only from the split keys",
                yours=f"jax.random.normal(key, (3,)) = {describe(parent)}",
            )
    if np.allclose(a, attempt(fn, other, label="two_samples(another key)")[0]):
        raise CheckFailure("another key gave the same samples", hint=HINT["key_fixed"])
    jitted = jax.jit(fn)
    ja, jb = attempt(jitted, key, label="jax.jit(two_samples)(key)")
    same((a, b), (ja, jb), "jax.jit(two_samples)(key) versus two_samples(key)")
    if np.allclose(ja, attempt(jitted, other, label="jax.jit(two_samples)(another key)")[0]):
        raise CheckFailure("under jit, another key gave the same samples", hint=HINT["key_numpy"])
    keys = jax.random.split(jax.random.key(0), 1024)
    many_a, many_b = attempt(jax.vmap(fn), keys, label="jax.vmap(two_samples)(1024 keys)")
    many_a, many_b = np.asarray(many_a).ravel(), np.asarray(many_b).ravel()
    corr = float(np.corrcoef(many_a, many_b)[0, 1])
    stats = f"mean {many_a.mean():.2f}, std {many_a.std():.2f}, corr(a, b) {corr:.2f}"
    if abs(many_a.mean()) > 0.15 or abs(many_a.std() - 1) > 0.15 or abs(corr) > 0.15:
        raise CheckFailure(
            "over 1024 keys the samples are not independent standard normals",
            hint=HINT["draw_each_sample"],
            expected="mean 0.00, std 1.00, corr(a, b) 0.00 (roughly)",
            yours=stats,
        )


_PRNG = Exercise(
    id="t01-explicit-prng-1",
    spec=Spec(
        cases=lambda: [(jax.random.key(42),), (jax.random.key(7),)],
        jit={},
        on_error=(
            OnError(
                HINT["key_numpy"],
                (jax.errors.TracerArrayConversionError, jax.errors.ConcretizationTypeError),
            ),
        ),
        on_result=(
            OnResult(
                HINT["return_tuple_return"],
                when=lambda got, key: not isinstance(got, tuple) or len(got) != 2,
            ),
            OnResult(
                HINT["key_numpy"],
                when=lambda got, key: any(isinstance(p, np.ndarray) for p in got),
            ),
            OnResult(HINT["random_normal_k"], when=lambda *a: True),
        ),
        rtol=None,  # any two independent normal samples will do
        wrap=lambda f: lambda key: (lambda v: tuple(v) if isinstance(v, list) else v)(f(key)),
        extra=_independent,
        arrays=True,
    ),
)

# --- static versus traced -------------------------------------------------------------------


_STATIC = Exercise(
    id="t01-static-vs-traced-1",
    spec=Spec(
        cases=lambda: (
            [
                (x, use_relu)
                for use_relu in (True, False)
                for x in (normal(1, (5,)), normal(2, (2, 3)), jnp.float32(-1.5), jnp.float32(2.0))
            ]
            + [(normal(5, (5,)), True), (normal(6, (5,)), True)]
        ),
        jit={"static_argnums": 1},
        compiles_once=True,
        on_error=(
            OnError(HINT["static_numpy"], (jax.errors.TracerArrayConversionError,)),
            OnError(HINT["static_if"], (jax.errors.ConcretizationTypeError,)),
            OnError(HINT["static_if"], words=("truth value of an array",)),
        ),
        on_result=(
            OnResult(HINT["static_numpy"], when=lambda got, *a: isinstance(got, np.ndarray)),
        ),
        arrays=True,
    ),
)

EXERCISES = (_PURE, _IMMUTABLE, _STATE, _PRNG, _STATIC)
