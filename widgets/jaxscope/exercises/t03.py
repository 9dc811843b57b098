"""Table 3 exercises: indexing, .at[] updates, out-of-bounds modes, duplicates, masking."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import Exercise
from ._support import OnError, OnResult, Spec, normal


def _ints(seed: int, shape: tuple[int, ...], high: int) -> jax.Array:
    return jax.random.randint(jax.random.key(seed), shape, 0, high)


def _shape(value: Any) -> tuple[int, ...] | None:
    return getattr(value, "shape", None)


# --- basic and advanced indexing ------------------------------------------------------------

_IDX_HINT_PAIRS = (
    "x[rows, cols] pairs the two index arrays element by element (it picks x[rows[k], cols[k]]), "
    "so it needs equal lengths and gives a 1-D result. For every row-column combination, make "
    "the row index a column: x[rows[:, None], cols] (or x[jnp.ix_(rows, cols)])."
)


_IDX = Exercise(
    id="t03-indexing-1",
    title="Pick a submatrix with two index arrays",
    hints=("Integer index arrays broadcast against each other, like operands of `+`.",),
    spec=Spec(
        cases=lambda: [
            (normal(0, (5, 6)), jnp.array(r), jnp.array(c))
            for r, c in (([0, 3, 4], [1, 2, 5]), ([4, 1], [0, 2, 3]), ([2], [5, 0]))
        ],
        jit={},
        on_error=(
            OnError(_IDX_HINT_PAIRS, words=("broadcast", "Incompatible shapes", "mismatch")),
        ),
        on_result=(
            OnResult(_IDX_HINT_PAIRS, when=lambda got, x, r, c: _shape(got) != (len(r), len(c))),
        ),
    ),
)

# --- .at[].set ------------------------------------------------------------------------------

_SET_HINT_ASSIGN = (
    "JAX arrays are immutable, so `m[i, i] = 0` is refused. `m.at[i, i].set(0.0)` returns a new "
    "array with those entries replaced."
)
_SET_HINT_DIAG = (
    "For a matrix, jnp.diag(m) is its diagonal as a 1-D vector; `m - jnp.diag(m)` broadcasts it "
    "along every row. Index the diagonal instead: i = jnp.arange(n); m.at[i, i].set(0.0)."
)
_SET_HINT_ROWS = (
    "m.at[i] with one index array selects whole rows. Give one index per axis: m.at[i, i]."
)
_SET_HINT_OTHER = (
    "Only the entries m[i, i] (row index equal to column index) become 0; every other entry "
    "keeps its value. With i = jnp.arange(n), m.at[i, i].set(0.0) writes exactly those."
)


_SET = Exercise(
    id="t03-at-set-1",
    title="Zero the diagonal with .at[].set",
    hints=("`m.at[rows, cols].set(v)` writes v at the pairs (rows[k], cols[k]).",),
    spec=Spec(
        cases=lambda: [(normal(seed, (n, n)) + 2.0,) for seed, n in ((1, 4), (2, 1), (3, 6))],
        jit={},
        on_error=(OnError(_SET_HINT_ASSIGN, (TypeError,), ("immutable", "does not support item")),),
        on_result=(
            OnResult(_SET_HINT_DIAG, wrong=lambda ref, m: m - jnp.diag(m)),
            OnResult(_SET_HINT_ROWS, wrong=lambda ref, m: m.at[jnp.arange(len(m))].set(0.0)),
            OnResult(_SET_HINT_OTHER, when=lambda got, m: True),
        ),
    ),
)

# --- .at[] arithmetic -----------------------------------------------------------------------

_MIN_HINT_SET = (
    "`.set(jnp.minimum(dist[nodes], cand))` compares each candidate with the *old* distance "
    "only; when a node repeats, one of its writes wins and the others are lost. "
    "`dist.at[nodes].min(cand)` combines every candidate aimed at the same node."
)
_MIN_HINT_PLAIN = (
    "`.set(cand)` overwrites a distance even when the old one is smaller. Keep the smaller "
    "value: dist.at[nodes].min(cand)."
)


_MIN = Exercise(
    id="t03-at-arithmetic-1",
    title="Relax distances with .at[].min",
    hints=("`.at[idx]` has read-modify-write methods: add, multiply, min, max, apply.",),
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
            OnResult(_MIN_HINT_SET, when=lambda got, d, n, c: len(set(n.tolist())) < len(n)),
            OnResult(_MIN_HINT_PLAIN, when=lambda got, d, n, c: True),
        ),
    ),
)

# --- out-of-bounds indexing -----------------------------------------------------------------

_OOB_HINT_CLAMP = (
    "An out-of-bounds read does not raise in JAX: `table[idx]` clamps idx to the last valid "
    "position and returns that entry. Ask for a fill instead: "
    'table.at[idx].get(mode="fill", fill_value=-1).'
)
_OOB_HINT_NO_FILL = (
    'mode="fill" without fill_value fills with a default (NaN for floats, the most negative '
    "value for integers). Pass fill_value=-1."
)


def _beyond_all(got: Any, table: jax.Array, idx: jax.Array, value: int) -> bool:
    """Whether ``got`` holds ``value`` at every out-of-bounds position of ``idx``."""
    if _shape(got) != idx.shape:
        return False
    return bool(np.all(np.asarray(got)[np.asarray(idx) >= table.shape[0]] == value))


_OOB = Exercise(
    id="t03-out-of-bounds-1",
    title="Look up with a fill value for missing entries",
    hints=("Out-of-bounds reads clamp unless you choose another mode= in .at[idx].get().",),
    spec=Spec(
        cases=lambda: [
            (jnp.array([10, 11, 12, 13, 14], dtype=jnp.int32), jnp.array(idx))
            for idx in ([0, 4, 5, 2], [7, 1, 100], [3])
        ],
        jit={},
        on_result=(
            OnResult(_OOB_HINT_CLAMP, when=lambda got, t, i: _beyond_all(got, t, i, 14)),
            OnResult(
                _OOB_HINT_NO_FILL,
                when=lambda got, t, i: _beyond_all(got, t, i, np.iinfo(np.int32).min),
            ),
        ),
    ),
)

# --- duplicate indices ----------------------------------------------------------------------

_DUP_HINT_SET = (
    "With repeated labels, `.set(counts[labels] + 1)` computes every update from the old counts "
    "and then one write per label wins, so a count never passes 1. `.add(1)` accumulates every "
    "update aimed at the same index."
)
_DUP_HINT_BINCOUNT = (
    "jnp.bincount without length= has a data-dependent output size, which jit cannot compile. "
    "Pass length=n, or use jnp.zeros(n, jnp.int32).at[labels].add(1)."
)


_DUP = Exercise(
    id="t03-duplicate-indices-1",
    title="Count labels with a scatter-add",
    hints=("Scatter-add combines all the updates aimed at one index; set keeps only one.",),
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
            OnError(_DUP_HINT_BINCOUNT, (jax.errors.ConcretizationTypeError,)),
            OnError(_DUP_HINT_BINCOUNT, words=("length",)),
        ),
        on_result=(
            OnResult(_DUP_HINT_BINCOUNT, when=lambda got, lab, n: _shape(got) != (n,)),
            OnResult(_DUP_HINT_SET, when=lambda got, lab, n: np.asarray(got).max(initial=0) <= 1),
        ),
    ),
)

# --- masking with jnp.where -----------------------------------------------------------------

_MASK_HINT_BOOL = (
    "x[x > 0] has a length that depends on the values, so jit cannot compile it "
    "(NonConcreteBooleanIndexError). Keep the shape: sum jnp.where(x > 0, x, 0.0) and divide "
    "by the number of positive entries."
)
_MASK_HINT_COUNT = (
    "jnp.where(x > 0, x, 0.0).mean() divides by the size of x, zeros included. Divide the sum "
    "by the number of positive entries: jnp.sum(x > 0)."
)
_MASK_HINT_ZERO = (
    "0 is not strictly positive: with `x >= 0` the zeros count as entries and pull the mean "
    "down. Select with `x > 0`."
)
_MASK_HINT_OTHER = (
    "Sum the positive entries, jnp.sum(jnp.where(x > 0, x, 0.0)), and divide by how many there "
    "are, jnp.maximum(jnp.sum(x > 0), 1)."
)
_MASK_HINT_NAN = (
    "When nothing is positive you divide 0 by 0 and get NaN. Divide by "
    "jnp.maximum(count, 1) so the answer is 0.0."
)


_MASK = Exercise(
    id="t03-masking-where-1",
    title="Mean of the positive entries, under jit",
    hints=("Under jit every shape is fixed: select with jnp.where, don't filter.",),
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
                _MASK_HINT_BOOL,
                (jax.errors.NonConcreteBooleanIndexError, jax.errors.ConcretizationTypeError),
            ),
        ),
        on_result=(
            OnResult(_MASK_HINT_NAN, when=lambda got, x: bool(np.any(np.isnan(np.asarray(got))))),
            OnResult(_MASK_HINT_COUNT, wrong=lambda ref, x: jnp.where(x > 0, x, 0.0).mean()),
            OnResult(
                _MASK_HINT_ZERO,
                wrong=lambda ref, x: (
                    jnp.sum(jnp.where(x >= 0, x, 0.0)) / jnp.maximum(jnp.sum(x >= 0), 1)
                ),
            ),
            OnResult(_MASK_HINT_OTHER, when=lambda got, x: True),
        ),
    ),
)

EXERCISES = (_IDX, _SET, _MIN, _OOB, _DUP, _MASK)
