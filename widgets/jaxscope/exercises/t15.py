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
    Spec,
    attempt,
    captured_stdout,
    describe,
    expect_function,
    message_has,
    normal,
    same,
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


def _print_hint(exc: BaseException) -> str | None:
    if isinstance(exc, IndexError | KeyError):  # a placeholder without its argument
        return _PRINT_HINT_ARGUMENT
    if message_has(exc, "Unused positional arguments", "Unused keyword arguments"):
        return _PRINT_HINT_ARGUMENT  # an argument without its placeholder
    return None


def _run_printing(fn, x, label: str) -> tuple[Any, str]:
    with captured_stdout() as out:
        got = attempt(fn, x, label=label, hint_for=_print_hint)
        jax.block_until_ready(got)
        jax.effects_barrier()
    return got, out.getvalue()


def _check_show_and_square(answer: Any) -> None:
    fn = expect_function(answer, "show_and_square(x)")
    jitted = jax.jit(fn)
    x1, x2 = jnp.array([1.5, -2.0]), jnp.array([3.25, 4.0])
    _, first = _run_printing(jitted, x1, "jax.jit(show_and_square)(x1)")
    got, second = _run_printing(jitted, x2, "jax.jit(show_and_square)(x2)")
    same(x2**2, got, "jax.jit(show_and_square)(x2)")
    if "Tracer" in first + second:
        raise CheckFailure(
            "the printed text shows a tracer instead of the numbers",
            hint=_PRINT_HINT_FSTRING if second else _PRINT_HINT_PLAIN,
            expected="x = [3.25 4.  ] (the values of this call)",
            yours=second.strip() or first.strip(),
        )
    if not second.strip():
        raise CheckFailure(
            "the second jitted call printed nothing",
            hint=_PRINT_HINT_PLAIN,
            expected="x = [3.25 4.  ] on every call",
            yours=f"1st call: {first.strip()!r}, 2nd call: nothing",
        )
    if "3.25" not in second:
        raise CheckFailure(
            "the second call did not print the value of x",
            hint=_PRINT_HINT_WHICH if re.search(r"\d", second) else _PRINT_HINT_ARGUMENT,
            expected="x = [3.25 4.  ]",
            yours=second.strip(),
        )
    got, out = _run_printing(jax.vmap(fn), jnp.array([7.5, 8.5]), "jax.vmap(show_and_square)")
    same(jnp.array([56.25, 72.25]), got, "jax.vmap(show_and_square)")


_PRINT = Exercise(
    id="t15-debug-print-1",
    title="Print values from compiled code",
    signature="show_and_square(x)",
    reference=('def show_and_square(x):\n    jax.debug.print("x = {}", x)\n    return x**2\n'),
    hints=("Inside jit, only `jax.debug.print` sees the run-time values.",),
    checker=_check_show_and_square,
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


def _chk_hint(exc: BaseException) -> str | None:
    if isinstance(exc, jax.errors.ConcretizationTypeError | AssertionError | ValueError):
        return _CHK_HINT_ASSERT
    return None


def _check_checked_log(answer: Any) -> None:
    fn = expect_function(answer, "checked_log(x)")
    checked = jax.jit(checkify.checkify(fn))
    x = jnp.abs(normal(1, (4,))) + 0.1
    err, got = attempt(
        checked, x, label="jax.jit(checkify.checkify(checked_log))(x > 0)", hint_for=_chk_hint
    )
    if err.get() is not None:
        raise CheckFailure(
            "an all-positive input was flagged",
            hint="check that every entry is positive: `jnp.all(x > 0)`",
            yours=err.get().splitlines()[0],
        )
    same(jnp.log(x), got, "checked_log(positive x)")
    for bad in (jnp.array([1.0, -2.0, 3.0]), jnp.array([-1.0, -2.0]), jnp.array([0.0, 1.0])):
        label = f"checked_log({np.asarray(bad).tolist()})"
        err, _ = attempt(checked, bad, label=label, hint_for=_chk_hint)
        if err.get() is None:
            hint = _CHK_HINT_NONE
            if _flags(checked, jnp.array([1.0, -2.0, 3.0])):
                hint = _CHK_HINT_ZERO  # only the zero got through
            elif _flags(checked, jnp.array([-1.0, -2.0])):
                hint = _CHK_HINT_ANY
            raise CheckFailure(
                f"{label} was not flagged",
                hint=hint,
                expected="err.get() returns your message",
                yours="err.get() is None",
            )


def _flags(checked, x) -> bool:
    err, _ = checked(x)
    return err.get() is not None


_CHECKIFY = Exercise(
    id="t15-checkify-1",
    title="A run-time check that survives jit",
    signature="checked_log(x)",
    reference=(
        "def checked_log(x):\n"
        "    from jax.experimental import checkify\n\n"
        '    checkify.check(jnp.all(x > 0), "x must be positive")\n'
        "    return jnp.log(x)\n"
    ),
    hints=("`checkify.check(predicate, message)` records an error value instead of raising.",),
    checker=_check_checked_log,
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
    signature="sum_positive(x)",
    reference="def sum_positive(x):\n    return jnp.where(x > 0, x, 0.0).sum()\n",
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


def _safe_sqrt_ref(x):
    return jnp.where(x > 0, jnp.sqrt(jnp.where(x > 0, x, 1.0)), 0.0)


def _check_safe_sqrt(answer: Any) -> None:
    fn = expect_function(answer, "safe_sqrt(x)")
    x = jnp.concatenate([normal(1, (6,)), jnp.array([0.0, -0.0, 4.0, -4.0])])
    got = attempt(fn, x, label="safe_sqrt(x)")
    same(_safe_sqrt_ref(x), got, "safe_sqrt(x) with negative entries and zeros")
    off = np.asarray(got)[np.asarray(x) <= 0]
    if np.any(off != 0):
        raise CheckFailure(
            "safe_sqrt(x) is not exactly 0.0 where x <= 0",
            hint=_WHERE_HINT_EXACT,
            expected="0.0 for every x <= 0",
            yours=describe(off),
        )
    grad = jax.vmap(jax.grad(fn))
    g = attempt(grad, x, label="jax.vmap(jax.grad(safe_sqrt))(x)")
    if not np.all(np.isfinite(np.asarray(g))):
        bad = [
            float(v) for v, ok in zip(x.tolist(), np.isfinite(np.asarray(g)), strict=True) if not ok
        ]
        prims = {e.primitive.name for e in jax.make_jaxpr(fn)(1.0).eqns}
        src_has_max = "max" in prims and "select_n" not in prims
        raise CheckFailure(
            f"the gradient is not finite at x = {bad[:3]}",
            hint=_WHERE_HINT_CLAMP if src_has_max else _WHERE_HINT_SINGLE,
            expected="finite gradients everywhere (0 for x <= 0)",
            yours=describe(g),
        )
    same(jax.vmap(jax.grad(_safe_sqrt_ref))(x), g, "the gradient of safe_sqrt")
    jitted = jax.jit(jax.grad(fn))
    same(
        jnp.float32(0.0),
        attempt(jitted, 0.0, label="jit(grad(safe_sqrt))(0.0)"),
        "jax.jit(jax.grad(safe_sqrt))(0.0)",
        _WHERE_HINT_SINGLE,
    )


_WHERE = Exercise(
    id="t15-nan-safe-where-1",
    title="A square root with finite gradients",
    signature="safe_sqrt(x)",
    reference=(
        "def safe_sqrt(x):\n"
        "    safe_x = jnp.where(x > 0, x, 1.0)\n"
        "    return jnp.where(x > 0, jnp.sqrt(safe_x), 0.0)\n"
    ),
    hints=("Both branches of jnp.where are differentiated: keep the unused one finite too.",),
    checker=_check_safe_sqrt,
)

EXERCISES = (_PRINT, _CHECKIFY, _TRACER, _WHERE)
