"""Table 6 exercises: make_jaxpr, trace-time side effects, leaked tracers, constants, eval_shape."""

from __future__ import annotations

import contextlib
import inspect
import types
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.extend.core import Primitive

from . import Exercise
from ._support import (
    CheckFailure,
    OnError,
    OnResult,
    Spec,
    all_eqns,
    attempt,
    close,
    describe,
    global_values,
    hints_of,
    normal,
    primitive_names,
)

HINT = hints_of(__name__)

# --- make_jaxpr -----------------------------------------------------------------------------


def _names(hint: str, test: Callable[..., bool]) -> OnResult:
    """A hint for a wrong list of names ``got`` for ``f(*args)``: ``test(got, want, f, args)``."""

    def when(got: Any, f: Callable, *args: Any) -> bool:
        if not isinstance(got, list) or not all(isinstance(p, str) for p in got):
            return False
        return test(got, [e.primitive.name for e in jax.make_jaxpr(f)(*args).jaxpr.eqns], f, args)

    return OnResult(hint, when=when)


_MAKE_JAXPR = Exercise(
    id="t06-make-jaxpr-1",
    spec=Spec(
        cases=lambda: [
            (lambda x: jnp.sin(x) * 2 + 1, jnp.ones(3)),
            (lambda x, y: (x @ y).sum(), jnp.ones((2, 3)), jnp.ones(3)),
            (lambda x: jnp.sin(x) * jnp.sin(x) + jax.jit(jnp.cos)(x), jnp.ones(3)),
            (lambda x: jnp.exp(-x), 1.0),
        ],
        on_error=(OnError(HINT["prim_called"], (TypeError,), ("callable",)),),
        on_result=(
            OnResult(
                HINT["return_list_strings"],
                when=lambda got, *args: not isinstance(got, list),
            ),
            OnResult(
                HINT["prim_objects"],
                when=lambda got, *args: bool(got) and all(isinstance(p, Primitive) for p in got),
            ),
            _names(HINT["prim_jit"], lambda got, *_: got in (["jit"], ["pjit"])),
            _names(
                HINT["prim_nested"],
                lambda got, want, f, args: got == primitive_names(jax.make_jaxpr(f)(*args)),
            ),
            _names(HINT["prim_repeats"], lambda got, want, *_: got == list(dict.fromkeys(want))),
            _names(HINT["prim_order"], lambda got, want, *_: sorted(got) == sorted(want)),
            _names(HINT["prim_text"], lambda got, want, *_: bool(set(got) - set(want))),
        ),
        wrap=lambda p: lambda *args: (lambda v: list(v) if isinstance(v, tuple) else v)(p(*args)),
    ),
)

# --- side effects at trace time -------------------------------------------------------------


_double = lambda x: x * 2


def _with_traces(count_traces: Callable) -> Callable:
    """``count_traces`` given a new function calling f (so that no jit cache is shared), returning
    its count and how many times JAX traced that function."""

    def run(f: Any, inputs: list) -> tuple:
        seen = []
        n = count_traces(lambda x: seen.append(isinstance(x, jax.core.Tracer)) or f(x), inputs)
        return n, sum(seen)

    return run


def _count(hint: str, test: Callable[..., bool]) -> OnResult:
    """A hint for a wrong (count, traces): ``test(count, traces, want, len(inputs))``."""

    def when(got: tuple, f: Any, inputs: list) -> bool:
        return test(*got, len({(x.shape, x.dtype) for x in inputs}), len(inputs))

    return OnResult(hint, when=when)


_SIDE = Exercise(
    id="t06-trace-time-side-effects-1",
    spec=Spec(
        # the first cases have want + 1 != len(inputs): counting calls and starting at 1 differ
        cases=lambda: [
            (_double, [jnp.ones(2), jnp.ones(2) * 5, jnp.ones(2) * 7]),
            (_double, [jnp.ones((2, 2)), jnp.ones(4), jnp.ones((2, 2)), jnp.ones(4)]),
            (_double, [jnp.ones(3), jnp.zeros(3), jnp.ones(4), jnp.ones(3, jnp.int32)]),
        ],
        on_result=(
            _count(HINT["count_loop_jit"], lambda c, t, w, n: not close(w, c) and t == n > w),
            _count(HINT["count_calls"], lambda c, t, w, n: not close(w, c) and close(n, c)),
            _count(
                HINT["count_off_by_one"], lambda c, t, w, n: not close(w, c) and close(t + 1, c)
            ),
            _count(HINT["count_not_traced"], lambda c, t, w, n: close(w, c)),
        ),
        wrap=_with_traces,
    ),
)


# --- leaked tracers -------------------------------------------------------------------------


def _holds_tracer(value: Any, depth: int = 3) -> bool:
    """Whether ``value``, its items or its attributes (``depth`` levels down) hold a tracer."""
    if isinstance(value, jax.core.Tracer):
        return True
    if depth == 0 or isinstance(value, str | bytes | types.ModuleType | type) or callable(value):
        return False
    if isinstance(value, dict):
        value = list(value.values())
    if not isinstance(value, list | tuple | set | frozenset):
        value = list(getattr(value, "__dict__", {}).values())
    return any(_holds_tracer(item, depth - 1) for item in value)


def _kept_outside(fn: Any) -> dict[str, Any]:
    """The globals ``fn`` reads and the variables it closes over, by name."""
    places = dict(global_values(fn))
    with contextlib.suppress(ValueError):
        fn = inspect.unwrap(fn)
    code = getattr(fn, "__code__", None)
    for name, cell in zip(getattr(code, "co_freevars", ()), fn.__closure__ or (), strict=False):
        with contextlib.suppress(ValueError):  # a cell not filled yet
            places[name] = cell.cell_contents
    return places


def _no_tracer_kept(fn: Any) -> None:
    """Tracing ``fn`` under jit leaves no tracer in its globals or closure, nor anywhere else."""
    x, label = normal(1, (4,)), "jax.jit(forward)(x)"
    # a new function each time, so that jit traces afresh instead of reusing a cached trace
    attempt(jax.jit(lambda x: fn(x)), x, label=label)
    for name, value in _kept_outside(fn).items():
        if _holds_tracer(value):
            raise CheckFailure(
                f"forward stored a tracer in {name!r} while jit traced it",
                hint=HINT["leak_global"],
                expected="nothing stored outside the function",
                yours=f"{name} = {describe(value)}",
            )
    leaked = OnError(HINT["leak_global"], words=("Leaked trace", "leaked tracer"))
    with jax.checking_leaks():  # any other way out (slow to explain, so checked last)
        label += " under jax.checking_leaks()"
        hint_for = lambda exc: leaked.hint if leaked.matches(exc, fn) else None
        attempt(jax.jit(lambda x: fn(x)), x, label=label, hint_for=hint_for)


_LEAK = Exercise(
    id="t06-leaked-tracers-1",
    spec=Spec(
        cases=lambda: [(normal(1, (4,)),), (normal(2, (2, 3)),)],
        jit={},
        on_result=(
            OnResult(
                HINT["leak_only_out"],
                when=lambda got, x: not isinstance(got, tuple | list) or len(got) != 2,
            ),
        ),
        # a list `[out, hidden]` is a fine answer too
        wrap=lambda f: lambda x: (lambda v: tuple(v) if isinstance(v, list) else v)(f(x)),
        before=_no_tracer_kept,
    ),
)

# --- closed-over constants ------------------------------------------------------------------


def _all_consts(closed: Any) -> list[Any]:
    """The constants of a closed jaxpr, those of its sub-jaxprs (a nested jit) included."""
    found = list(closed.consts)
    for eqn in all_eqns(closed):
        for p in eqn.params.values():
            for item in p if isinstance(p, tuple | list) else (p,):
                found.extend(getattr(item, "consts", ()))
    return found


_NUMPY_ERROR = OnError(HINT["const_numpy"], (jax.errors.TracerArrayConversionError,))


def _no_constants(fn: Any) -> None:
    closed = attempt(
        jax.make_jaxpr(fn),
        normal(1, (3, 2)),
        normal(2, (4, 3)),
        label="jax.make_jaxpr(predict)(w, x)",
        hint_for=lambda exc: _NUMPY_ERROR.hint if _NUMPY_ERROR.matches(exc, fn) else None,
    )
    consts = _all_consts(closed)
    if consts:
        raise CheckFailure(
            f"the jaxpr of predict has {len(consts)} closed-over constant(s)",
            hint=HINT["const_global"],
            expected="no constants: every array comes in as an argument",
            yours=", ".join(describe(c) for c in consts),
        )


_CONST = Exercise(
    id="t06-closed-over-constants-1",
    spec=Spec(
        cases=lambda: [(normal(seed, (3, 2)), normal(2, (4, 3))) for seed in (3, 4)],
        jit={},
        on_error=(_NUMPY_ERROR,),
        on_result=(
            OnResult(
                HINT["const_transposed"],
                when=lambda got, w, x: getattr(got, "shape", None) == (w.shape[1], x.shape[0]),
            ),
            OnResult(
                HINT["const_dtype"],
                when=lambda got, w, x: getattr(got, "dtype", jnp.float32) != jnp.float32,
            ),
        ),
        before=_no_constants,
    ),
)

# --- eval_shape -----------------------------------------------------------------------------


class _RanForReal(Exception):
    """init_fn computed its parameters on a real key."""


def _make_init(n_in: int, n_out: int) -> Callable:
    """An init_fn of w: float32[n_in, n_out], b: bfloat16[n_out] and a scale; ``ran`` tells
    whether it computed them for real."""

    def init_fn(key):
        k1, k2 = jax.random.split(key)
        params = {
            "w": jax.random.normal(k1, (n_in, n_out), jnp.float32),
            "b": jnp.zeros((n_out,), jnp.bfloat16),
            "scale": jax.random.uniform(k2, (), jnp.float32),
        }
        # a concrete key alone allocates nothing (eval_shape of `lambda: init_fn(key)` traces
        # with it); concrete results of the work inside do
        if not all(isinstance(v, jax.core.Tracer) for v in (k1, *params.values())):
            init_fn.ran = True
        return params

    init_fn.n_elems = n_in * n_out + n_out + 1
    return init_fn


def _is_int(v: Any) -> bool:
    """Whether ``v`` is an int: Python's, NumPy's or a 0-d integer array, and not a bool."""
    if isinstance(v, int | np.integer):
        return not isinstance(v, bool)
    return np.shape(v) == () and jnp.issubdtype(getattr(v, "dtype", bool), jnp.integer)


def _bytes_checked(param_bytes: Callable) -> Callable:
    """``param_bytes`` whose int result becomes an int32 array (anything else fails on dtype),
    raising :class:`_RanForReal` when it ran init_fn for real."""

    def run(init_fn: Any, key: jax.Array) -> Any:
        init_fn.ran = False
        got = param_bytes(init_fn, key)
        if init_fn.ran:
            raise _RanForReal("init_fn ran on a real key")
        return jnp.int32(got) if _is_int(got) else got

    return run


_EVAL_SHAPE = Exercise(
    id="t06-eval-shape-1",
    spec=Spec(
        cases=lambda: [
            (_make_init(3, 5), jax.random.key(0)),
            (_make_init(64, 10), jax.random.key(0)),
        ],
        on_error=(OnError(HINT["bytes_real"], (_RanForReal,)),),
        on_result=(
            OnResult(HINT["bytes_int"], when=lambda got, *args: not _is_int(got)),
            OnResult(
                HINT["bytes_size"], when=lambda got, init_fn, key: close(init_fn.n_elems, got)
            ),
        ),
        wrap=_bytes_checked,
    ),
)

EXERCISES = (_MAKE_JAXPR, _SIDE, _LEAK, _CONST, _EVAL_SHAPE)
