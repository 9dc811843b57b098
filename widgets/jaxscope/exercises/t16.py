"""Table 16 exercises: honest timing, arithmetic intensity, bfloat16 matmuls, rolled loops."""

from __future__ import annotations

import time
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import Exercise
from ._support import (
    CheckFailure,
    OnResult,
    Spec,
    all_eqns,
    attempt,
    describe,
    hints_of,
    normal,
)

HINT = hints_of(__name__)

# --- benchmarking ---------------------------------------------------------------------------

_COMPILE_S = 0.3
# the work of call i takes _RUN_MS[i % 5] ms: any 5 calls in a row have a median of 20 ms, a
# minimum of 5 ms and a mean of 65 ms (call 0, the compiling one, is the fifth entry)
_RUN_MS = (30, 20, 5, 250, 20)
_LOW_S, _HIGH_S = 0.018, 0.045  # sleeps only overrun: generous above, tight below


class _Pending:
    """A stand-in result whose work (``run_s`` seconds) finishes only when someone waits."""

    def __init__(self, run_s: float) -> None:
        self.run_s = run_s

    def block_until_ready(self) -> _Pending:
        time.sleep(self.run_s)
        self.run_s = 0.0
        return self


class _FakeJitted:
    """Behaves like a jitted function: slow first call (compile), then quick dispatch; the
    work of each call takes a different time (see ``_RUN_MS``)."""

    calls = 0

    def __call__(self, x: Any) -> _Pending:
        time.sleep(_COMPILE_S if self.calls == 0 else 0.0)
        self.calls += 1
        return _Pending(_RUN_MS[(self.calls - 1) % len(_RUN_MS)] / 1e3)


def _seconds(got: Any) -> bool:
    return isinstance(got, float | int | np.floating)


def _under_a_second(t: Any) -> Any:
    """A time as what the reference's is ("under a second"), anything else as it is."""
    return ("under a second" if 0 <= t < 1 else f"{float(t):.3g} s") if _seconds(t) else t


def _times_the_median(fn: Any) -> None:
    """On a fake jitted function whose calls take known times: a warm-up, 5 timed calls, in
    seconds, and their median."""
    fake = _FakeJitted()
    got = attempt(fn, fake, 1.0, label="time_call(f, x)")
    if not _seconds(got):
        raise CheckFailure(
            "time_call should return the median time in seconds, a float",
            yours=describe(got),
            hint=HINT["bench_float"],
        )
    if fake.calls < 6:
        raise CheckFailure(
            f"f was called {fake.calls} times for n=5",
            hint=HINT["bench_warmup"],
            expected="1 warm-up call + 5 timed calls",
            yours=f"{fake.calls} calls",
        )
    for wrong, hint in (
        (got > 2.0, HINT["bench_ms"]),  # the whole check sleeps for under a second
        (got < 0.004, HINT["bench_block"]),  # below the fastest call: only the dispatch was timed
        (got < _LOW_S, HINT["bench_min"]),
        (got > _COMPILE_S, HINT["bench_warmup"]),
        (got > _HIGH_S, HINT["bench_mean"]),
    ):
        if wrong:
            raise CheckFailure(
                f"time_call returned {float(got):.4g} s for calls whose median is 20 ms (the "
                f"first call compiles for {_COMPILE_S * 1e3:.0f} ms)",
                hint=hint,
                expected="about 0.02 s (the timed calls take 5, 20, 20, 30, 250 ms)",
                yours=f"{float(got):.4g} s",
            )


_BENCH = Exercise(
    id="t16-benchmarking-1",
    spec=Spec(
        # a real jitted function: its median is a number of seconds, and under one
        cases=lambda: [(jax.jit(lambda v: v * 2), jnp.ones(3))],
        on_result=(OnResult(HINT["bench_float"], when=lambda got, *a: not isinstance(got, str)),),
        wrap=lambda p: lambda f, x: _under_a_second(p(f, x)),
        before=_times_the_median,
    ),
)

# --- arithmetic intensity -------------------------------------------------------------------


def _cost(f, x, compiled: bool = True) -> dict:
    lowered = jax.jit(f).lower(x)
    cost = (lowered.compile() if compiled else lowered).cost_analysis()
    return cost[0] if isinstance(cost, list | tuple) else cost


def _ratio(cost: dict) -> float:
    return float(cost["flops"]) / float(cost["bytes accessed"])


def _near(got: Any, *values: float) -> bool:
    try:
        return any(np.isclose(float(got), v, rtol=1e-3) for v in values)
    except (TypeError, ValueError):
        return False


class _Named:
    """A test function that shows as its formula in a call's label."""

    def __init__(self, text: str, f: Any) -> None:
        self.text, self.f = text, f

    def __call__(self, x: Any) -> Any:
        return self.f(x)

    def __repr__(self) -> str:
        return self.text


_AI = Exercise(
    id="t16-fusion-hlo-1",
    spec=Spec(
        cases=lambda: [
            (
                _Named("x -> exp(sin(x) * 2).sum()", lambda x: jnp.exp(jnp.sin(x) * 2).sum()),
                jnp.ones(1000),
            ),
            (_Named("x -> x @ x", lambda x: x @ x), jnp.ones((64, 64))),
            (_Named("x -> tanh(x) * x + 1", lambda x: jnp.tanh(x) * x + 1), jnp.ones(4096)),
        ],
        on_result=(
            OnResult(
                HINT["ai_inverted"], when=lambda got, f, x: _near(got, 1 / _ratio(_cost(f, x)))
            ),
            OnResult(
                HINT["ai_one_count"],
                when=lambda got, f, x: _near(
                    got,
                    *(float(v) for k, v in _cost(f, x).items() if k in ("flops", "bytes accessed")),
                ),
            ),
            OnResult(
                HINT["ai_lowered"], when=lambda got, f, x: _near(got, _ratio(_cost(f, x, False)))
            ),
        ),
    ),
)

# --- mixed precision ------------------------------------------------------------------------


def _bf16_dots(fn: Any) -> None:
    """Fail unless the first matmul of ``fn`` multiplies bfloat16 by bfloat16 into float32."""
    a, b = normal(1, (16, 32)), normal(2, (32, 8))
    label = "bf16_matmul(a: float32[16,32], b: float32[32,8])"
    closed = attempt(jax.make_jaxpr(fn), a, b, label=label)
    dots = [
        [str(v.aval.dtype) for v in (e.invars[0], e.invars[1], e.outvars[0])]
        for e in all_eqns(closed)
        if e.primitive.name == "dot_general"
    ]
    if not dots:
        raise CheckFailure("no matmul (dot_general) in the jaxpr", hint=HINT["bf16_f32"])
    lhs, rhs, out = dots[0]
    if (lhs, rhs) != ("bfloat16", "bfloat16"):
        raise CheckFailure(
            f"the matmul multiplies {lhs} by {rhs}",
            hint=HINT["bf16_f32"],
            expected="bfloat16 x bfloat16",
            yours=f"{lhs} x {rhs}",
        )
    if out != "float32":
        in_f32 = closed.out_avals[0].dtype == jnp.float32
        raise CheckFailure(
            f"the matmul accumulates and returns {out}",
            hint=HINT["bf16_cast_after"] if in_f32 else HINT["bf16_out"],
            expected="dot_general with preferred_element_type=float32",
            yours=f"{out} result" + (", cast to float32 afterwards" if in_f32 else ""),
        )


def _not_the_f32_product(fn: Any, ref: Any) -> None:
    a, b = normal(1, (16, 32)), normal(2, (32, 8))
    if np.array_equal(np.asarray(fn(a, b)), np.asarray(a @ b)):
        raise CheckFailure("the result is exactly the float32 product", hint=HINT["bf16_f32"])


_BF16 = Exercise(
    id="t16-mixed-precision-1",
    spec=Spec(
        cases=lambda: [
            (normal(1, (16, 32)), normal(2, (32, 8))),
            (normal(3, (4, 5)), normal(4, (5, 3))),
        ],
        jit={},
        rtol=1e-3,
        before=_bf16_dots,
        extra=_not_the_f32_product,
    ),
)

# --- rolled loops ---------------------------------------------------------------------------


def _rolled(fn: Any, ref: Any) -> None:
    closed = jax.make_jaxpr(fn)(jnp.ones(5))
    n = len(all_eqns(closed))
    if n > 20:
        raise CheckFailure(
            f"the jaxpr of sin_100 holds {n} equations ({str(closed).count(' sin ')} sin)",
            hint=HINT["loop_python"],
            expected="one loop (scan or while) with one sin inside",
            yours=f"{n} equations",
        )
    sines = jax.jit(fn).lower(jnp.ones(5)).compile().as_text().count("sine(")
    if sines > 10:
        raise CheckFailure(
            f"the compiled program holds {sines} sine operations",
            hint=HINT["loop_unroll"],
            expected="one sine inside a while loop",
            yours=f"{sines} sines",
        )


_LOOP = Exercise(
    id="t16-loops-compile-time-1",
    spec=Spec(cases=lambda: [(normal(1, (5,)),), (normal(2, ()),)], rtol=1e-4, extra=_rolled),
)

EXERCISES = (_BENCH, _AI, _BF16, _LOOP)
