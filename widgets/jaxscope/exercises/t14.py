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
    hints_of,
    normal,
    primitive_names,
)

HINT = hints_of(__name__)

# --- dot_general ----------------------------------------------------------------------------


def _batched_dot(fn: Any, ref: Any) -> None:
    closed = jax.make_jaxpr(fn)(normal(4, (2, 3, 4)), normal(5, (2, 4, 5)))
    dots = [e for e in all_eqns(closed) if e.primitive.name == "dot_general"]
    if not any(e.params["dimension_numbers"][1] == ((0,), (0,)) for e in dots):
        raise CheckFailure(
            f"the jaxpr holds {len(dots)} dot_general(s) without batch dimensions",
            hint=HINT["dot_one_by_one"],
            expected="one dot_general with batch dimensions ((0,), (0,))",
            yours=", ".join(str(e.params["dimension_numbers"]) for e in dots[:2]),
        )


_DOT = Exercise(
    id="t14-dot-general-1",
    spec=Spec(
        cases=lambda: [
            (normal(seed, (bsz, n, k)), normal(seed + 10, (bsz, k, m)))
            for seed, (bsz, n, k, m) in ((1, (2, 3, 4, 5)), (2, (3, 2, 2, 4)), (3, (1, 4, 3, 2)))
        ],
        jit={},
        on_error=(OnError(HINT["dot_axes"], (TypeError,), ("dot_general",)),),
        on_result=(
            OnResult(HINT["dot_no_batch"], when=lambda got, a, b: np.ndim(got) == 4),
            OnResult(HINT["dot_axes"], when=lambda *a: True),
        ),
        present={"dot_general": HINT["dot_axes"]},
        rtol=1e-4,
        extra=_batched_dot,
    ),
)

# --- dynamic_slice --------------------------------------------------------------------------


_DYN = Exercise(
    id="t14-dynamic-slicing-1",
    spec=Spec(
        cases=lambda: (
            [(normal(1, (10,)), jnp.int32(i)) for i in (0, 4, 7, 8, 9)]
            + [(jnp.arange(20, dtype=jnp.int32), jnp.int32(5))]
        ),
        jit={},
        compiles_once=True,
        compiles_hint=HINT["start_must_stay"],
        on_error=(
            OnError(HINT["dyn_slice"], (IndexError, jax.errors.ConcretizationTypeError, TypeError)),
        ),
        on_result=(
            OnResult(HINT["dyn_slice"], when=lambda got, x, i: np.shape(got) != (3,)),
            OnResult(HINT["dyn_roll"], wrong=lambda ref, x, i: jnp.roll(x, -i)[:3]),
            OnResult(
                HINT["dyn_take"],
                wrong=lambda ref, x, i: x[jnp.minimum(i + jnp.arange(3), len(x) - 1)],
            ),
        ),
    ),
)

# --- reduce_window --------------------------------------------------------------------------


def _has_reduce_window(fn: Any, ref: Any) -> None:
    prims = primitive_names(jax.make_jaxpr(fn)(normal(4, (8, 8))))
    if not any(p.startswith("reduce_window") for p in prims):
        raise CheckFailure(
            "max_pool_2x2 does not use reduce_window",
            hint=HINT["pool_no_window"],
            expected="a reduce_window_max (or reduce_window) primitive",
            yours=f"primitives: {', '.join(sorted(set(prims)))}",
        )


_POOL = Exercise(
    id="t14-reductions-1",
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
                HINT["pool_stride"],
                when=lambda got, x: np.shape(got) != (x.shape[0] // 2, x.shape[1] // 2),
            ),
            OnResult(HINT["pool_init"], wrong=lambda ref, x: jnp.maximum(ref(x), 0.0)),
            OnResult(
                HINT["pool_sum"],
                wrong=lambda ref, x: lax.reduce_window(x, 0.0, lax.add, (2, 2), (2, 2), "VALID"),
            ),
        ),
        extra=_has_reduce_window,
    ),
)

# --- associative_scan -----------------------------------------------------------------------


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
            hint=HINT["scan_loop"],
            expected="about twice as many for T = 64 (log2(T) rounds)",
            yours=f"{sizes[64] / sizes[8]:.1f} times as many",
        )


_ASSOC = Exercise(
    id="t14-associative-scan-1",
    spec=Spec(
        cases=lambda: [
            (
                jax.random.uniform(jax.random.key(seed), (t,), minval=0.5, maxval=1.0),
                normal(seed + 10, (t,)),
            )
            for seed, t in ((1, 5), (2, 16), (3, 33))
        ],
        on_result=(
            OnResult(HINT["scan_cumsum"], wrong=lambda ref, a, b: jnp.cumsum(b)),
            OnResult(HINT["scan_first"], wrong=lambda ref, a, b: jnp.cumprod(a)),
            OnResult(HINT["scan_order"], wrong=lambda ref, a, b: _wrong_order(a, b)),
            OnResult(HINT["scan_combine"], when=lambda *a: True),
        ),
        absent={
            "scan": HINT["scan_seq"],
            "while": HINT["scan_seq"],
            **dict.fromkeys(
                ("cumlogsumexp", "cummax", "cummin", "cumprod", "cumsum"), HINT["scan_closed_form"]
            ),
        },
        rtol=1e-4,
        extra=_log_depth,
    ),
)

# --- scatter_add ----------------------------------------------------------------------------


_HIST = Exercise(
    id="t14-gather-scatter-1",
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
                HINT["result_has_one"],
                when=lambda got, labels, n: np.shape(got) != (n,),
            ),
            OnResult(HINT["hist_set"], wrong=lambda ref, labels, n: ref(labels, n) > 0),
            OnResult(HINT["hist_dtype"], wrong=lambda ref, labels, n: ref(labels, n)),
        ),
    ),
)

EXERCISES = (_DOT, _DYN, _POOL, _ASSOC, _HIST)
