"""Table 3 exercises: indexing, .at[] updates, out-of-bounds modes, duplicates, masking."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import Exercise
from ._support import OnError, OnResult, Spec, hints_of, normal

HINT = hints_of(__name__)


def _ints(seed: int, shape: tuple[int, ...], high: int) -> jax.Array:
    return jax.random.randint(jax.random.key(seed), shape, 0, high)


def _shape(value: Any) -> tuple[int, ...] | None:
    return getattr(value, "shape", None)


# --- basic and advanced indexing ------------------------------------------------------------


_IDX = Exercise(
    id="t03-indexing-1",
    spec=Spec(
        cases=lambda: [
            (normal(0, (5, 6)), jnp.array(r), jnp.array(c))
            for r, c in (([0, 3, 4], [1, 2, 5]), ([4, 1], [0, 2, 3]), ([2], [5, 0]))
        ],
        jit={},
        on_error=(
            OnError(HINT["idx_pairs"], words=("broadcast", "Incompatible shapes", "mismatch")),
        ),
        on_result=(
            OnResult(HINT["idx_pairs"], when=lambda got, x, r, c: _shape(got) != (len(r), len(c))),
        ),
    ),
)

# --- .at[].set ------------------------------------------------------------------------------


_SET = Exercise(
    id="t03-at-set-1",
    spec=Spec(
        cases=lambda: [(normal(seed, (n, n)) + 2.0,) for seed, n in ((1, 4), (2, 1), (3, 6))],
        jit={},
        on_error=(
            OnError(HINT["set_assign"], (TypeError,), ("immutable", "does not support item")),
        ),
        on_result=(
            OnResult(HINT["set_diag"], wrong=lambda ref, m: m - jnp.diag(m)),
            OnResult(HINT["set_rows"], wrong=lambda ref, m: m.at[jnp.arange(len(m))].set(0.0)),
            OnResult(HINT["set_other"], when=lambda got, m: True),
        ),
    ),
)

# --- .at[] arithmetic -----------------------------------------------------------------------


_MIN = Exercise(
    id="t03-at-arithmetic-1",
    spec=Spec(
        cases=lambda: [
            (jnp.array([0.0, 4.0, 4.0, 1.0, 9.0]), jnp.array(nodes), jnp.array(cand))
            for nodes, cand in (
                ([1, 3], [2.0, 5.0]),  # one improves, one does not
                ([1, 1], [3.0, 5.0]),  # repeated node, smaller candidate first
                ([2, 2], [5.0, 3.0]),  # repeated node, smaller candidate last
                ([4, 0, 4, 4], [7.0, 1.0, 2.0, 8.0]),
            )
        ],
        jit={},
        on_result=(
            OnResult(HINT["min_set"], when=lambda got, d, n, c: len(set(n.tolist())) < len(n)),
            OnResult(HINT["min_plain"], when=lambda got, d, n, c: True),
        ),
    ),
)

# --- out-of-bounds indexing -----------------------------------------------------------------


def _beyond_all(got: Any, table: jax.Array, idx: jax.Array, value: int) -> bool:
    """Whether ``got`` holds ``value`` at every out-of-bounds position of ``idx``."""
    if _shape(got) != idx.shape:
        return False
    return bool(np.all(np.asarray(got)[np.asarray(idx) >= table.shape[0]] == value))


_OOB = Exercise(
    id="t03-out-of-bounds-1",
    spec=Spec(
        cases=lambda: [
            (jnp.array([10, 11, 12, 13, 14], dtype=jnp.int32), jnp.array(idx))
            for idx in ([0, 4, 5, 2], [7, 1, 100], [3])
        ],
        jit={},
        on_result=(
            OnResult(HINT["oob_clamp"], when=lambda got, t, i: _beyond_all(got, t, i, 14)),
            OnResult(
                HINT["oob_no_fill"],
                when=lambda got, t, i: _beyond_all(got, t, i, np.iinfo(np.int32).min),
            ),
        ),
    ),
)

# --- duplicate indices ----------------------------------------------------------------------


_DUP = Exercise(
    id="t03-duplicate-indices-1",
    spec=Spec(
        cases=lambda: (
            [
                (jnp.array(labels, dtype=jnp.int32), n)
                for labels, n in (([0, 2, 2, 1, 2], 4), ([3, 3, 3], 5))
            ]
            + [(_ints(s, (40,), 6), 6) for s in (1, 2)]
        ),
        jit={"static_argnums": (1,)},
        on_error=(
            OnError(HINT["dup_bincount"], (jax.errors.ConcretizationTypeError,)),
            OnError(HINT["dup_bincount"], words=("length",)),
        ),
        on_result=(
            OnResult(HINT["dup_bincount"], when=lambda got, lab, n: _shape(got) != (n,)),
            OnResult(HINT["dup_set"], when=lambda got, lab, n: np.asarray(got).max(initial=0) <= 1),
        ),
    ),
)

# --- masking with jnp.where -----------------------------------------------------------------


_MASK = Exercise(
    id="t03-masking-where-1",
    spec=Spec(
        cases=lambda: [
            (normal(1, (6,)),),
            (jnp.array([-1.0, 2.0, 4.0, -3.0]),),
            (normal(2, (3, 4)),),
            (jnp.array([-1.0, -2.0, 0.0]),),
            (jnp.array([0.0, -1.0, 3.0]),),
        ],
        eager=False,
        jit={},
        on_error=(
            OnError(
                HINT["mask_bool"],
                (jax.errors.NonConcreteBooleanIndexError, jax.errors.ConcretizationTypeError),
            ),
        ),
        on_result=(
            OnResult(HINT["mask_nan"], when=lambda got, x: bool(np.any(np.isnan(np.asarray(got))))),
            OnResult(HINT["mask_count"], wrong=lambda ref, x: jnp.where(x > 0, x, 0.0).mean()),
            OnResult(
                HINT["mask_zero"],
                wrong=lambda ref, x: (
                    jnp.sum(jnp.where(x >= 0, x, 0.0)) / jnp.maximum(jnp.sum(x >= 0), 1)
                ),
            ),
            OnResult(HINT["mask_other"], when=lambda got, x: True),
        ),
    ),
)

EXERCISES = (_IDX, _SET, _MIN, _OOB, _DUP, _MASK)
