"""Table 2 exercises: creating arrays, transfers, 64-bit mode, promotion, low precision, shapes."""

from __future__ import annotations

import functools
import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import Exercise
from ._support import CheckFailure, OnError, OnResult, Spec, all_eqns, normal


def _contained(fn: Any) -> Any:
    """``fn`` with JAX's dtype warnings silenced (the check reports the dtype itself) and the
    64-bit mode it found restored afterwards."""

    @functools.wraps(fn)
    def run(*args: Any) -> Any:
        x64 = bool(jax.config.jax_enable_x64)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return fn(*args)
        finally:
            jax.config.update("jax_enable_x64", x64)

    return run


def _shape(value: Any) -> Any:
    return getattr(value, "shape", None)


def _not_jax(got: Any, *args: Any) -> bool:
    return not isinstance(got, jax.Array)


# --- creating arrays ------------------------------------------------------------------------

_GRID_HINT_ARANGE = (
    "jnp.arange(start, stop, step) stops *before* stop, so 1.0 is missing (and float steps "
    "round unpredictably). jnp.linspace(0.0, 1.0, n) gives exactly n points, both ends included."
)
_GRID_HINT_STEP = (
    "n points from 0 to 1 inclusive are n - 1 steps apart: the spacing is 1 / (n - 1), not "
    "1 / n. jnp.linspace(0.0, 1.0, n) does the arithmetic for you."
)
_GRID_HINT_INT = (
    "The values must be float32: jnp.arange(n) is int32, and integer division rounds. "
    "Use jnp.linspace(0.0, 1.0, n)."
)


_GRID = Exercise(
    id="t02-array-creation-1",
    title="Evenly spaced points, both ends included",
    hints=("One constructor takes a start, a stop and a number of points.",),
    spec=Spec(
        cases=lambda: [(5,), (2,), (11,), (101,)],
        jit={"static_argnums": 0},
        on_result=(
            OnResult("build it with jax.numpy, not numpy or a list", when=_not_jax),
            OnResult(_GRID_HINT_ARANGE, when=lambda got, n: got.shape != (n,)),
            OnResult(
                _GRID_HINT_INT, when=lambda got, n: not jnp.issubdtype(got.dtype, jnp.floating)
            ),
            OnResult(_GRID_HINT_STEP, when=lambda got, n: float(got[-1]) != 1.0),
        ),
        arrays=True,
    ),
)

# --- host and device transfers --------------------------------------------------------------

_XFER_HINT_NUMPY = (
    "That ran in NumPy on the host and returned a float64 NumPy array. Move the batch to the "
    "device once (jax.device_put(batch) or jnp.asarray(batch)) and compute with jnp."
)
_XFER_HINT_GET = (
    "jax.device_get (like np.asarray) copies the result back to host memory. Return the "
    "jax.Array: the next step of the pipeline runs on the device, so keep the data there."
)
_XFER_HINT_INPLACE = (
    "`batch -= ...` changed the caller's NumPy array in place. Copy it to the device first and "
    "build new arrays from there."
)


_XFER = Exercise(
    id="t02-host-device-transfer-1",
    title="Standardise a NumPy batch on the device",
    hints=("jax.device_put copies host data to the device; jnp operations then run there.",),
    spec=Spec(
        cases=lambda: [
            (np.random.default_rng(0).normal(3.0, 2.0, size=shape),) for shape in ((8,), (4, 5))
        ],
        wrap=_contained,
        on_result=(
            OnResult(
                _XFER_HINT_NUMPY,
                when=lambda got, b: (
                    isinstance(got, np.ndarray | np.generic) and got.dtype == np.float64
                ),
            ),
            OnResult(_XFER_HINT_GET, when=lambda got, b: isinstance(got, np.ndarray | np.generic)),
            OnResult(_XFER_HINT_NUMPY, when=_not_jax),
        ),
        rtol=1e-4,
        mutated_hint=_XFER_HINT_INPLACE,
        arrays=True,
    ),
)

# --- default dtypes and 64-bit mode ---------------------------------------------------------

_X64_HINT_CAST = (
    "With 64-bit mode off, JAX quietly turns float64 requests into float32 (it only warns). "
    "Turn it on for this computation only: `with jax.enable_x64(True): ...`."
)
_X64_HINT_EARLY = "convert the NumPy values inside the 64-bit block, so they are never float32"
_X64_HINT_GLOBAL = (
    "jax.config.update('jax_enable_x64', True) switches 64-bit mode on for the whole process "
    "and leaves it on. Use the scoped `with jax.enable_x64(True):` so it ends with your function."
)


def _keeps_x64_mode(fn: Any, ref: Any) -> None:
    before = bool(jax.config.jax_enable_x64)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn.__wrapped__(np.ones(3))
        after = bool(jax.config.jax_enable_x64)
    finally:
        jax.config.update("jax_enable_x64", before)
    if after != before:
        raise CheckFailure(
            f"precise_sum left 64-bit mode switched {'on' if after else 'off'} for the whole "
            "process",
            hint=_X64_HINT_GLOBAL,
            expected=f"jax_enable_x64 still {before} afterwards",
            yours=f"jax_enable_x64 = {after}",
        )


_X64 = Exercise(
    id="t02-default-dtypes-x64-1",
    title="A float64 sum without changing global config",
    hints=("`jax.enable_x64(True)` is a context manager: 64-bit only inside the `with` block.",),
    spec=Spec(
        cases=lambda: [(np.random.default_rng(1).normal(0.0, 1.0, size=1000) + 1e4,)],
        wrap=_contained,
        on_result=(
            OnResult(
                "do the sum with jnp inside the 64-bit block and return its result", when=_not_jax
            ),
            OnResult(
                _X64_HINT_CAST, when=lambda got, v: got.dtype != np.float64 or got.shape != ()
            ),
            OnResult(_X64_HINT_EARLY, when=lambda got, v: True),
        ),
        rtol=1e-12,
        arrays=True,
        extra=_keeps_x64_mode,
    ),
)

# --- type promotion and weak types ----------------------------------------------------------

_PROMO_HINT_STRONG = (
    "A strongly typed float32 operand (jnp.float32(0.5), np.float32, a NumPy array) or a cast "
    "with .astype(jnp.float32) turns a bfloat16 or float16 input into float32. Multiply by a "
    "plain Python float: it is weakly typed and takes the input's dtype."
)


_PROMO = Exercise(
    id="t02-type-promotion-1",
    title="Scale an array without changing its dtype",
    hints=("A Python float is weakly typed: it adapts to the array's dtype.",),
    spec=Spec(
        cases=lambda: [
            (normal(seed, (2, 3), dtype),)
            for seed, dtype in enumerate((jnp.float32, jnp.bfloat16, jnp.float16))
        ],
        jit={},
        wrap=_contained,
        on_result=(
            OnResult("use jnp operations", when=_not_jax),
            OnResult(_PROMO_HINT_STRONG, when=lambda got, x: got.dtype != x.dtype),
        ),
        rtol=1e-2,
        arrays=True,
    ),
)

# --- bfloat16 and float16 -------------------------------------------------------------------

_LOWP_HINT_OVERFLOW = (
    "float16 tops out at 65504, so squaring values in the hundreds gives inf. Cast to float32 "
    "*before* squaring and summing: x.astype(jnp.float32)."
)
_LOWP_HINT_LATE_CAST = (
    "Casting the result is too late: the squares (or their sum) already overflowed to inf in "
    "float16. Cast the input to float32 first, then square and sum."
)


_LOWP_HINT_BF16 = (
    "bfloat16 has float32's range, so nothing overflows, but only about 3 significant digits: "
    "the sum comes out inaccurate. Square and sum in float32: x.astype(jnp.float32)."
)
_LOWP_HINT_CAST_BACK = (
    "You squared and summed in float32, then turned the result back into float16, which "
    "overflows to inf above 65504. Return the float32 sum as it is."
)
_LOWP_HINT_DTYPE = "Return a float32 scalar: compute in float32 and don't cast the result."
_LOWP_HINT_FORMULA = (
    "Return one float32 number, the sum of the squares: square every entry, then add all the "
    "squares up: jnp.sum(x32 * x32)."
)
_PRODUCTS = {"integer_pow", "mul", "square", "pow", "dot_general"}


def _product_dtypes(fn) -> set[str]:
    """Names of the dtypes that ``fn`` multiplies a float16 input in (squares, products...)."""
    x = jnp.ones(3, jnp.float16)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            eqns = all_eqns(jax.make_jaxpr(fn)(x))
    except Exception:  # noqa: BLE001 - the calls themselves report errors
        return set()
    return {str(v.aval.dtype) for e in eqns if e.primitive.name in _PRODUCTS for v in e.outvars}


_LOWP = Exercise(
    id="t02-low-precision-1",
    title="Sum of squares of a float16 array without overflow",
    hints=("Do the arithmetic that can overflow in float32, not in float16.",),
    spec=Spec(
        cases=lambda: [
            (jnp.array([300.0, -200.0, 1.5], jnp.float16),),
            ((normal(4, (64,)) * 100).astype(jnp.float16),),
            (normal(5, (3, 4)).astype(jnp.float16),),
        ],
        jit={},
        wrap=_contained,
        # what went wrong, judged from dtypes: of the result, of the products the answer computes
        on_result=(
            OnResult("use jnp operations", when=_not_jax),
            OnResult(
                _LOWP_HINT_LATE_CAST,
                when=lambda got, x: (
                    got.dtype == jnp.float32 and not bool(jnp.all(jnp.isfinite(got)))
                ),
            ),
            OnResult(
                _LOWP_HINT_OVERFLOW,
                when=lambda *a: True,
                answer=lambda fn: "float16" in _product_dtypes(fn),
            ),
            OnResult(
                _LOWP_HINT_BF16,
                when=lambda *a: True,
                answer=lambda fn: "bfloat16" in _product_dtypes(fn),
            ),
            OnResult(_LOWP_HINT_BF16, when=lambda got, x: got.dtype == jnp.bfloat16),
            OnResult(_LOWP_HINT_CAST_BACK, when=lambda got, x: got.dtype == jnp.float16),
            OnResult(_LOWP_HINT_DTYPE, when=lambda got, x: got.dtype != jnp.float32),
            OnResult(_LOWP_HINT_FORMULA, when=lambda *a: True),
        ),
        rtol=1e-3,
        arrays=True,
    ),
)

# --- broadcasting and reshaping -------------------------------------------------------------

_BCAST_HINT_ROWWISE = (
    "x - y subtracts row i of y from row i of x (it only works when both have n rows) and "
    "gives n numbers, not an (n, m) table. Insert axes so the shapes broadcast to (n, m, d): "
    "x[:, None, :] - y[None, :, :]."
)
_BCAST_HINT_AXIS = (
    "Sum over the feature axis (the last one, d) after broadcasting to (n, m, d), so that the "
    "(n, m) pairs remain: jnp.sum(diff ** 2, axis=-1)."
)


_BCAST = Exercise(
    id="t02-broadcasting-reshaping-1",
    title="Pairwise squared distances by broadcasting",
    hints=("Shapes (n, 1, d) and (1, m, d) broadcast to (n, m, d).",),
    spec=Spec(
        cases=lambda: [
            (normal(n, (n, d)), normal(10 + m, (m, d)))
            for n, m, d in ((4, 4, 3), (3, 5, 2), (1, 2, 4))
        ],
        jit={},
        on_error=(OnError(_BCAST_HINT_ROWWISE, words=("broadcast", "Incompatible shapes")),),
        on_result=(
            OnResult(_BCAST_HINT_ROWWISE, when=lambda got, x, y: _shape(got) == (len(x),)),
            OnResult(_BCAST_HINT_AXIS, when=lambda got, x, y: _shape(got) != (len(x), len(y))),
        ),
        rtol=1e-4,
    ),
)

EXERCISES = (_GRID, _XFER, _X64, _PROMO, _LOWP, _BCAST)
