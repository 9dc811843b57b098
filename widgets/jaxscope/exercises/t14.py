"""Table 14 exercises: dot_general, dynamic_slice, reduce_window, associative_scan, scatter_add."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from . import Exercise, Mistake
from ._support import CheckFailure, all_eqns, attempt, aval, describe, expect_function, same


def _stub(signature: str) -> str:
    return f"def {signature}:\n    ...  # your code here\n    raise NotImplementedError\n"


def _normal(seed: int, shape: tuple[int, ...], dtype=jnp.float32) -> jax.Array:
    return jax.random.normal(jax.random.key(seed), shape, dtype)


def _eqns(fn, *args) -> list[Any]:
    """Every equation in the jaxpr of ``fn(*args)``, sub-jaxprs included."""
    return all_eqns(jax.make_jaxpr(fn)(*args))


def _primitives(fn, *args) -> list[str]:
    """Names of every primitive in the jaxpr of ``fn(*args)``, sub-jaxprs included."""
    return [eqn.primitive.name for eqn in _eqns(fn, *args)]


def _shape_check(want: jax.Array, got: Any, label: str, hint: str) -> None:
    if np.shape(got) != want.shape:
        raise CheckFailure(
            f"{label} has shape {np.shape(got)} instead of {want.shape}",
            hint=hint,
            expected=aval(want),
            yours=describe(got),
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


def _bmm(a, b):
    return jnp.einsum("bnk,bkm->bnm", a, b, precision=lax.Precision.HIGHEST)


def _dot_hint(exc: BaseException) -> str | None:
    if isinstance(exc, TypeError) and "dot_general" in str(exc):
        return _DOT_HINT_AXES
    return None


def _check_batched_matmul(answer: Any) -> None:
    fn = expect_function(answer, "batched_matmul(a, b)")
    for seed, (bsz, n, k, m) in ((1, (2, 3, 4, 5)), (2, (3, 2, 2, 4)), (3, (1, 4, 3, 2))):
        a, b = _normal(seed, (bsz, n, k)), _normal(seed + 10, (bsz, k, m))
        label = f"batched_matmul(a: {aval(a)}, b: {aval(b)})"
        got = attempt(fn, a, b, label=label, hint_for=_dot_hint)
        want = _bmm(a, b)
        if np.ndim(got) == 4:
            raise CheckFailure(
                f"{label} has shape {np.shape(got)}: every batch met every other batch",
                hint=_DOT_HINT_NO_BATCH,
                expected=aval(want),
                yours=describe(got),
            )
        _shape_check(want, got, label, _DOT_HINT_AXES)
        same(want, got, label, _DOT_HINT_AXES, rtol=1e-4)
    jitted = jax.jit(fn)
    a, b = _normal(4, (2, 3, 4)), _normal(5, (2, 4, 5))
    same(_bmm(a, b), attempt(jitted, a, b, label="jax.jit(batched_matmul)"), "jit", rtol=1e-4)
    dots = [e for e in _eqns(fn, a, b) if e.primitive.name == "dot_general"]
    if not dots:
        raise CheckFailure("no dot_general in the jaxpr", hint=_DOT_HINT_AXES)
    if not any(e.params["dimension_numbers"][1] == ((0,), (0,)) for e in dots):
        raise CheckFailure(
            f"the jaxpr holds {len(dots)} dot_general(s) without batch dimensions",
            hint=_DOT_HINT_ONE_BY_ONE,
            expected="one dot_general with batch dimensions ((0,), (0,))",
            yours=", ".join(str(e.params["dimension_numbers"]) for e in dots[:2]),
        )


_DOT = Exercise(
    id="t14-dot-general-1",
    concept="dot-general",
    title="A batched matmul with dot_general",
    prompt=(
        "Write `batched_matmul(a, b)` for `a` of shape `(B, N, K)` and `b` of shape `(B, K, M)` "
        "returning the `(B, N, M)` stack of matrix products, with **`lax.dot_general`** and its "
        "dimension numbers (the same as `jnp.einsum('bnk,bkm->bnm', a, b)`). The check looks for "
        "one batched `dot_general` in the jaxpr, which `jnp.matmul` and `jnp.einsum` also "
        "produce: write the dimension numbers yourself, that is the exercise."
    ),
    difficulty=2,
    answer_name="batched_matmul",
    stub=_stub("batched_matmul(a, b)"),
    reference=(
        "def batched_matmul(a, b):\n"
        "    return jax.lax.dot_general(a, b, (((2,), (1,)), ((0,), (0,))))\n"
    ),
    hints=(
        "dimension_numbers = ((lhs_contracting, rhs_contracting), (lhs_batch, rhs_batch)), each "
        "a tuple of axis numbers.",
    ),
    mistakes=(
        Mistake(
            "no_batch_dims",
            "def batched_matmul(a, b):\n"
            "    return jax.lax.dot_general(a, b, (((2,), (1,)), ((), ())))\n",
            _DOT_HINT_NO_BATCH,
        ),
        Mistake(
            "jnp_dot", "def batched_matmul(a, b):\n    return jnp.dot(a, b)\n", _DOT_HINT_NO_BATCH
        ),
        Mistake(
            "wrong_contracting_axis",
            "def batched_matmul(a, b):\n"
            "    return jax.lax.dot_general(a, b, (((1,), (1,)), ((0,), (0,))))\n",
            _DOT_HINT_AXES,
        ),
        Mistake(
            "one_pair_at_a_time",
            "def batched_matmul(a, b):\n"
            "    return jnp.stack([a[i] @ b[i] for i in range(a.shape[0])])\n",
            _DOT_HINT_ONE_BY_ONE,
        ),
    ),
    alternatives=(
        "def batched_matmul(a, b):\n"
        "    return jax.lax.dot_general(a, b, dimension_numbers=([[2], [1]], [[0], [0]]))\n",
        "def batched_matmul(a, b):\n"
        "    def matmul(x, y):\n"
        "        return jax.lax.dot_general(x, y, (((1,), (0,)), ((), ())))\n"
        "    return jax.vmap(matmul)(a, b)\n",
    ),
    checker=_check_batched_matmul,
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


def _window_ref(x, i):
    return lax.dynamic_slice(x, (i,), (3,))


def _dyn_hint(exc: BaseException) -> str | None:
    if isinstance(exc, IndexError | jax.errors.ConcretizationTypeError | TypeError):
        return _DYN_HINT_SLICE
    return None


def _check_window3(answer: Any) -> None:
    fn = expect_function(answer, "window3(x, i)")
    jitted = jax.jit(fn)
    x = _normal(1, (10,))
    for i in (0, 4, 7, 8, 9):
        label = f"jax.jit(window3)(x: float32[10], {i})"
        got = attempt(jitted, x, jnp.int32(i), label=label, hint_for=_dyn_hint)
        want = _window_ref(x, i)
        _shape_check(want, got, label, _DYN_HINT_SLICE)
        hint = ""
        if i >= 8:
            if np.allclose(got, jnp.roll(x, -i)[:3]):
                hint = _DYN_HINT_ROLL
            elif np.allclose(got, x[jnp.minimum(i + jnp.arange(3), 9)]):
                hint = _DYN_HINT_TAKE
        same(want, got, label + " (a start near the end is clamped)", hint)
    if jitted._cache_size() != 1:
        raise CheckFailure(
            f"jax.jit(window3) compiled {jitted._cache_size()} times for 5 starts",
            hint="the start must stay traced; only the size (3) is static",
        )
    x2 = jnp.arange(20, dtype=jnp.int32)
    got = attempt(jitted, x2, jnp.int32(5), label="window3(int32[20], 5)", hint_for=_dyn_hint)
    same(_window_ref(x2, 5), got, "jax.jit(window3)(x: int32[20], 5)")


_DYN = Exercise(
    id="t14-dynamic-slicing-1",
    concept="dynamic-slicing",
    title="A window at a traced offset",
    prompt=(
        "Write `window3(x, i)` returning the 3 elements of the 1-D `x` starting at index `i`. "
        "The check calls `jax.jit(window3)(x, i)`, so `i` is a traced integer. Near the end "
        "(`i > len(x) - 3`) the window must be moved back so it still holds 3 elements of `x`."
    ),
    difficulty=2,
    answer_name="window3",
    stub=_stub("window3(x, i)"),
    reference="def window3(x, i):\n    return jax.lax.dynamic_slice(x, (i,), (3,))\n",
    hints=(
        "`lax.dynamic_slice(operand, start_indices, slice_sizes)`: starts may be traced, sizes "
        "are static Python ints.",
    ),
    mistakes=(
        Mistake("python_slice", "def window3(x, i):\n    return x[i:i + 3]\n", _DYN_HINT_SLICE),
        Mistake("roll", "def window3(x, i):\n    return jnp.roll(x, -i)[:3]\n", _DYN_HINT_ROLL),
        Mistake(
            "take_indices", "def window3(x, i):\n    return x[i + jnp.arange(3)]\n", _DYN_HINT_TAKE
        ),
    ),
    checker=_check_window3,
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


def _pool_ref(x):
    return lax.reduce_window(x, -jnp.inf, lax.max, (2, 2), (2, 2), "VALID")


def _check_max_pool(answer: Any) -> None:
    fn = expect_function(answer, "max_pool_2x2(x)")
    cases = (_normal(1, (4, 6)), _normal(2, (6, 4)) - 10.0, -jnp.abs(_normal(3, (2, 2))) - 1.0)
    for x in cases:
        label = f"max_pool_2x2(x: {aval(x)})"
        got = attempt(fn, x, label=label)
        want = _pool_ref(x)
        _shape_check(want, got, label, _POOL_HINT_STRIDE)
        hint = ""
        if np.allclose(got, np.maximum(want, 0.0)):
            hint = _POOL_HINT_INIT
        elif np.allclose(got, lax.reduce_window(x, 0.0, lax.add, (2, 2), (2, 2), "VALID")):
            hint = _POOL_HINT_SUM
        same(want, got, label, hint)
    x = _normal(4, (8, 8))
    same(_pool_ref(x), attempt(jax.jit(fn), x, label="jax.jit(max_pool_2x2)"), "jit")
    prims = _primitives(fn, x)
    if not any(p.startswith("reduce_window") for p in prims):
        raise CheckFailure(
            "no reduce_window in the jaxpr of max_pool_2x2",
            hint=_POOL_HINT_NO_WINDOW,
            expected="a reduce_window_max (or reduce_window) primitive",
            yours=f"primitives: {', '.join(sorted(set(prims)))}",
        )


_POOL = Exercise(
    id="t14-reductions-1",
    concept="reductions",
    title="Max pooling with reduce_window",
    prompt=(
        "Write `max_pool_2x2(x)` for a 2-D float `x` of shape `(H, W)` (both even): the maximum "
        "of every non-overlapping 2x2 block, shape `(H // 2, W // 2)`, using "
        "`lax.reduce_window`. The inputs may be all negative."
    ),
    difficulty=2,
    answer_name="max_pool_2x2",
    stub=_stub("max_pool_2x2(x)"),
    reference=(
        "def max_pool_2x2(x):\n"
        "    return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (2, 2), (2, 2), 'VALID')\n"
    ),
    hints=(
        "`reduce_window(x, init, op, window_dimensions, window_strides, padding)`; the init is "
        "the identity of op.",
    ),
    mistakes=(
        Mistake(
            "stride_one",
            "def max_pool_2x2(x):\n"
            "    return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (2, 2), (1, 1), 'VALID')\n",
            _POOL_HINT_STRIDE,
        ),
        Mistake(
            "zero_init",
            "def max_pool_2x2(x):\n"
            "    return jax.lax.reduce_window(x, 0.0, jax.lax.max, (2, 2), (2, 2), 'VALID')\n",
            _POOL_HINT_INIT,
        ),
        Mistake(
            "sum_pool",
            "def max_pool_2x2(x):\n"
            "    return jax.lax.reduce_window(x, 0.0, jax.lax.add, (2, 2), (2, 2), 'VALID')\n",
            _POOL_HINT_SUM,
        ),
        Mistake(
            "reshape_and_max",
            "def max_pool_2x2(x):\n"
            "    h, w = x.shape\n"
            "    return x.reshape(h // 2, 2, w // 2, 2).max(axis=(1, 3))\n",
            _POOL_HINT_NO_WINDOW,
        ),
    ),
    alternatives=(
        "def max_pool_2x2(x):\n"
        "    return jax.lax.reduce_window(\n"
        "        x, -jnp.inf, jax.lax.max, window_dimensions=(2, 2), window_strides=(2, 2),\n"
        "        padding=((0, 0), (0, 0)),\n"
        "    )\n",
    ),
    checker=_check_max_pool,
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
_CLOSED_FORM_PRIMITIVES = {"cumsum", "cumprod", "cumlogsumexp", "cummax", "cummin"}
_SCAN_HINT_CUMSUM = (
    "`cumsum(b)` ignores the decay `a`: h_t = a_t * h_(t-1) + b_t multiplies what came before "
    "by a_t."
)


def _recurrence_ref(a, b):
    def step(h, ab):
        h = ab[0] * h + ab[1]
        return h, h

    return lax.scan(step, jnp.zeros((), a.dtype), (a, b))[1]


def _wrong_order(a, b) -> np.ndarray:
    """The prefixes of the combine written the other way round, (a1 * a2, a1 * b2 + b1)."""
    a, b = np.asarray(a), np.asarray(b)
    acc_a, acc_b, out = a[0], b[0], [b[0]]
    for a2, b2 in zip(a[1:], b[1:], strict=True):
        acc_a, acc_b = acc_a * a2, acc_a * b2 + acc_b
        out.append(acc_b)
    return np.array(out)


def _check_linear_recurrence(answer: Any) -> None:
    fn = expect_function(answer, "linear_recurrence(a, b)")
    for seed, t in ((1, 5), (2, 16), (3, 33)):
        a = jax.random.uniform(jax.random.key(seed), (t,), minval=0.5, maxval=1.0)
        b = _normal(seed + 10, (t,))
        label = f"linear_recurrence(a: float32[{t}], b: float32[{t}])"
        got = attempt(fn, a, b, label=label)
        want = _recurrence_ref(a, b)
        hint = _SCAN_HINT_COMBINE
        for wrong, wrong_hint in (
            (np.cumsum(b), _SCAN_HINT_CUMSUM),
            (np.cumprod(a), _SCAN_HINT_FIRST),
            (_wrong_order(a, b), _SCAN_HINT_ORDER),
        ):
            if np.shape(got) == (t,) and np.allclose(got, wrong, atol=1e-4):
                hint = wrong_hint
                break
        _shape_check(want, got, label, hint)
        same(want, got, label, hint, rtol=1e-4)
    prims = _primitives(fn, a, b)
    if "scan" in prims or "while" in prims:
        raise CheckFailure(
            "the jaxpr of linear_recurrence holds a sequential loop",
            hint=_SCAN_HINT_SEQ,
            expected="no scan or while: a parallel prefix",
            yours=f"primitives: {', '.join(sorted(set(prims)))}",
        )
    closed_form = _CLOSED_FORM_PRIMITIVES & set(prims)
    if closed_form:
        raise CheckFailure(
            f"the jaxpr of linear_recurrence holds {', '.join(sorted(closed_form))}",
            hint=_SCAN_HINT_CLOSED_FORM,
            expected="a parallel prefix built by lax.associative_scan",
            yours=f"primitives: {', '.join(sorted(set(prims)))}",
        )
    # associative_scan adds a few operations per round, about log2(T) rounds; a loop adds
    # some for every step, so its jaxpr grows 8 times from T = 8 to T = 64
    sizes = {}
    for t in (8, 64):
        ones = jnp.ones((t,), jnp.float32)
        sizes[t] = len(_primitives(fn, ones, ones))
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
    concept="associative-scan",
    title="A linear recurrence in parallel",
    prompt=(
        "Write `linear_recurrence(a, b)` for 1-D arrays of length T returning every h_t of "
        "`h_t = a_t * h_(t-1) + b_t` with `h_(-1) = 0`, using **`lax.associative_scan`** on "
        "pairs `(a, b)` (no `scan`, `fori_loop` or Python loop)."
    ),
    difficulty=3,
    answer_name="linear_recurrence",
    stub=_stub("linear_recurrence(a, b)"),
    reference=(
        "def linear_recurrence(a, b):\n"
        "    def combine(left, right):\n"
        "        a1, b1 = left\n"
        "        a2, b2 = right\n"
        "        return a1 * a2, a2 * b1 + b2\n"
        "    return jax.lax.associative_scan(combine, (a, b))[1]\n"
    ),
    hints=(
        "Two steps h -> a1*h + b1 then h -> a2*h + b2 make one step h -> (a1*a2)*h + (a2*b1 + "
        "b2): that is the associative combine.",
    ),
    mistakes=(
        Mistake(
            "wrong_order",
            "def linear_recurrence(a, b):\n"
            "    def combine(left, right):\n"
            "        a1, b1 = left\n"
            "        a2, b2 = right\n"
            "        return a1 * a2, a1 * b2 + b1\n"
            "    return jax.lax.associative_scan(combine, (a, b))[1]\n",
            _SCAN_HINT_ORDER,
        ),
        Mistake(
            "sequential_scan",
            "def linear_recurrence(a, b):\n"
            "    def step(h, ab):\n"
            "        h = ab[0] * h + ab[1]\n"
            "        return h, h\n"
            "    return jax.lax.scan(step, 0.0, (a, b))[1]\n",
            _SCAN_HINT_SEQ,
        ),
        Mistake(
            "plain_cumsum",
            "def linear_recurrence(a, b):\n    return jnp.cumsum(b)\n",
            _SCAN_HINT_CUMSUM,
        ),
        Mistake(
            "python_loop",
            "def linear_recurrence(a, b):\n"
            "    h, out = 0.0, []\n"
            "    for t in range(a.shape[0]):\n"
            "        h = a[t] * h + b[t]\n"
            "        out.append(h)\n"
            "    return jnp.stack(out)\n",
            _SCAN_HINT_LOOP,
        ),
        Mistake(
            "closed_form",
            "def linear_recurrence(a, b):\n"
            "    p = jnp.cumprod(a)\n"
            "    return p * jnp.cumsum(b / p)\n",
            _SCAN_HINT_CLOSED_FORM,
        ),
        Mistake(
            "first_item",
            "def linear_recurrence(a, b):\n"
            "    def combine(left, right):\n"
            "        a1, b1 = left\n"
            "        a2, b2 = right\n"
            "        return a1 * a2, a2 * b1 + b2\n"
            "    return jax.lax.associative_scan(combine, (a, b))[0]\n",
            _SCAN_HINT_FIRST,
        ),
    ),
    alternatives=(
        "def linear_recurrence(a, b):\n"
        "    def combine(left, right):\n"
        "        return left[0] * right[0], right[0] * left[1] + right[1]\n"
        "    _, h = jax.lax.associative_scan(combine, (a, b))\n"
        "    return h\n",
        "def linear_recurrence(a, b):\n"
        "    return jax.jit(\n"
        "        lambda a, b: jax.lax.associative_scan(\n"
        "            lambda p, q: (p[0] * q[0], q[0] * p[1] + q[1]), (a, b)\n"
        "        )[1]\n"
        "    )(a, b)\n",
    ),
    checker=_check_linear_recurrence,
)

# --- scatter_add ----------------------------------------------------------------------------

_HIST_HINT_SET = (
    "`.set(1)` writes 1 once per position, so repeated labels are counted once. Add instead: "
    "`.at[labels].add(1)` (a scatter-add) sums every occurrence."
)
_HIST_HINT_DTYPE = "Counts are integers: start from `jnp.zeros(n, jnp.int32)`."


def _counts_ref(labels, n):
    return jnp.zeros(n, jnp.int32).at[labels].add(1)


def _check_class_counts(answer: Any) -> None:
    fn = expect_function(answer, "class_counts(labels, n)")
    for seed, size, n in ((1, 20, 5), (2, 7, 3), (3, 50, 10)):
        labels = jax.random.randint(jax.random.key(seed), (size,), 0, n)
        label = f"class_counts(labels: int32[{size}], {n})"
        got = attempt(fn, labels, n, label=label)
        want = _counts_ref(labels, n)
        _shape_check(want, got, label, "the result has one count per class: shape (n,)")
        hint = _HIST_HINT_SET if np.array_equal(got, want > 0) else ""
        if not hint and np.asarray(got).dtype != np.int32 and np.allclose(got, want):
            hint = _HIST_HINT_DTYPE
        same(want, got, label, hint)
    labels = jnp.array([2, 2, 2, 0], jnp.int32)
    got = attempt(jax.jit(fn, static_argnums=1), labels, 3, label="jit class_counts")
    same(_counts_ref(labels, 3), got, "jax.jit(class_counts, static_argnums=1)", _HIST_HINT_SET)


_HIST = Exercise(
    id="t14-gather-scatter-1",
    concept="gather-scatter",
    title="Count labels with a scatter-add",
    prompt=(
        "Write `class_counts(labels, n)`: for an int32 array of labels in `[0, n)` return an "
        "int32 array of shape `(n,)` whose entry k counts how often k occurs, with a "
        "scatter-add (`.at[...].add` or `lax.scatter_add`). It must work under "
        "`jax.jit(class_counts, static_argnums=1)`."
    ),
    difficulty=1,
    answer_name="class_counts",
    stub=_stub("class_counts(labels, n)"),
    reference=(
        "def class_counts(labels, n):\n    return jnp.zeros(n, jnp.int32).at[labels].add(1)\n"
    ),
    hints=("Scatter-add sums every update aimed at the same position; scatter (set) keeps one.",),
    mistakes=(
        Mistake(
            "scatter_set",
            "def class_counts(labels, n):\n    return jnp.zeros(n, jnp.int32).at[labels].set(1)\n",
            _HIST_HINT_SET,
        ),
        Mistake(
            "float_counts",
            "def class_counts(labels, n):\n    return jnp.zeros(n).at[labels].add(1)\n",
            _HIST_HINT_DTYPE,
        ),
    ),
    checker=_check_class_counts,
)

EXERCISES = (_DOT, _DYN, _POOL, _ASSOC, _HIST)
