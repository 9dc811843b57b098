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
    normal,
    quietly,
    same,
)

_TRACER_ERROR = OnError(
    "a tracer escaped from a jitted call: keep values inside the function, return them",
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

_PURE_HINT_LIST = (
    "Appending to a list is a side effect: under jit it runs once, while JAX traces, and stores "
    "a tracer instead of your numbers. Return what you want to keep instead."
)
_PURE_HINT_REBIND = (
    "Changing a global (`global n` then `n += 1`) is a side effect: under jit it runs once, "
    "while JAX traces, not on every call. Return what you want to keep instead."
)
_PURE_HINT_PRINT = (
    "print is a side effect: under jit it runs once, while JAX traces, and shows a tracer, not "
    "your numbers. Drop it (jax.debug.print runs on every call if you need to look)."
)
_PURE_HINT_GLOBAL = (
    "Your result does not follow `scale`: it reads a global instead, and jit bakes a global's "
    "value in when it traces. Use the argument."
)


def _reads_a_number(fn: Any) -> bool:
    return any(isinstance(v, int | float | jax.Array) for v in global_values(fn).values())


def _no_side_effects(fn: Any) -> None:
    """No global changes, and no print that runs only while JAX traces."""
    _unchanged_globals(
        fn,
        (normal(1, (4,)), 2.0),
        lambda v: _PURE_HINT_LIST if isinstance(v, list | dict | set) else _PURE_HINT_REBIND,
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
            hint=_PURE_HINT_PRINT,
            expected="the same behaviour on every call",
            yours=f"1st call printed {printed[0]!r}; 2nd printed {printed[1]!r}",
        )


_PURE = Exercise(
    id="t01-pure-functions-1",
    title="Make a function pure",
    hints=(
        "A pure function's result depends only on its arguments and it changes nothing "
        "outside itself: no print, no appending to lists, no globals.",
    ),
    spec=Spec(
        cases=lambda: [
            (normal(1, (4,)), 2.0),
            (normal(2, (4,)), 0.5),
            (normal(3, (2, 3)), 3.0),
            (normal(4, (5,)), -1.5),
        ],
        eager=False,
        also=(Also("{}", quietly), Also("jax.jit({})", lambda f: quietly(jax.jit(f)))),
        on_result=(OnResult(_PURE_HINT_GLOBAL, when=lambda *a: True, answer=_reads_a_number),),
        extra=lambda fn, ref: _no_side_effects(fn),
    ),
)

# --- immutable arrays -----------------------------------------------------------------------

_AT_HINT_ASSIGN = (
    "JAX arrays are immutable, so `x[0] = v` is refused. Make a new array with "
    "`x.at[0].set(v)` and return it."
)
_AT_HINT_FORGOT_SET = (
    "`x.at[0]` only names the place to change; finish it with `.set(v)` to get the new array."
)
_AT_HINT_NUMPY = (
    "Copying into a NumPy array works only outside jit (NumPy needs concrete numbers, jit "
    "gives tracers). Stay in JAX: `x.at[0].set(v)`."
)
_AT_HINT_BY_VALUE = (
    "`jnp.where(x == x[0], v, x)` replaces every entry *equal* to x[0], not just the first "
    "position, so repeated values change too. Update by position: `x.at[0].set(v)`."
)
_AT_HINT_ROW = (
    "For a 2-D `x`, `x[0]` is the whole first row, and all of it becomes `v`; you changed only "
    "its first element. `x.at[0].set(v)` sets the whole row."
)


_IMMUTABLE = Exercise(
    id="t01-immutable-arrays-1",
    title="Update a copy with .at[]",
    hints=("JAX arrays cannot be changed in place: `x.at[index].set(value)` returns a new array.",),
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
        compiles_hint="keep the result's shape and dtype independent of the values",
        on_error=(
            OnError(_AT_HINT_NUMPY, (jax.errors.TracerArrayConversionError,)),
            OnError(_AT_HINT_ASSIGN, (TypeError,), ("immutable", "item assignment")),
        ),
        on_result=(
            OnResult(
                _AT_HINT_FORGOT_SET, when=lambda got, x, v: type(got).__name__ == "_IndexUpdateRef"
            ),
            OnResult(_AT_HINT_NUMPY, when=lambda got, x, v: isinstance(got, np.ndarray)),
            OnResult(_AT_HINT_BY_VALUE, wrong=lambda ref, x, v: jnp.where(x == x[0], v, x)),
            OnResult(_AT_HINT_ROW, wrong=lambda ref, x, v: x.at[(0,) * x.ndim].set(v)),
        ),
        arrays=True,
    ),
)

# --- explicit state -------------------------------------------------------------------------

_STATE_HINT_GLOBAL = (
    "Your step keeps its state in global variables: under jit a global is read once, when JAX "
    "traces, so the count stops moving. Keep everything in `state` and return a new state."
)
_STATE_HINT_MUTATE = (
    "Don't change the dict you were given (the caller may still use it, and under jit the change "
    "is lost): build and return a new dict."
)


def _steps() -> list[tuple[dict[str, jax.Array], jax.Array]]:
    """Three steps from the initial state: each (state, x) starts where the one before ended."""
    state, cases = {"count": jnp.int32(0), "total": jnp.float32(0.0)}, []
    for seed in (1, 2, 3):
        cases.append((state, normal(seed, (4,))))
        state = {"count": state["count"] + 1, "total": state["total"] + jnp.sum(cases[-1][1])}
    return cases


_STATE = Exercise(
    id="t01-explicit-state-1",
    title="Thread a counter through explicit state",
    hints=(
        "State goes in as an argument and comes out as a return value: "
        "`new_state = step(state, x)`.",
    ),
    spec=Spec(
        cases=_steps,
        jit={},
        compiles_once=True,
        compiles_hint="return a state with the same structure, shapes and dtypes as the one you "
        "got (count stays int32, total float32)",
        on_error=(_TRACER_ERROR,),
        on_result=(
            OnResult(
                "return the new state: {'count': ..., 'total': ...}",
                when=lambda got, *a: not isinstance(got, dict),
            ),
            OnResult(_STATE_HINT_GLOBAL, when=lambda *a: True, answer=global_values),
        ),
        mutated_hint=_STATE_HINT_MUTATE,
        extra=lambda fn, ref: _unchanged_globals(fn, _steps()[0], lambda v: _STATE_HINT_GLOBAL),
    ),
)

# --- explicit PRNG keys ---------------------------------------------------------------------

_KEY_HINT_SAME = (
    "Both samples came from the same key, so they are identical. Split it first: "
    "`key_a, key_b = jax.random.split(key)`."
)
_KEY_HINT_NUMPY = (
    "NumPy's random numbers come from hidden global state: they don't follow the key, can't be "
    "reproduced, and become constants under jit. Use jax.random with the key you are given."
)
_KEY_HINT_FIXED = (
    "Your samples ignore the key argument: a key made from a fixed seed (`jax.random.key(0)` "
    "inside the function, or a key made once outside it) gives the same pair whatever key you "
    "are given. Split `key` itself."
)
_KEY_HINT_PARENT = (
    "After splitting, use only the new keys: one sample was drawn from `key` itself, which "
    "already made the split keys, so the numbers are related."
)


def _independent(fn: Any, ref: Any) -> None:
    """Samples that follow the key, from split keys only, the same under jit, and independent
    standard normals over many keys."""
    key, other = jax.random.key(42), jax.random.key(7)
    a, b = attempt(fn, key, label="two_samples(key)")
    a2, b2 = attempt(fn, key, label="two_samples(key) called again")
    if not (np.array_equal(a, a2) and np.array_equal(b, b2)):
        raise CheckFailure(
            "two calls with the same key gave different samples",
            hint=_KEY_HINT_NUMPY,
            expected=f"{describe(a)} both times",
            yours=f"{describe(a)}, then {describe(a2)}",
        )
    if np.allclose(a, b):
        raise CheckFailure(
            "the two samples are identical",
            hint=_KEY_HINT_SAME,
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
                hint=_KEY_HINT_PARENT,
                expected="samples drawn only from the split keys",
                yours=f"jax.random.normal(key, (3,)) = {describe(parent)}",
            )
    if np.allclose(a, attempt(fn, other, label="two_samples(another key)")[0]):
        raise CheckFailure("another key gave the same samples", hint=_KEY_HINT_FIXED)
    jitted = jax.jit(fn)
    ja, jb = attempt(jitted, key, label="jax.jit(two_samples)(key)")
    same((a, b), (ja, jb), "jax.jit(two_samples)(key) versus two_samples(key)")
    if np.allclose(ja, attempt(jitted, other, label="jax.jit(two_samples)(another key)")[0]):
        raise CheckFailure("under jit, another key gave the same samples", hint=_KEY_HINT_NUMPY)
    keys = jax.random.split(jax.random.key(0), 1024)
    many_a, many_b = attempt(jax.vmap(fn), keys, label="jax.vmap(two_samples)(1024 keys)")
    many_a, many_b = np.asarray(many_a).ravel(), np.asarray(many_b).ravel()
    corr = float(np.corrcoef(many_a, many_b)[0, 1])
    stats = f"mean {many_a.mean():.2f}, std {many_a.std():.2f}, corr(a, b) {corr:.2f}"
    if abs(many_a.mean()) > 0.15 or abs(many_a.std() - 1) > 0.15 or abs(corr) > 0.15:
        raise CheckFailure(
            "over 1024 keys the samples are not independent standard normals",
            hint="draw each sample with jax.random.normal from its own split key",
            expected="mean 0.00, std 1.00, corr(a, b) 0.00 (roughly)",
            yours=stats,
        )


_PRNG = Exercise(
    id="t01-explicit-prng-1",
    title="Two independent samples from one key",
    hints=("A key is used once: split it into as many keys as you need random draws.",),
    spec=Spec(
        cases=lambda: [(jax.random.key(42),), (jax.random.key(7),)],
        jit={},
        on_error=(
            OnError(
                _KEY_HINT_NUMPY,
                (jax.errors.TracerArrayConversionError, jax.errors.ConcretizationTypeError),
            ),
        ),
        on_result=(
            OnResult(
                "return a tuple: `return a, b` (the two samples)",
                when=lambda got, key: not isinstance(got, tuple) or len(got) != 2,
            ),
            OnResult(
                _KEY_HINT_NUMPY,
                when=lambda got, key: any(isinstance(p, np.ndarray) for p in got),
            ),
            OnResult("`jax.random.normal(k, (3,))` draws one sample", when=lambda *a: True),
        ),
        rtol=None,  # any two independent normal samples will do
        wrap=lambda f: lambda key: (lambda v: tuple(v) if isinstance(v, list) else v)(f(key)),
        extra=_independent,
        arrays=True,
    ),
)

# --- static versus traced -------------------------------------------------------------------

_STATIC_HINT_IF = (
    "A Python `if` needs a concrete True/False, but under jit `x` is a tracer (an abstract "
    "array). Use `if` only on the static `use_relu`; choose between values elementwise with "
    "`jnp.maximum(x, 0)` or `jnp.where(x > 0, x, 0)`."
)
_STATIC_HINT_NUMPY = (
    "NumPy functions need concrete numbers, so they fail on tracers under jit: use "
    "`jnp.maximum` instead of `np.maximum`."
)


_STATIC = Exercise(
    id="t01-static-vs-traced-1",
    title="Branch on a static flag, not on traced values",
    hints=(
        "Python control flow may depend on static values (known at trace time), never on the "
        "values inside a traced array.",
    ),
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
            OnError(_STATIC_HINT_NUMPY, (jax.errors.TracerArrayConversionError,)),
            OnError(_STATIC_HINT_IF, (jax.errors.ConcretizationTypeError,)),
            OnError(_STATIC_HINT_IF, words=("truth value of an array",)),
        ),
        on_result=(OnResult(_STATIC_HINT_NUMPY, when=lambda got, *a: isinstance(got, np.ndarray)),),
        arrays=True,
    ),
)

EXERCISES = (_PURE, _IMMUTABLE, _STATE, _PRNG, _STATIC)
