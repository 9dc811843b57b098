"""Table 1 exercises: pure functions, immutable arrays, explicit state and keys, static values."""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import Exercise
from ._support import (
    CheckFailure,
    attempt,
    aval,
    captured_stdout,
    changed_globals,
    describe,
    expect_function,
    global_values,
    globals_state,
    message_has,
    normal,
    same,
)


def _tracer_hint(exc: BaseException) -> str | None:
    if isinstance(exc, jax.errors.UnexpectedTracerError):
        return "a tracer escaped from a jitted call: keep values inside the function, return them"
    return None


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


def _check_scaled_sum(answer: Any) -> None:
    fn = expect_function(answer, "scaled_sum(x, scale)")
    before = globals_state(fn)
    jitted = jax.jit(fn)
    x1, x2 = normal(1, (4,)), normal(2, (4,))
    with captured_stdout() as first:
        out1 = attempt(jitted, x1, 2.0, label="jax.jit(scaled_sum)(x, 2.0)")
    with captured_stdout() as second:
        out2 = attempt(jitted, x2, 0.5, label="jax.jit(scaled_sum)(x, 0.5)")
    for name in changed_globals(fn, before):
        value = global_values(fn)[name]
        raise CheckFailure(
            f"scaled_sum changed the global {name!r} during two jitted calls",
            hint=_PURE_HINT_LIST if isinstance(value, list | dict | set) else _PURE_HINT_REBIND,
            expected="no change outside the function",
            yours=f"{name} now holds {describe(value)}",
        )
    if first.getvalue() and not second.getvalue():
        raise CheckFailure(
            "scaled_sum printed while JAX traced it, and not on the next jitted call",
            hint=_PURE_HINT_PRINT,
            expected="the same behaviour on every call",
            yours=f"1st call printed {first.getvalue().strip()!r}; 2nd printed "
            f"{second.getvalue().strip()!r}",
        )
    numeric_globals = [
        n for n, v in global_values(fn).items() if isinstance(v, int | float | jax.Array)
    ]
    hint = _PURE_HINT_GLOBAL if numeric_globals else ""
    same(jnp.sum(x1 * 2.0), out1, "jax.jit(scaled_sum)(x, 2.0)", hint)
    same(jnp.sum(x2 * 0.5), out2, "jax.jit(scaled_sum)(x, 0.5)", hint)
    for seed, shape, scale in ((3, (2, 3), 3.0), (4, (5,), -1.5)):
        x = normal(seed, shape)
        label = f"scaled_sum(x of shape {shape}, {scale})"
        with captured_stdout():
            got = attempt(fn, x, scale, label=label)
        same(jnp.sum(x * scale), got, label, hint)


_PURE = Exercise(
    id="t01-pure-functions-1",
    title="Make a function pure",
    signature="scaled_sum(x, scale)",
    reference="def scaled_sum(x, scale):\n    return jnp.sum(x * scale)\n",
    hints=(
        "A pure function's result depends only on its arguments and it changes nothing "
        "outside itself: no print, no appending to lists, no globals.",
    ),
    checker=_check_scaled_sum,
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


def _at_hint(exc: BaseException) -> str | None:
    if isinstance(exc, jax.errors.TracerArrayConversionError):
        return _AT_HINT_NUMPY
    if isinstance(exc, TypeError) and message_has(exc, "immutable", "item assignment"):
        return _AT_HINT_ASSIGN
    return None


def _set_first_hint(x: jax.Array, v: Any, got: Any) -> str:
    """The hint for a wrong result of set_first that matches a known mistake, else ''."""
    wrong = {_AT_HINT_BY_VALUE: jnp.where(x == x[0], v, x)}
    if x.ndim > 1:
        wrong[_AT_HINT_ROW] = x.at[(0,) * x.ndim].set(v)
    try:
        yours = np.asarray(got)
    except Exception:  # noqa: BLE001 - not array-like: no specific hint
        return ""
    for hint, value in wrong.items():
        if yours.shape == value.shape and np.array_equal(yours, np.asarray(value)):
            return hint
    return ""


def _check_set_first(answer: Any) -> None:
    fn = expect_function(answer, "set_first(x, v)")
    cases = (
        (normal(1, (5,)), 7.5),
        (normal(2, (3, 4)), -1.0),
        (jnp.arange(4, dtype=jnp.int32), 9),
        (jnp.array([1.0, 1.0, 2.0]), 5.0),
    )
    for x, v in cases:
        label = f"set_first(x: {aval(x)}, {v})"
        before = np.asarray(x).copy()
        got = attempt(fn, x, v, label=label, hint_for=_at_hint)
        if type(got).__name__ == "_IndexUpdateRef":
            raise CheckFailure(
                f"{label} returned x.at[0], not an array",
                hint=_AT_HINT_FORGOT_SET,
                expected="an array",
                yours="an _IndexUpdateRef (the result of x.at[0])",
            )
        if isinstance(got, np.ndarray):
            raise CheckFailure(
                f"{label} returned a NumPy array, not a JAX array",
                hint=_AT_HINT_NUMPY,
                expected=describe(x.at[0].set(v)),
                yours=describe(got),
            )
        same(x.at[0].set(v), got, label, partial(_set_first_hint, x, v, got))
        if not np.array_equal(before, np.asarray(x)):
            raise CheckFailure(f"{label} changed x", hint=_AT_HINT_ASSIGN)
    jitted = jax.jit(fn)
    for seed in (10, 11):
        x = normal(seed, (6,))
        label = f"jax.jit(set_first)(x: float32[6], {seed}.0)"
        got = attempt(jitted, x, float(seed), label=label, hint_for=_at_hint)
        same(x.at[0].set(float(seed)), got, label)
    if jitted._cache_size() != 1:
        raise CheckFailure(
            f"jax.jit(set_first) compiled {jitted._cache_size()} times for two inputs of the "
            "same shape",
            hint="keep the result's shape and dtype independent of the values",
        )


_IMMUTABLE = Exercise(
    id="t01-immutable-arrays-1",
    title="Update a copy with .at[]",
    signature="set_first(x, v)",
    reference="def set_first(x, v):\n    return x.at[0].set(v)\n",
    hints=("JAX arrays cannot be changed in place: `x.at[index].set(value)` returns a new array.",),
    checker=_check_set_first,
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


def _step_reference(state, x):
    return {"count": state["count"] + 1, "total": state["total"] + jnp.sum(x)}


def _init_state() -> dict[str, jax.Array]:
    return {"count": jnp.int32(0), "total": jnp.float32(0.0)}


def _run_steps(step, xs, label: str, hint: str) -> dict[str, Any]:
    state = _init_state()
    for i, x in enumerate(xs):
        state = attempt(step, state, x, label=f"{label} (step {i + 1})", hint_for=_tracer_hint)
        if not isinstance(state, dict):
            raise CheckFailure(
                f"{label} (step {i + 1}) returned {type(state).__name__}, not a state dict",
                hint="return the new state: {'count': ..., 'total': ...}",
                expected="a dict with keys 'count' and 'total'",
                yours=describe(state),
            )
    return state


def _check_step(answer: Any) -> None:
    fn = expect_function(answer, "step(state, x)")
    xs = [normal(seed, (4,)) for seed in (1, 2, 3)]
    expected = _init_state()
    for x in xs:
        expected = _step_reference(expected, x)

    def hint() -> str:
        return _STATE_HINT_GLOBAL if global_values(fn) else ""

    given = _init_state()
    kept = dict(given)
    globals_before = global_values(fn)
    attempt(fn, given, xs[0], label="step(state, x)", hint_for=_tracer_hint)
    for name, value in global_values(fn).items():
        if name in globals_before and value is not globals_before[name]:
            raise CheckFailure(
                f"step changed the global variable {name!r}",
                hint=_STATE_HINT_GLOBAL,
                expected="nothing outside step changes",
                yours=f"{name}: {describe(globals_before[name])} -> {describe(value)}",
            )
    if set(given) != set(kept) or any(given[k] is not kept[k] for k in kept):
        raise CheckFailure(
            "step changed the state dict it was given",
            hint=_STATE_HINT_MUTATE,
            expected=f"state still {describe(kept)}",
            yours=f"state became {describe(given)}",
        )
    for run in (1, 2):
        got = _run_steps(fn, xs, f"3 steps from the initial state (run {run})", hint())
        same(expected, got, f"3 steps from the initial state (run {run})", hint())
    jitted = jax.jit(fn)
    got = _run_steps(jitted, xs, "3 jitted steps", hint())
    same(expected, got, "3 jitted steps", hint())
    if jitted._cache_size() != 1:
        raise CheckFailure(
            f"jax.jit(step) compiled {jitted._cache_size()} times for 3 steps",
            hint="return a state with the same structure, shapes and dtypes as the one you got "
            "(count stays int32, total float32)",
        )
    for name, value in global_values(fn).items():
        if isinstance(value, jax.core.Tracer):
            raise CheckFailure(
                f"the global {name!r} holds a tracer leaked from jit", hint=_STATE_HINT_GLOBAL
            )


_STATE = Exercise(
    id="t01-explicit-state-1",
    title="Thread a counter through explicit state",
    signature="step(state, x)",
    reference=(
        "def step(state, x):\n"
        '    return {"count": state["count"] + 1, "total": state["total"] + jnp.sum(x)}\n'
    ),
    hints=(
        "State goes in as an argument and comes out as a return value: "
        "`new_state = step(state, x)`.",
    ),
    checker=_check_step,
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


def _samples(fn, key, label: str) -> tuple[Any, Any]:
    out = attempt(fn, key, label=label, hint_for=_key_error_hint)
    if not isinstance(out, tuple | list) or len(out) != 2:
        raise CheckFailure(
            f"{label} should return two samples (a, b)",
            hint="return a tuple: `return a, b`",
            expected="a tuple (a, b) of two float arrays of shape (3,)",
            yours=describe(out),
        )
    for part in out:
        if isinstance(part, np.ndarray):
            raise CheckFailure(
                f"{label} returned a NumPy array",
                hint=_KEY_HINT_NUMPY,
                expected="JAX arrays drawn with jax.random from the key",
                yours=describe(part),
            )
        if not isinstance(part, jax.Array) or part.shape != (3,):
            raise CheckFailure(
                f"{label}: each sample must be an array of shape (3,)",
                hint="`jax.random.normal(k, (3,))` draws one sample",
                expected="float32[3]",
                yours=describe(part),
            )
    return out[0], out[1]


def _key_error_hint(exc: BaseException) -> str | None:
    if isinstance(exc, jax.errors.TracerArrayConversionError | jax.errors.ConcretizationTypeError):
        return _KEY_HINT_NUMPY
    return None


def _check_two_samples(answer: Any) -> None:
    fn = expect_function(answer, "two_samples(key)")
    key = jax.random.key(42)
    a, b = _samples(fn, key, "two_samples(key)")
    a2, b2 = _samples(fn, key, "two_samples(key) called again")
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
    other = _samples(fn, jax.random.key(7), "two_samples(another key)")
    if np.allclose(a, other[0]):
        raise CheckFailure(
            "another key gave the same samples", hint=_KEY_HINT_FIXED, yours=describe(other[0])
        )
    jitted = jax.jit(fn)
    ja, jb = _samples(jitted, key, "jax.jit(two_samples)(key)")
    same((a, b), (ja, jb), "jax.jit(two_samples)(key) versus two_samples(key)")
    jo = _samples(jitted, jax.random.key(7), "jax.jit(two_samples)(another key)")
    if np.allclose(ja, jo[0]):
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
    signature="two_samples(key)",
    reference=(
        "def two_samples(key):\n"
        "    k1, k2 = jax.random.split(key)\n"
        "    return jax.random.normal(k1, (3,)), jax.random.normal(k2, (3,))\n"
    ),
    hints=("A key is used once: split it into as many keys as you need random draws.",),
    checker=_check_two_samples,
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


def _static_hint(exc: BaseException) -> str | None:
    if isinstance(exc, jax.errors.TracerArrayConversionError):
        return _STATIC_HINT_NUMPY
    if isinstance(exc, jax.errors.ConcretizationTypeError) or message_has(
        exc, "truth value of an array"
    ):
        return _STATIC_HINT_IF
    return None


def _check_relu_or_identity(answer: Any) -> None:
    fn = expect_function(answer, "relu_or_identity(x, use_relu)")
    jitted = jax.jit(fn, static_argnums=1)
    cases = [normal(1, (5,)), normal(2, (2, 3)), jnp.float32(-1.5), jnp.float32(2.0)]
    for use_relu in (True, False):
        for x in cases:
            want = jnp.maximum(x, 0) if use_relu else x
            for label, f in (("relu_or_identity", fn), ("jitted relu_or_identity", jitted)):
                call = f"{label}(x: {aval(x)}, {use_relu})"
                got = attempt(f, x, use_relu, label=call, hint_for=_static_hint)
                if isinstance(got, np.ndarray):
                    raise CheckFailure(
                        f"{call} returned a NumPy array",
                        hint=_STATIC_HINT_NUMPY,
                        expected=describe(want),
                        yours=describe(got),
                    )
                same(want, got, call)
    before = jitted._cache_size()
    for seed in (5, 6):
        attempt(jitted, normal(seed, (5,)), True, label="jitted call", hint_for=_static_hint)
    if jitted._cache_size() != before:
        raise CheckFailure(
            "jax.jit(relu_or_identity, static_argnums=1) compiled again for new values of the "
            "same shape",
            hint="the compiled code may depend on shapes, dtypes and static arguments only",
        )


_STATIC = Exercise(
    id="t01-static-vs-traced-1",
    title="Branch on a static flag, not on traced values",
    signature="relu_or_identity(x, use_relu)",
    reference=(
        "def relu_or_identity(x, use_relu):\n"
        "    if use_relu:\n"
        "        return jnp.maximum(x, 0.0)\n"
        "    return x\n"
    ),
    hints=(
        "Python control flow may depend on static values (known at trace time), never on the "
        "values inside a traced array.",
    ),
    checker=_check_relu_or_identity,
)

EXERCISES = (_PURE, _IMMUTABLE, _STATE, _PRNG, _STATIC)
