"""Table 2 exercises: creating arrays, transfers, 64-bit mode, promotion, low precision, shapes."""

from __future__ import annotations

import warnings
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import Exercise
from ._support import (
    CheckFailure,
    all_eqns,
    attempt,
    aval,
    describe,
    expect_function,
    message_has,
    normal,
    same,
)


def _quiet(fn, *args: Any, label: str, hint_for=None) -> Any:
    """``attempt`` with JAX's dtype warnings silenced (the check reports the dtype itself)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return attempt(fn, *args, label=label, hint_for=hint_for)


def _expect_jax_array(got: Any, label: str, hint: str, want: Any) -> None:
    if not isinstance(got, jax.Array) or isinstance(got, jax.core.Tracer):
        raise CheckFailure(
            f"{label} returned {type(got).__name__}, not a jax.Array",
            hint=hint,
            expected=describe(want),
            yours=describe(got),
        )


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


def _check_unit_grid(answer: Any) -> None:
    fn = expect_function(answer, "unit_grid(n)")
    for n in (5, 2, 11, 101):
        want = jnp.linspace(0.0, 1.0, n)
        label = f"unit_grid({n})"
        got = attempt(fn, n, label=label)
        _expect_jax_array(got, label, "build it with jax.numpy, not numpy or a list", want)
        shape = getattr(got, "shape", None)
        if shape != (n,):
            raise CheckFailure(
                f"{label} has shape {shape} instead of ({n},)",
                hint=_GRID_HINT_ARANGE,
                expected=describe(want),
                yours=describe(got),
            )
        if not jnp.issubdtype(got.dtype, jnp.floating):
            raise CheckFailure(
                f"{label} has dtype {got.dtype}",
                hint=_GRID_HINT_INT,
                expected=describe(want),
                yours=describe(got),
            )
        hint = _GRID_HINT_STEP if float(got[-1]) != 1.0 else ""
        same(want, got, label, hint)
    jitted = jax.jit(fn, static_argnums=0)
    same(jnp.linspace(0.0, 1.0, 7), attempt(jitted, 7, label="jit"), "jax.jit(unit_grid, 0)(7)")


_GRID = Exercise(
    id="t02-array-creation-1",
    title="Evenly spaced points, both ends included",
    signature="unit_grid(n)",
    reference="def unit_grid(n):\n    return jnp.linspace(0.0, 1.0, n)\n",
    hints=("One constructor takes a start, a stop and a number of points.",),
    checker=_check_unit_grid,
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


def _standardize_reference(batch: np.ndarray) -> jax.Array:
    x = jax.device_put(batch)
    return (x - x.mean()) / x.std()


def _check_standardize(answer: Any) -> None:
    fn = expect_function(answer, "standardize(batch)")
    rng = np.random.default_rng(0)
    for shape in ((8,), (4, 5)):
        batch = rng.normal(3.0, 2.0, size=shape)
        kept = batch.copy()
        want = _standardize_reference(kept.copy())
        label = f"standardize(NumPy float64{list(shape)})"
        got = _quiet(fn, batch, label=label)
        if not np.array_equal(batch, kept):
            raise CheckFailure(f"{label} changed its input batch", hint=_XFER_HINT_INPLACE)
        if isinstance(got, np.ndarray | np.generic):
            hint = _XFER_HINT_NUMPY if got.dtype == np.float64 else _XFER_HINT_GET
            raise CheckFailure(
                f"{label} returned a NumPy array, which lives in host memory",
                hint=hint,
                expected=describe(want),
                yours=describe(got),
            )
        _expect_jax_array(got, label, _XFER_HINT_NUMPY, want)
        same(want, got, label, rtol=1e-4)


_XFER = Exercise(
    id="t02-host-device-transfer-1",
    title="Standardise a NumPy batch on the device",
    signature="standardize(batch)",
    reference=(
        "def standardize(batch):\n"
        "    x = jax.device_put(batch)\n"
        "    return (x - x.mean()) / x.std()\n"
    ),
    hints=("jax.device_put copies host data to the device; jnp operations then run there.",),
    checker=_check_standardize,
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


def _check_precise_sum(answer: Any) -> None:
    fn = expect_function(answer, "precise_sum(values)")
    rng = np.random.default_rng(1)
    values = rng.normal(0.0, 1.0, size=1000) + 1e4
    want = float(np.sum(values))
    before = bool(jax.config.jax_enable_x64)
    try:
        got = _quiet(fn, values, label="precise_sum(values)")
        after = bool(jax.config.jax_enable_x64)
    finally:
        jax.config.update("jax_enable_x64", before)
    if after != before:
        raise CheckFailure(
            "precise_sum left 64-bit mode switched "
            + ("on" if after else "off")
            + " for the whole process",
            hint=_X64_HINT_GLOBAL,
            expected=f"jax_enable_x64 still {before} afterwards",
            yours=f"jax_enable_x64 = {after}",
        )
    if isinstance(got, np.ndarray | np.generic) or not isinstance(got, jax.Array):
        raise CheckFailure(
            f"precise_sum returned {type(got).__name__}, not a jax.Array",
            hint="do the sum with jnp inside the 64-bit block and return its result",
            yours=describe(got),
        )
    if got.dtype != np.float64 or got.shape != ():
        raise CheckFailure(
            f"precise_sum returned {aval(got)} instead of a float64 scalar",
            hint=_X64_HINT_CAST,
            expected=f"float64[] {want:.10g}",
            yours=describe(got),
        )
    if abs(float(got) - want) > 1e-12 * abs(want):
        raise CheckFailure(
            "the sum is not accurate to 64-bit precision",
            hint=_X64_HINT_EARLY,
            expected=f"{want:.12g}",
            yours=f"{float(got):.12g}",
        )


_X64 = Exercise(
    id="t02-default-dtypes-x64-1",
    title="A float64 sum without changing global config",
    signature="precise_sum(values)",
    reference=(
        "def precise_sum(values):\n"
        "    with jax.enable_x64(True):\n"
        "        return jnp.sum(jnp.asarray(values, dtype=jnp.float64))\n"
    ),
    hints=("`jax.enable_x64(True)` is a context manager: 64-bit only inside the `with` block.",),
    checker=_check_precise_sum,
)

# --- type promotion and weak types ----------------------------------------------------------

_PROMO_HINT_STRONG = (
    "A strongly typed float32 operand (jnp.float32(0.5), np.float32, a NumPy array) or a cast "
    "with .astype(jnp.float32) turns a bfloat16 or float16 input into float32. Multiply by a "
    "plain Python float: it is weakly typed and takes the input's dtype."
)


def _check_halve(answer: Any) -> None:
    fn = expect_function(answer, "halve(x)")
    for seed, dtype in enumerate((jnp.float32, jnp.bfloat16, jnp.float16)):
        x = normal(seed, (2, 3), dtype)
        want = x * 0.5
        for name, f in (("halve", fn), ("jax.jit(halve)", jax.jit(fn))):
            label = f"{name}(x: {aval(x)})"
            got = _quiet(f, x, label=label)
            _expect_jax_array(got, label, "use jnp operations", want)
            if got.dtype != want.dtype:
                raise CheckFailure(
                    f"{label} returned dtype {got.dtype}",
                    hint=_PROMO_HINT_STRONG,
                    expected=describe(want),
                    yours=describe(got),
                )
            same(want, got, label, rtol=1e-2)


_PROMO = Exercise(
    id="t02-type-promotion-1",
    title="Scale an array without changing its dtype",
    signature="halve(x)",
    reference="def halve(x):\n    return x * 0.5\n",
    hints=("A Python float is weakly typed: it adapts to the array's dtype.",),
    checker=_check_halve,
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


def _product_dtypes(fn, x: jax.Array) -> set[str]:
    """Names of the dtypes that ``fn(x)`` multiplies in (squares, products, dot products)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            eqns = all_eqns(jax.make_jaxpr(fn)(x))
    except Exception:  # noqa: BLE001 - the calls themselves report errors
        return set()
    return {str(v.aval.dtype) for e in eqns if e.primitive.name in _PRODUCTS for v in e.outvars}


def _lowp_hint(fn, x: jax.Array, got: jax.Array) -> str:
    """The hint for a wrong sum of squares: what went wrong, judged from dtypes."""
    if got.dtype == jnp.float32 and not bool(jnp.all(jnp.isfinite(got))):
        return _LOWP_HINT_LATE_CAST
    products = _product_dtypes(fn, x)
    if "float16" in products:
        return _LOWP_HINT_OVERFLOW
    if "bfloat16" in products or got.dtype == jnp.bfloat16:
        return _LOWP_HINT_BF16
    if got.dtype == jnp.float16:
        return _LOWP_HINT_CAST_BACK
    if got.dtype != jnp.float32:
        return _LOWP_HINT_DTYPE
    return _LOWP_HINT_FORMULA


def _check_sum_of_squares(answer: Any) -> None:
    fn = expect_function(answer, "sum_of_squares(x)")
    cases = [
        jnp.array([300.0, -200.0, 1.5], jnp.float16),
        (normal(4, (64,)) * 100).astype(jnp.float16),
        normal(5, (3, 4)).astype(jnp.float16),
    ]
    for x in cases:
        want = jnp.sum(jnp.square(x.astype(jnp.float32)))
        for name, f in (("sum_of_squares", fn), ("jax.jit(sum_of_squares)", jax.jit(fn))):
            label = f"{name}(x: {aval(x)})"
            got = _quiet(f, x, label=label)
            _expect_jax_array(got, label, "use jnp operations", want)
            if not bool(jnp.all(jnp.isfinite(got))):
                raise CheckFailure(
                    f"{label} overflowed",
                    hint=_lowp_hint(fn, x, got),
                    expected=describe(want),
                    yours=describe(got),
                )
            same(want, got, label, partial(_lowp_hint, fn, x, got), rtol=1e-3)


_LOWP = Exercise(
    id="t02-low-precision-1",
    title="Sum of squares of a float16 array without overflow",
    signature="sum_of_squares(x)",
    reference=(
        "def sum_of_squares(x):\n    x32 = x.astype(jnp.float32)\n    return jnp.sum(x32 * x32)\n"
    ),
    hints=("Do the arithmetic that can overflow in float32, not in float16.",),
    checker=_check_sum_of_squares,
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


def _bcast_hint(exc: BaseException) -> str | None:
    if message_has(exc, "broadcast", "Incompatible shapes"):
        return _BCAST_HINT_ROWWISE
    return None


def _check_pairwise(answer: Any) -> None:
    fn = expect_function(answer, "pairwise_sq_dists(x, y)")
    for n, m, d in ((4, 4, 3), (3, 5, 2), (1, 2, 4)):
        x, y = normal(n, (n, d)), normal(10 + m, (m, d))
        want = jnp.sum((x[:, None, :] - y[None, :, :]) ** 2, axis=-1)
        for name, f in (("pairwise_sq_dists", fn), ("jax.jit(pairwise_sq_dists)", jax.jit(fn))):
            label = f"{name}(x: {aval(x)}, y: {aval(y)})"
            got = attempt(f, x, y, label=label, hint_for=_bcast_hint)
            shape = getattr(got, "shape", None)
            if shape != (n, m):
                hint = _BCAST_HINT_ROWWISE if shape == (n,) else _BCAST_HINT_AXIS
                raise CheckFailure(
                    f"{label} has shape {shape} instead of {(n, m)}",
                    hint=hint,
                    expected=describe(want),
                    yours=describe(got),
                )
            same(want, got, label, rtol=1e-4)


_BCAST = Exercise(
    id="t02-broadcasting-reshaping-1",
    title="Pairwise squared distances by broadcasting",
    signature="pairwise_sq_dists(x, y)",
    reference=(
        "def pairwise_sq_dists(x, y):\n"
        "    diff = x[:, None, :] - y[None, :, :]\n"
        "    return jnp.sum(diff**2, axis=-1)\n"
    ),
    hints=("Shapes (n, 1, d) and (1, m, d) broadcast to (n, m, d).",),
    checker=_check_pairwise,
)

EXERCISES = (_GRID, _XFER, _X64, _PROMO, _LOWP, _BCAST)
