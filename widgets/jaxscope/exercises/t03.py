"""Table 3 exercises: indexing, .at[] updates, out-of-bounds modes, duplicates, masking."""

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
    describe,
    expect_function,
    message_has,
    normal,
    same,
)


def _ints(seed: int, shape: tuple[int, ...], high: int) -> jax.Array:
    return jax.random.randint(jax.random.key(seed), shape, 0, high)


def _both(fn: Any, name: str, *, static_argnums: tuple[int, ...] = ()) -> list[tuple[str, Any]]:
    """The answer eagerly and under jit, each with the name its call is reported under."""
    return [(name, fn), (f"jax.jit({name})", jax.jit(fn, static_argnums=static_argnums))]


# --- basic and advanced indexing ------------------------------------------------------------

_IDX_HINT_PAIRS = (
    "x[rows, cols] pairs the two index arrays element by element (it picks x[rows[k], cols[k]]), "
    "so it needs equal lengths and gives a 1-D result. For every row-column combination, make "
    "the row index a column: x[rows[:, None], cols] (or x[jnp.ix_(rows, cols)])."
)


def _idx_hint(exc: BaseException) -> str | None:
    if message_has(exc, "broadcast", "Incompatible shapes", "shape mismatch"):
        return _IDX_HINT_PAIRS
    return None


def _check_submatrix(answer: Any) -> None:
    fn = expect_function(answer, "submatrix(x, rows, cols)")
    x = normal(0, (5, 6))
    for rows, cols in (([0, 3, 4], [1, 2, 5]), ([4, 1], [0, 2, 3]), ([2], [5, 0])):
        r, c = jnp.array(rows), jnp.array(cols)
        want = x[r][:, c]
        for name, f in _both(fn, "submatrix"):
            label = f"{name}(x: {aval(x)}, rows={rows}, cols={cols})"
            got = attempt(f, x, r, c, label=label, hint_for=_idx_hint)
            shape = getattr(got, "shape", None)
            if shape != want.shape:
                raise CheckFailure(
                    f"{label} has shape {shape} instead of {want.shape}",
                    hint=_IDX_HINT_PAIRS,
                    expected=describe(want),
                    yours=describe(got),
                )
            same(want, got, label)


_IDX = Exercise(
    id="t03-indexing-1",
    title="Pick a submatrix with two index arrays",
    signature="submatrix(x, rows, cols)",
    reference="def submatrix(x, rows, cols):\n    return x[rows[:, None], cols]\n",
    hints=("Integer index arrays broadcast against each other, like operands of `+`.",),
    checker=_check_submatrix,
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


def _zero_diagonal_hint(m: jax.Array, got: Any) -> str:
    """The hint for a wrong result: a known mistake's when the result is that mistake's."""
    n = m.shape[0]
    known = {
        _SET_HINT_DIAG: m - jnp.diag(m),
        _SET_HINT_ROWS: m.at[jnp.arange(n)].set(0.0),
    }
    try:
        yours = np.asarray(got, dtype=np.float32)
    except Exception:  # noqa: BLE001 - not array-like: the general hint
        return _SET_HINT_OTHER
    for hint, value in known.items():
        if yours.shape == value.shape and np.allclose(yours, np.asarray(value)):
            return hint
    return _SET_HINT_OTHER


def _set_hint(exc: BaseException) -> str | None:
    if isinstance(exc, TypeError) and message_has(exc, "immutable", "does not support item"):
        return _SET_HINT_ASSIGN
    return None


def _check_zero_diagonal(answer: Any) -> None:
    fn = expect_function(answer, "zero_diagonal(m)")
    for seed, n in ((1, 4), (2, 1), (3, 6)):
        m = normal(seed, (n, n)) + 2.0
        before = np.asarray(m).copy()
        want = m.at[jnp.arange(n), jnp.arange(n)].set(0.0)
        for name, f in _both(fn, "zero_diagonal"):
            label = f"{name}(m: {aval(m)})"
            got = attempt(f, m, label=label, hint_for=_set_hint)
            yours = np.asarray(got) if isinstance(got, jax.Array | np.ndarray) else None
            if yours is not None and yours.shape == (n, n):
                off = ~np.eye(n, dtype=bool)
                if not np.allclose(yours[off], before[off]) and np.allclose(np.diag(yours), 0):
                    raise CheckFailure(
                        f"{label} changed entries off the diagonal",
                        hint=_zero_diagonal_hint(m, got),
                        expected=describe(want),
                        yours=describe(got),
                    )
            same(want, got, label, partial(_zero_diagonal_hint, m, got))
            if not np.array_equal(before, np.asarray(m)):
                raise CheckFailure(f"{label} changed m", hint=_SET_HINT_ASSIGN)


_SET = Exercise(
    id="t03-at-set-1",
    title="Zero the diagonal with .at[].set",
    signature="zero_diagonal(m)",
    reference=(
        "def zero_diagonal(m):\n    i = jnp.arange(m.shape[0])\n    return m.at[i, i].set(0.0)\n"
    ),
    hints=("`m.at[rows, cols].set(v)` writes v at the pairs (rows[k], cols[k]).",),
    checker=_check_zero_diagonal,
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


def _check_relax(answer: Any) -> None:
    fn = expect_function(answer, "relax(dist, nodes, cand)")
    dist = jnp.array([0.0, 4.0, 4.0, 1.0, 9.0])
    cases = [
        ([1, 3], [2.0, 5.0]),  # one improves, one does not
        ([1, 1], [3.0, 5.0]),  # repeated node, smaller candidate first
        ([2, 2], [5.0, 3.0]),  # repeated node, smaller candidate last
        ([4, 0, 4, 4], [7.0, 1.0, 2.0, 8.0]),
    ]
    for nodes, cand in cases:
        n, c = jnp.array(nodes), jnp.array(cand)
        want = dist.at[n].min(c)
        for name, f in _both(fn, "relax"):
            label = f"{name}(dist={np.asarray(dist).tolist()}, nodes={nodes}, cand={cand})"
            got = attempt(f, dist, n, c, label=label)
            repeated = len(set(nodes)) < len(nodes)
            hint = _MIN_HINT_SET if repeated else _MIN_HINT_PLAIN
            same(want, got, label, hint=hint)


_MIN = Exercise(
    id="t03-at-arithmetic-1",
    title="Relax distances with .at[].min",
    signature="relax(dist, nodes, cand)",
    reference="def relax(dist, nodes, cand):\n    return dist.at[nodes].min(cand)\n",
    hints=("`.at[idx]` has read-modify-write methods: add, multiply, min, max, apply.",),
    checker=_check_relax,
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


def _check_lookup(answer: Any) -> None:
    fn = expect_function(answer, "lookup(table, idx)")
    table = jnp.array([10, 11, 12, 13, 14], dtype=jnp.int32)
    for idx in ([0, 4, 5, 2], [7, 1, 100], [3]):
        i = jnp.array(idx)
        want = table.at[i].get(mode="fill", fill_value=-1)
        for name, f in _both(fn, "lookup"):
            label = f"{name}(table=[10, 11, 12, 13, 14], idx={idx})"
            got = attempt(f, table, i, label=label)
            yours = np.asarray(got) if isinstance(got, jax.Array | np.ndarray) else None
            hint = ""
            if yours is not None and yours.shape == want.shape:
                beyond = np.asarray(i) >= table.shape[0]
                if np.all(yours[beyond] == 14):
                    hint = _OOB_HINT_CLAMP
                elif np.all(yours[beyond] == np.iinfo(np.int32).min):
                    hint = _OOB_HINT_NO_FILL
            same(want, got, label, hint=hint)


_OOB = Exercise(
    id="t03-out-of-bounds-1",
    title="Look up with a fill value for missing entries",
    signature="lookup(table, idx)",
    reference=(
        'def lookup(table, idx):\n    return table.at[idx].get(mode="fill", fill_value=-1)\n'
    ),
    hints=("Out-of-bounds reads clamp unless you choose another mode= in .at[idx].get().",),
    checker=_check_lookup,
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


def _dup_hint(exc: BaseException) -> str | None:
    if isinstance(exc, jax.errors.ConcretizationTypeError) or message_has(exc, "length"):
        return _DUP_HINT_BINCOUNT
    return None


def _check_count_labels(answer: Any) -> None:
    fn = expect_function(answer, "count_labels(labels, n)")
    cases = [([0, 2, 2, 1, 2], 4), ([3, 3, 3], 5)]
    cases += [(np.asarray(_ints(s, (40,), 6)).tolist(), 6) for s in (1, 2)]
    for labels, n in cases:
        lab = jnp.array(labels, dtype=jnp.int32)
        want = jnp.zeros(n, jnp.int32).at[lab].add(1)
        for name, f in _both(fn, "count_labels", static_argnums=(1,)):
            label = f"{name}(labels={labels if len(labels) < 8 else aval(lab)}, n={n})"
            got = attempt(f, lab, n, label=label, hint_for=_dup_hint)
            yours = np.asarray(got) if isinstance(got, jax.Array | np.ndarray) else None
            hint = ""
            if yours is not None and yours.shape != want.shape:
                hint = _DUP_HINT_BINCOUNT
            elif yours is not None and yours.max(initial=0) <= 1:
                hint = _DUP_HINT_SET
            same(want, got, label, hint=hint)


_DUP = Exercise(
    id="t03-duplicate-indices-1",
    title="Count labels with a scatter-add",
    signature="count_labels(labels, n)",
    reference=(
        "def count_labels(labels, n):\n    return jnp.zeros(n, jnp.int32).at[labels].add(1)\n"
    ),
    hints=("Scatter-add combines all the updates aimed at one index; set keeps only one.",),
    checker=_check_count_labels,
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


def _mask_hint(exc: BaseException) -> str | None:
    if isinstance(
        exc, jax.errors.NonConcreteBooleanIndexError | jax.errors.ConcretizationTypeError
    ):
        return _MASK_HINT_BOOL
    return None


def _mean_positive(x: jax.Array) -> jax.Array:
    mask = x > 0
    return jnp.sum(jnp.where(mask, x, 0.0)) / jnp.maximum(jnp.sum(mask), 1)


def _mean_positive_hint(x: jax.Array, got: Any) -> str:
    """The hint for a wrong mean: a known mistake's when the result is that mistake's."""
    known = {
        _MASK_HINT_COUNT: jnp.where(x > 0, x, 0.0).mean(),
        _MASK_HINT_ZERO: jnp.sum(jnp.where(x >= 0, x, 0.0)) / jnp.maximum(jnp.sum(x >= 0), 1),
    }
    try:
        yours = np.asarray(got, dtype=np.float32)
    except Exception:  # noqa: BLE001 - not array-like: the general hint
        return _MASK_HINT_OTHER
    for hint, value in known.items():
        if yours.shape == () and np.allclose(yours, np.asarray(value)):
            return hint
    return _MASK_HINT_OTHER


def _check_mean_positive(answer: Any) -> None:
    fn = expect_function(answer, "mean_positive(x)")
    jitted = jax.jit(fn)
    cases = [
        normal(1, (6,)),
        jnp.array([-1.0, 2.0, 4.0, -3.0]),
        normal(2, (3, 4)),
        jnp.array([-1.0, -2.0, 0.0]),
        jnp.array([0.0, -1.0, 3.0]),
    ]
    for x in cases:
        want = _mean_positive(x)
        label = f"jax.jit(mean_positive)(x: {aval(x)} {describe(x).split(' ', 2)[-1]})"
        got = attempt(jitted, x, label=label, hint_for=_mask_hint)
        if isinstance(got, jax.Array) and bool(jnp.any(jnp.isnan(got))):
            raise CheckFailure(
                f"{label} returned NaN", hint=_MASK_HINT_NAN, expected=describe(want)
            )
        same(want, got, label, partial(_mean_positive_hint, x, got))


_MASK = Exercise(
    id="t03-masking-where-1",
    title="Mean of the positive entries, under jit",
    signature="mean_positive(x)",
    reference=(
        "def mean_positive(x):\n"
        "    mask = x > 0\n"
        "    total = jnp.sum(jnp.where(mask, x, 0.0))\n"
        "    return total / jnp.maximum(jnp.sum(mask), 1)\n"
    ),
    hints=("Under jit every shape is fixed: select with jnp.where, don't filter.",),
    checker=_check_mean_positive,
)

EXERCISES = (_IDX, _SET, _MIN, _OOB, _DUP, _MASK)
