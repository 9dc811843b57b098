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
    hints_of,
    normal,
    primitive_names,
    quietly,
)

HINT = hints_of(__name__)

# --- jax.debug.print ------------------------------------------------------------------------


_PRINT_ERRORS = (
    OnError(HINT["print_argument"], (IndexError, KeyError)),  # a placeholder without its argument
    OnError(
        HINT["print_argument"], words=("Unused positional arguments", "Unused keyword arguments")
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
            hint=HINT["print_fstring"] if second else HINT["print_plain"],
            expected="x = [3.25 4.  ] (the values of this call)",
            yours=second or first,
        )
    if not second:
        raise CheckFailure(
            "the second jitted call printed nothing",
            hint=HINT["print_plain"],
            expected="x = [3.25 4.  ] on every call",
            yours=f"1st call: {first!r}, 2nd call: nothing",
        )
    if "3.25" not in second:
        raise CheckFailure(
            "the second call did not print the value of x",
            hint=HINT["print_which"] if re.search(r"\d", second) else HINT["print_argument"],
            expected="x = [3.25 4.  ]",
            yours=second,
        )


_PRINT = Exercise(
    id="t15-debug-print-1",
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


def _flagged(checked: Any) -> Any:
    """``checked(x)`` as (whether an error was flagged, the result where none was)."""

    def run(x):
        err, out = checked(x)
        flagged = err.get() is not None
        return jnp.bool_(flagged), jnp.zeros_like(x) if flagged else out

    return run


_CHECKIFY = Exercise(
    id="t15-checkify-1",
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
                HINT["chk_assert"],
                (jax.errors.ConcretizationTypeError, AssertionError, ValueError),
            ),
        ),
        on_result=(
            OnResult(
                HINT["chk_positive"], when=lambda got, x: bool(got[0]) and bool(jnp.all(x > 0))
            ),
            OnResult(HINT["chk_zero"], when=lambda got, x: not got[0] and float(x.min()) == 0.0),
            OnResult(HINT["chk_any"], when=lambda got, x: not got[0] and bool(jnp.any(x > 0))),
            OnResult(HINT["chk_none"], when=lambda got, x: not got[0]),
        ),
    ),
)

# --- tracer errors --------------------------------------------------------------------------


_TRACER = Exercise(
    id="t15-tracer-errors-1",
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
            OnError(HINT["tracer_mask"], (jax.errors.NonConcreteBooleanIndexError,)),
            OnError(HINT["tracer_if"], (jax.errors.TracerBoolConversionError,)),
            OnError(HINT["tracer_nonzero"], (jax.errors.ConcretizationTypeError,)),
        ),
    ),
)

# --- NaN-safe where -------------------------------------------------------------------------


def _clamps(fn: Any) -> bool:
    """Whether ``fn`` clamps its input with max rather than selecting with where."""
    prims = set(primitive_names(jax.make_jaxpr(fn)(1.0)))
    return "max" in prims and "select_n" not in prims


def _finite(got: Any) -> bool:
    return bool(np.all(np.isfinite(np.asarray(got))))


_WHERE = Exercise(
    id="t15-nan-safe-where-1",
    spec=Spec(
        cases=lambda: [(jnp.concatenate([normal(1, (6,)), jnp.array([0.0, -0.0, 4.0, -4.0])]),)],
        also=(
            Also("jax.vmap(jax.grad({}))", lambda f: jax.vmap(jax.grad(f))),
            Also("jax.jit(jax.grad({}))", lambda f: jax.jit(jax.grad(f)), lambda: [(0.0,)]),
        ),
        on_result=(
            OnResult(HINT["where_clamp"], when=lambda got, x: not _finite(got), answer=_clamps),
            OnResult(HINT["where_single"], when=lambda got, x: not _finite(got)),
            OnResult(
                HINT["where_exact"],
                when=lambda got, x: bool(np.any(np.asarray(got)[np.asarray(x) <= 0])),
            ),
            OnResult(HINT["where_single"], when=lambda got, x: True),
        ),
        rtol=1e-6,  # exactly 0.0 where x <= 0: sqrt(1e-10) = 1e-5 is not
    ),
)

EXERCISES = (_PRINT, _CHECKIFY, _TRACER, _WHERE)
