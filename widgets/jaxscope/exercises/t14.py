"""Table 14 exercises: dot_general, dynamic_slice, reduce_window, associative_scan, scatter_add."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from . import Exercise
from ._support import (
    CheckFailure,
    OnError,
    OnResult,
    Spec,
    all_eqns,
    normal,
    primitive_names,
)

# --- dot_general ----------------------------------------------------------------------------

_DOT_HINT_NO_BATCH = (
    "Without batch dimensions (and that is what `jnp.dot` does with 3-D arrays) every batch of "
    "`a` meets every batch of `b` and the result is (B, N, B, M). List dimension 0 of both as a "
    "batch dimension: `(((2,), (1,)), ((0,), (0,)))`."
)
_DOT_HINT_AXES = (
    "The contracting dimensions are `a`'s last (2) and `b`'s middle (1): "
    "`(((2,), (1,)), ((0,), (0,)))`."
)
_DOT_HINT_ONE_BY_ONE = (
    "Multiplying the B pairs one at a time (a loop, then a stack) gives B separate products. One "
    "dot_general with batch dimensions does them all at once: `(((2,), (1,)), ((0,), (0,)))`."
)


def _batched_dot(fn: Any, ref: Any) -> None:
    closed = jax.make_jaxpr(fn)(normal(4, (2, 3, 4)), normal(5, (2, 4, 5)))
    dots = [e for e in all_eqns(closed) if e.primitive.name == "dot_general"]
    if not any(e.params["dimension_numbers"][1] == ((0,), (0,)) for e in dots):
        raise CheckFailure(
            f"the jaxpr holds {len(dots)} dot_general(s) without batch dimensions",
            hint=_DOT_HINT_ONE_BY_ONE,
            expected="one dot_general with batch dimensions ((0,), (0,))",
            yours=", ".join(str(e.params["dimension_numbers"]) for e in dots[:2]),
        )


_DOT = Exercise(
    id="t14-dot-general-1",
    title="A batched matmul with dot_general",
    hints=(
        "dimension_numbers = ((lhs_contracting, rhs_contracting), (lhs_batch, rhs_batch)), each "
        "a tuple of axis numbers.",
    ),
    spec=Spec(
        cases=lambda: [
            (normal(seed, (bsz, n, k)), normal(seed + 10, (bsz, k, m)))
            for seed, (bsz, n, k, m) in ((1, (2, 3, 4, 5)), (2, (3, 2, 2, 4)), (3, (1, 4, 3, 2)))
        ],
        jit={},
        on_error=(OnError(_DOT_HINT_AXES, (TypeError,), ("dot_general",)),),
        on_result=(
            OnResult(_DOT_HINT_NO_BATCH, when=lambda got, a, b: np.ndim(got) == 4),
            OnResult(_DOT_HINT_AXES, when=lambda *a: True),
        ),
        present={"dot_general": _DOT_HINT_AXES},
        rtol=1e-4,
        extra=_batched_dot,
    ),
)

# --- dynamic_slice --------------------------------------------------------------------------

_DYN_HINT_SLICE = (
    "Python slicing `x[i:i + 3]` needs concrete integers, and under jit `i` is a tracer. "
    "`lax.dynamic_slice(x, (i,), (3,))` takes a traced start and a static size."
)
_DYN_HINT_ROLL = (
    "Rolling wraps around: near the end you get elements from the start of `x`. "
    "`lax.dynamic_slice` clamps the start instead, so the window stays inside the array."
)
_DYN_HINT_TAKE = (
    "Indexing with `i + jnp.arange(3)` clamps each index on its own, so near the end the last "
    "element repeats. `lax.dynamic_slice` moves the whole window back inside the array."
)


_DYN = Exercise(
    id="t14-dynamic-slicing-1",
    title="A window at a traced offset",
    hints=(
        "`lax.dynamic_slice(operand, start_indices, slice_sizes)`: starts may be traced, sizes "
        "are static Python ints.",
    ),
    spec=Spec(
        cases=lambda: (
            [(normal(1, (10,)), jnp.int32(i)) for i in (0, 4, 7, 8, 9)]
            + [(jnp.arange(20, dtype=jnp.int32), jnp.int32(5))]
        ),
        jit={},
        compiles_once=True,
        compiles_hint="the start must stay traced; only the size (3) is static",
        on_error=(
            OnError(_DYN_HINT_SLICE, (IndexError, jax.errors.ConcretizationTypeError, TypeError)),
        ),
        on_result=(
            OnResult(_DYN_HINT_SLICE, when=lambda got, x, i: np.shape(got) != (3,)),
            OnResult(_DYN_HINT_ROLL, wrong=lambda ref, x, i: jnp.roll(x, -i)[:3]),
            OnResult(
                _DYN_HINT_TAKE,
                wrong=lambda ref, x, i: x[jnp.minimum(i + jnp.arange(3), len(x) - 1)],
            ),
        ),
    ),
)

# --- reduce_window --------------------------------------------------------------------------

_POOL_HINT_STRIDE = (
    "With strides (1, 1) the 2x2 windows overlap and the result is (H-1, W-1). Non-overlapping "
    "pooling moves by the window size: strides (2, 2)."
)
_POOL_HINT_INIT = (
    "The initial value of a max must be the identity of max, `-jnp.inf`: with 0.0, a window of "
    "negative numbers reports 0."
)
_POOL_HINT_SUM = "`lax.add` sums each window; a max pool reduces with `lax.max`."
_POOL_HINT_NO_WINDOW = (
    "The numbers are right, but this exercise is about `lax.reduce_window`, which slides a "
    "window over any array (strides, padding, any reduction): "
    "`lax.reduce_window(x, -jnp.inf, lax.max, (2, 2), (2, 2), 'VALID')`."
)


def _has_reduce_window(fn: Any, ref: Any) -> None:
    prims = primitive_names(jax.make_jaxpr(fn)(normal(4, (8, 8))))
    if not any(p.startswith("reduce_window") for p in prims):
        raise CheckFailure(
            "max_pool_2x2 does not use reduce_window",
            hint=_POOL_HINT_NO_WINDOW,
            expected="a reduce_window_max (or reduce_window) primitive",
            yours=f"primitives: {', '.join(sorted(set(prims)))}",
        )


_POOL = Exercise(
    id="t14-reductions-1",
    title="Max pooling with reduce_window",
    hints=(
        "`reduce_window(x, init, op, window_dimensions, window_strides, padding)`; the init is "
        "the identity of op.",
    ),
    spec=Spec(
        cases=lambda: [
            (normal(1, (4, 6)),),
            (normal(2, (6, 4)) - 10.0,),
            (-jnp.abs(normal(3, (2, 2))) - 1.0,),
            (normal(4, (8, 8)),),
        ],
        jit={},
        on_result=(
            OnResult(
                _POOL_HINT_STRIDE,
                when=lambda got, x: np.shape(got) != (x.shape[0] // 2, x.shape[1] // 2),
            ),
            OnResult(_POOL_HINT_INIT, wrong=lambda ref, x: jnp.maximum(ref(x), 0.0)),
            OnResult(
                _POOL_HINT_SUM,
                wrong=lambda ref, x: lax.reduce_window(x, 0.0, lax.add, (2, 2), (2, 2), "VALID"),
            ),
        ),
        extra=_has_reduce_window,
    ),
)

# --- associative_scan -----------------------------------------------------------------------

_SCAN_HINT_ORDER = (
    "The combine must apply the earlier step first: for (a1, b1) then (a2, b2) the result is "
    "`(a1 * a2, a2 * b1 + b2)`. Your version scales the wrong b."
)
_SCAN_HINT_SEQ = (
    "`lax.scan` is right but sequential: it needs T steps one after another. The point here is "
    "`lax.associative_scan`, which needs only about log2(T) parallel rounds."
)
_SCAN_HINT_COMBINE = (
    "For (a1, b1) then (a2, b2) the combined step is `(a1 * a2, a2 * b1 + b2)`; the h_t are "
    "the second item of `lax.associative_scan(combine, (a, b))`."
)
_SCAN_HINT_FIRST = (
    "`lax.associative_scan` returns the pair of prefixes (A, B): A (item [0]) is the running "
    "product of a, and the h_t are B, item [1]."
)
_SCAN_HINT_LOOP = (
    "A Python loop unrolls into T steps one after another: the jaxpr grows with T. "
    "`lax.associative_scan` combines the pairs in about log2(T) parallel rounds."
)
_SCAN_HINT_CLOSED_FORM = (
    "`cumprod`/`cumsum` give a closed form that divides by the running product of a, which "
    "underflows to 0 on long sequences (then inf and nan). Combine (a, b) pairs with "
    "`lax.associative_scan` instead."
)
_SCAN_HINT_CUMSUM = (
    "`cumsum(b)` ignores the decay `a`: h_t = a_t * h_(t-1) + b_t multiplies what came before "
    "by a_t."
)


def _wrong_order(a, b) -> np.ndarray:
    """The prefixes of the combine written the other way round, (a1 * a2, a1 * b2 + b1)."""
    a, b = np.asarray(a), np.asarray(b)
    acc_a, acc_b, out = a[0], b[0], [b[0]]
    for a2, b2 in zip(a[1:], b[1:], strict=True):
        acc_a, acc_b = acc_a * a2, acc_a * b2 + acc_b
        out.append(acc_b)
    return np.array(out)


def _log_depth(fn: Any, ref: Any) -> None:
    # associative_scan adds a few operations per round, about log2(T) rounds; a loop adds
    # some for every step, so its jaxpr grows 8 times from T = 8 to T = 64
    sizes = {t: len(all_eqns(jax.make_jaxpr(fn)(jnp.ones(t), jnp.ones(t)))) for t in (8, 64)}
    if sizes[64] > 3 * sizes[8]:
        raise CheckFailure(
            f"the jaxpr of linear_recurrence grows with T: {sizes[8]} operations for T = 8, "
            f"{sizes[64]} for T = 64",
            hint=_SCAN_HINT_LOOP,
            expected="about twice as many for T = 64 (log2(T) rounds)",
            yours=f"{sizes[64] / sizes[8]:.1f} times as many",
        )


_ASSOC = Exercise(
    id="t14-associative-scan-1",
    title="A linear recurrence in parallel",
    hints=(
        "Two steps h -> a1*h + b1 then h -> a2*h + b2 make one step h -> (a1*a2)*h + (a2*b1 + "
        "b2): that is the associative combine.",
    ),
    spec=Spec(
        cases=lambda: [
            (
                jax.random.uniform(jax.random.key(seed), (t,), minval=0.5, maxval=1.0),
                normal(seed + 10, (t,)),
            )
            for seed, t in ((1, 5), (2, 16), (3, 33))
        ],
        on_result=(
            OnResult(_SCAN_HINT_CUMSUM, wrong=lambda ref, a, b: jnp.cumsum(b)),
            OnResult(_SCAN_HINT_FIRST, wrong=lambda ref, a, b: jnp.cumprod(a)),
            OnResult(_SCAN_HINT_ORDER, wrong=lambda ref, a, b: _wrong_order(a, b)),
            OnResult(_SCAN_HINT_COMBINE, when=lambda *a: True),
        ),
        absent={
            "scan": _SCAN_HINT_SEQ,
            "while": _SCAN_HINT_SEQ,
            **dict.fromkeys(
                ("cumlogsumexp", "cummax", "cummin", "cumprod", "cumsum"), _SCAN_HINT_CLOSED_FORM
            ),
        },
        rtol=1e-4,
        extra=_log_depth,
    ),
)

# --- scatter_add ----------------------------------------------------------------------------

_HIST_HINT_SET = (
    "`.set(1)` writes 1 once per position, so repeated labels are counted once. Add instead: "
    "`.at[labels].add(1)` (a scatter-add) sums every occurrence."
)
_HIST_HINT_DTYPE = "Counts are integers: start from `jnp.zeros(n, jnp.int32)`."


_HIST = Exercise(
    id="t14-gather-scatter-1",
    title="Count labels with a scatter-add",
    hints=("Scatter-add sums every update aimed at the same position; scatter (set) keeps one.",),
    spec=Spec(
        cases=lambda: (
            [
                (jax.random.randint(jax.random.key(seed), (size,), 0, n), n)
                for seed, size, n in ((1, 20, 5), (2, 7, 3), (3, 50, 10))
            ]
            + [(jnp.array([2, 2, 2, 0], jnp.int32), 3)]
        ),
        jit={"static_argnums": 1},
        on_result=(
            OnResult(
                "the result has one count per class: shape (n,)",
                when=lambda got, labels, n: np.shape(got) != (n,),
            ),
            OnResult(_HIST_HINT_SET, wrong=lambda ref, labels, n: ref(labels, n) > 0),
            OnResult(_HIST_HINT_DTYPE, wrong=lambda ref, labels, n: ref(labels, n)),
        ),
    ),
)

EXERCISES = (_DOT, _DYN, _POOL, _ASSOC, _HIST)
