"""Table 15 exercises: debug.print, checkify, tracer errors and the double-where trick."""

from __future__ import annotations

import re
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.experimental import checkify

from . import Exercise
from ._support import (
    Also,
    CheckFailure,
    OnError,
    OnResult,
    Spec,
    attempt,
    captured_stdout,
    normal,
    primitive_names,
    quietly,
)

# --- jax.debug.print ------------------------------------------------------------------------

_PRINT_HINT_PLAIN = (
    "A plain `print` runs while JAX traces, once, and shows a tracer; later jitted calls print "
    'nothing. `jax.debug.print("x = {}", x)` runs every time the compiled code runs.'
)
_PRINT_HINT_FSTRING = (
    "An f-string is formatted right away, while tracing, so it bakes the tracer's text into the "
    'message. Pass the value as an argument instead: `jax.debug.print("x = {}", x)`.'
)


_PRINT_HINT_WHICH = (
    "Your message shows numbers, but not those of x: print x itself, "
    '`jax.debug.print("x = {}", x)`, not the result or another value.'
)
_PRINT_HINT_ARGUMENT = (
    "jax.debug.print formats its message like str.format: x needs both a placeholder `{}` in "
    'the text and an argument to fill it, `jax.debug.print("x = {}", x)`.'
)


_PRINT_ERRORS = (
    OnError(_PRINT_HINT_ARGUMENT, (IndexError, KeyError)),  # a placeholder without its argument
    OnError(
        _PRINT_HINT_ARGUMENT, words=("Unused positional arguments", "Unused keyword arguments")
    ),
)


def _prints_every_call(fn: Any) -> None:
    """Two jitted calls each print the values of their own x."""
    jitted, printed = jax.jit(lambda x: fn(x)), []  # a fresh trace: plain print runs once
    for x in (jnp.array([1.5, -2.0]), jnp.array([3.25, 4.0])):
        with captured_stdout() as out:
            jax.block_until_ready(attempt(jitted, x, label="jax.jit(show_and_square)(x)"))
            jax.effects_barrier()
        printed.append(out.getvalue().strip())
    first, second = printed
    if "Tracer" in first + second:
        raise CheckFailure(
            "the printed text shows a tracer instead of the numbers",
            hint=_PRINT_HINT_FSTRING if second else _PRINT_HINT_PLAIN,
            expected="x = [3.25 4.  ] (the values of this call)",
            yours=second or first,
        )
    if not second:
        raise CheckFailure(
            "the second jitted call printed nothing",
            hint=_PRINT_HINT_PLAIN,
            expected="x = [3.25 4.  ] on every call",
            yours=f"1st call: {first!r}, 2nd call: nothing",
        )
    if "3.25" not in second:
        raise CheckFailure(
            "the second call did not print the value of x",
            hint=_PRINT_HINT_WHICH if re.search(r"\d", second) else _PRINT_HINT_ARGUMENT,
            expected="x = [3.25 4.  ]",
            yours=second,
        )


_PRINT = Exercise(
    id="t15-debug-print-1",
    title="Print values from compiled code",
    hints=("Inside jit, only `jax.debug.print` sees the run-time values.",),
    spec=Spec(
        cases=lambda: [(jnp.array([3.25, 4.0]),)],
        eager=False,
        also=(
            Also("jax.jit({})", lambda f: quietly(jax.jit(f))),
            Also(
                "jax.vmap({})", lambda f: quietly(jax.vmap(f)), lambda: [(jnp.array([7.5, 8.5]),)]
            ),
        ),
        on_error=_PRINT_ERRORS,
        extra=lambda fn, ref: _prints_every_call(fn),
    ),
)

# --- checkify -------------------------------------------------------------------------------

_CHK_HINT_ASSERT = (
    "`assert` (like `if ...: raise`) needs a concrete True/False, but inside jit and checkify "
    "the condition is a tracer. Use `checkify.check(jnp.all(x > 0), 'message')`."
)
_CHK_HINT_NONE = (
    "Nothing was flagged for an input with a negative entry: add "
    "`checkify.check(jnp.all(x > 0), 'x must be positive')` before the log."
)
_CHK_HINT_ZERO = (
    "0 is not positive (and log(0) is -inf), yet [0.0, 1.0] got through: check "
    "`jnp.all(x > 0)`, not `x >= 0`."
)
_CHK_HINT_ANY = (
    "`jnp.any(x > 0)` passes as soon as one entry is positive; every entry must be: "
    "`jnp.all(x > 0)`."
)


_CHK_HINT_POSITIVE = "check that every entry is positive: `jnp.all(x > 0)`"


def _flagged(checked: Any) -> Any:
    """``checked(x)`` as (whether an error was flagged, the result where none was)."""

    def run(x):
        err, out = checked(x)
        flagged = err.get() is not None
        return jnp.bool_(flagged), jnp.zeros_like(x) if flagged else out

    return run


_CHECKIFY = Exercise(
    id="t15-checkify-1",
    title="A run-time check that survives jit",
    hints=("`checkify.check(predicate, message)` records an error value instead of raising.",),
    spec=Spec(
        # each bad input is judged after the ones before it passed: [-1, -2] flagged, [1, -2, 3]
        # not, is `any`; only [0, 1] missed is `>= 0`
        cases=lambda: [
            (jnp.abs(normal(1, (4,))) + 0.1,),
            (jnp.array([-1.0, -2.0]),),
            (jnp.array([1.0, -2.0, 3.0]),),
            (jnp.array([0.0, 1.0]),),
        ],
        wrap=lambda f: _flagged(jax.jit(checkify.checkify(f))),
        on_error=(
            OnError(
                _CHK_HINT_ASSERT,
                (jax.errors.ConcretizationTypeError, AssertionError, ValueError),
            ),
        ),
        on_result=(
            OnResult(_CHK_HINT_POSITIVE, when=lambda got, x: bool(got[0]) and bool(jnp.all(x > 0))),
            OnResult(_CHK_HINT_ZERO, when=lambda got, x: not got[0] and float(x.min()) == 0.0),
            OnResult(_CHK_HINT_ANY, when=lambda got, x: not got[0] and bool(jnp.any(x > 0))),
            OnResult(_CHK_HINT_NONE, when=lambda got, x: not got[0]),
        ),
    ),
)

# --- tracer errors --------------------------------------------------------------------------

_TRACER_HINT_MASK = (
    "`x[x > 0]` has a size that depends on the values, and jit needs every shape before it "
    "runs (NonConcreteBooleanIndexError). Keep the shape: `jnp.where(x > 0, x, 0).sum()`."
)
_TRACER_HINT_IF = (
    "A Python `if` on an element needs a concrete bool, but under jit it is a tracer "
    "(TracerBoolConversionError). Select with `jnp.where(x > 0, x, 0)` and sum."
)
_TRACER_HINT_NONZERO = (
    "`jnp.nonzero` returns as many indices as there are positive entries: a value-dependent "
    "shape, refused under jit. Use `jnp.where(x > 0, x, 0).sum()`."
)


_TRACER = Exercise(
    id="t15-tracer-errors-1",
    title="Sum the positive entries under jit",
    hints=("Keep shapes fixed: select with jnp.where, then reduce.",),
    spec=Spec(
        cases=lambda: [
            (normal(1, (6,)),),
            (normal(2, (3, 4)),),
            (normal(3, (1,)),),
            (-jnp.ones(3),),
        ],
        jit={},
        eager=False,
        also=(Also("jax.grad({})", jax.grad, cases=lambda: [(jnp.array([1.0, -1.0, 2.0]),)]),),
        on_error=(
            OnError(_TRACER_HINT_MASK, (jax.errors.NonConcreteBooleanIndexError,)),
            OnError(_TRACER_HINT_IF, (jax.errors.TracerBoolConversionError,)),
            OnError(_TRACER_HINT_NONZERO, (jax.errors.ConcretizationTypeError,)),
        ),
    ),
)

# --- NaN-safe where -------------------------------------------------------------------------

_WHERE_HINT_SINGLE = (
    "jnp.where picks the value, but the gradient flows through both branches: sqrt's "
    "derivative at x <= 0 is inf or nan, and 0 * nan is nan. Also feed sqrt a safe input: "
    "`jnp.sqrt(jnp.where(x > 0, x, 1.0))` inside the outer where."
)
_WHERE_HINT_CLAMP = (
    "Clamping with `jnp.maximum(x, 0)` still feeds sqrt a 0, whose derivative is infinite: "
    "the gradient at x <= 0 becomes inf or nan. Replace the unsafe inputs by a safe value "
    "(1.0) and select the result with an outer where."
)


_WHERE_HINT_EXACT = (
    "Where x <= 0 the result must be exactly 0.0, not a small number: clamping to an epsilon "
    "gives sqrt(1e-10) = 1e-5 there. Select the 0.0 with an outer "
    "`jnp.where(x > 0, jnp.sqrt(jnp.where(x > 0, x, 1.0)), 0.0)`."
)


def _clamps(fn: Any) -> bool:
    """Whether ``fn`` clamps its input with max rather than selecting with where."""
    prims = set(primitive_names(jax.make_jaxpr(fn)(1.0)))
    return "max" in prims and "select_n" not in prims


def _finite(got: Any) -> bool:
    return bool(np.all(np.isfinite(np.asarray(got))))


_WHERE = Exercise(
    id="t15-nan-safe-where-1",
    title="A square root with finite gradients",
    hints=("Both branches of jnp.where are differentiated: keep the unused one finite too.",),
    spec=Spec(
        cases=lambda: [(jnp.concatenate([normal(1, (6,)), jnp.array([0.0, -0.0, 4.0, -4.0])]),)],
        also=(
            Also("jax.vmap(jax.grad({}))", lambda f: jax.vmap(jax.grad(f))),
            Also("jax.jit(jax.grad({}))", lambda f: jax.jit(jax.grad(f)), lambda: [(0.0,)]),
        ),
        on_result=(
            OnResult(_WHERE_HINT_CLAMP, when=lambda got, x: not _finite(got), answer=_clamps),
            OnResult(_WHERE_HINT_SINGLE, when=lambda got, x: not _finite(got)),
            OnResult(
                _WHERE_HINT_EXACT,
                when=lambda got, x: bool(np.any(np.asarray(got)[np.asarray(x) <= 0])),
            ),
            OnResult(_WHERE_HINT_SINGLE, when=lambda got, x: True),
        ),
        rtol=1e-6,  # exactly 0.0 where x <= 0: sqrt(1e-10) = 1e-5 is not
    ),
)

EXERCISES = (_PRINT, _CHECKIFY, _TRACER, _WHERE)
