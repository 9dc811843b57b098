"""Table 20 exercises: host callbacks, export round trips, Pallas kernels and least squares."""

from __future__ import annotations

import re
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import Exercise
from ._support import (
    CheckFailure,
    attempt,
    describe,
    expect_function,
    message_has,
    normal,
    primitive_names,
    same,
)


class _VmapMethodMissing(Exception):
    """pure_callback under vmap without vmap_method (JAX raises NotImplementedError, which the
    checks would otherwise read as 'not attempted')."""


def _vmap_guard(fn: Any) -> Any:
    def call(*args: Any) -> Any:
        try:
            return fn(*args)
        except NotImplementedError as exc:
            if "vmap_method" in str(exc):
                raise _VmapMethodMissing(str(exc)) from None
            raise

    return call


def _primitives(jaxpr: Any) -> set[str]:
    return set(primitive_names(jaxpr))


# --- pure_callback --------------------------------------------------------------------------

_PC_HINT_NO_SHAPE = (
    "pure_callback(callback, result_shape_dtypes, *args): the second argument says what the "
    "callback returns, e.g. jax.ShapeDtypeStruct(x.shape, x.dtype); the arrays come after it."
)
_PC_HINT_DIRECT = (
    "Under jit x is a tracer with no numbers, so NumPy cannot run on it directly: hand NumPy "
    "the real values on the host with jax.pure_callback."
)
_PC_HINT_VMAP = (
    "pure_callback does not know how to batch your host function: say so with vmap_method=, "
    "e.g. vmap_method='sequential' (one host call per batch element)."
)
_PC_HINT_EXPAND = (
    "vmap_method='expand_dims' / 'broadcast_all' hand the callback the whole batch at once, and "
    "np.maximum.accumulate then runs down the batch axis (axis 0), not along each row: use "
    "vmap_method='sequential'."
)


def _pc_hint(exc: BaseException) -> str | None:
    if isinstance(exc, _VmapMethodMissing):
        return _PC_HINT_VMAP
    if isinstance(exc, jax.errors.TracerArrayConversionError):
        return _PC_HINT_DIRECT
    if message_has(exc, "CpuCallback", "Callback", "callback"):
        return _PC_HINT_NO_SHAPE
    return None


def _check_running_max(answer: Any) -> None:
    fn = expect_function(answer, "running_max(x)")
    x = normal(1, (6,))
    label = "jax.jit(running_max)(x of shape (6,))"
    out = attempt(_vmap_guard(jax.jit(fn)), x, label=label, hint_for=_pc_hint)
    same(jax.lax.cummax(x), out, label)
    if "pure_callback" not in _primitives(jax.make_jaxpr(fn)(x).jaxpr):
        raise CheckFailure(
            "running_max does not call back to the host",
            hint="wrap NumPy's np.maximum.accumulate in jax.pure_callback",
            expected="a pure_callback in the jaxpr",
            yours="no pure_callback",
        )
    xs = normal(2, (3, 5))
    label = "jax.jit(jax.vmap(running_max))(xs of shape (3, 5))"
    out = attempt(_vmap_guard(jax.jit(jax.vmap(fn))), xs, label=label, hint_for=_pc_hint)
    same(jax.lax.cummax(xs, axis=1), out, label, _PC_HINT_EXPAND)


_PC = Exercise(
    id="t20-pure-callback-1",
    title="Call NumPy from jit and vmap",
    signature="running_max(x)",
    reference=(
        "def running_max(x):\n"
        "    out = jax.ShapeDtypeStruct(x.shape, x.dtype)\n"
        "    return jax.pure_callback(\n"
        '        np.maximum.accumulate, out, x, vmap_method="sequential"\n'
        "    )\n"
    ),
    hints=(
        "jax.pure_callback(host_fn, jax.ShapeDtypeStruct(shape, dtype), *args, vmap_method=...)",
    ),
    checker=_check_running_max,
)

# --- io_callback ----------------------------------------------------------------------------

_IO_HINT_APPEND = (
    "log.append inside a jitted function runs once, while JAX traces, and stores a tracer. To "
    "act on every call, hand the value to the host: io_callback(record, None, x.sum(), "
    "ordered=True)."
)
_IO_HINT_RESULT = (
    "The logging function returns nothing, so io_callback's result_shape_dtypes is None; a "
    "ShapeDtypeStruct there promises an output the callback never gives."
)


_IO_HINT_USE = (
    "Nothing reached the host: call `io_callback(record, None, x.sum(), ordered=True)` inside "
    "f, where record appends its argument to log."
)
_IO_HINT_COPY = (
    "Your callback ran, but the list you were given stayed empty: append to `log` itself (the "
    "list passed to make_logged_double), not to a copy or a new list."
)
_IO_HINT_ONE_NUMBER = (
    "Log one number per call, the sum of the input: `float(x.sum())` (not the array, nor its "
    "elements one by one)."
)
_IO_HINT_INPUT_SUM = "Log the sum of the input x, `float(x.sum())`: not of the output, nor x * 2."
_IO_HINT_ORDER = (
    "The sums arrived out of order: pass `ordered=True` to io_callback so the host calls keep "
    "the order of the calls."
)
_IO_HINT_DEBUG = (
    "jax.debug.callback is meant for debugging: under transformations JAX may drop, duplicate "
    "or reorder it. For a side effect that must happen once per call, in order, use "
    "`jax.experimental.io_callback(..., ordered=True)`."
)


def _io_hint(exc: BaseException) -> str | None:
    if message_has(exc, "number of outputs", "Mismatched"):
        return _IO_HINT_RESULT
    return None


def _traced_primitives(fn: Any, x: jax.Array) -> set[str]:
    """The primitives in ``fn``'s jaxpr (none when tracing it fails)."""
    try:
        return _primitives(jax.make_jaxpr(fn)(x).jaxpr)
    except Exception:  # noqa: BLE001 - the learner's code may raise anything
        return set()


def _io_log_hint(log: list, sums: list[float], called_back: bool) -> str:
    """The hint for a log that does not hold the three input sums in call order."""
    if any(isinstance(v, jax.core.Tracer) for v in log) or 0 < len(log) < len(sums):
        return _IO_HINT_APPEND
    if not log:
        return _IO_HINT_COPY if called_back else _IO_HINT_USE
    try:
        values = [float(v) for v in log]
    except (TypeError, ValueError):
        return _IO_HINT_ONE_NUMBER
    if len(values) != len(sums):
        return _IO_HINT_ONE_NUMBER
    if np.allclose(sorted(values), sorted(sums), rtol=1e-5):
        return _IO_HINT_ORDER
    return _IO_HINT_INPUT_SUM


def _check_logged_double(answer: Any) -> None:
    factory = expect_function(answer, "make_logged_double(log)")
    log: list = []
    fn = attempt(factory, log, label="make_logged_double(log)")
    fn = expect_function(
        fn, "f(x), the function make_logged_double(log) returns", "make_logged_double(log)"
    )
    jitted = jax.jit(fn)
    xs = [normal(seed, (4,)) for seed in (3, 4, 5)]
    for i, x in enumerate(xs):
        label = f"call {i + 1} of jax.jit(make_logged_double(log))(x)"
        out = attempt(jitted, x, label=label, hint_for=_io_hint)
        same(2 * x, out, label)
    jax.effects_barrier()
    sums = [float(jnp.sum(x)) for x in xs]
    ok = len(log) == len(sums)
    if ok:
        try:
            ok = np.allclose(np.asarray(log, dtype=np.float64).ravel(), sums, rtol=1e-5)
        except (TypeError, ValueError):
            ok = False
    if not ok:
        seen = list(log)  # the log as it stands: looking for primitives traces f once more
        called_back = "io_callback" in _traced_primitives(fn, xs[0])
        raise CheckFailure(
            "after three jitted calls, log does not hold the three sums in order",
            hint=_io_log_hint(seen, sums, called_back),
            expected=describe(np.asarray(sums, np.float32)),
            yours=describe(seen),
        )
    prims = _traced_primitives(fn, xs[0])
    if "io_callback" not in prims:
        used = "debug_callback" if "debug_callback" in prims else "no io_callback"
        raise CheckFailure(
            "f logs without jax.experimental.io_callback",
            hint=_IO_HINT_DEBUG if used == "debug_callback" else _IO_HINT_USE,
            expected="an io_callback in the jaxpr",
            yours=used,
        )


_IO = Exercise(
    id="t20-io-callback-1",
    title="Log from compiled code",
    signature="make_logged_double(log)",
    reference=(
        "from jax.experimental import io_callback\n\n"
        "def make_logged_double(log):\n"
        "    def record(total):\n"
        "        log.append(float(total))\n\n"
        "    def f(x):\n"
        "        io_callback(record, None, x.sum(), ordered=True)\n"
        "        return 2 * x\n\n"
        "    return f\n"
    ),
    hints=(
        "io_callback(host_fn, result_shape_dtypes, *args, ordered=True) runs host_fn with "
        "real values each time the compiled code runs; host_fn returns None here.",
    ),
    checker=_check_logged_double,
)

# --- jax.export -----------------------------------------------------------------------------

_EXPORT_HINT_FIXED = (
    "An export made for float32[3] only accepts length 3. Make the length symbolic: "
    "(n,) = export.symbolic_shape('n'), then export for jax.ShapeDtypeStruct((n,), jnp.float32)."
)
_EXPORT_HINT_OBJECT = (
    "export.export(...)(...) gives an Exported object; its .serialize() gives the bytes you "
    "can store or send."
)


_EXPORT_HINT_JIT = (
    "export.export takes a jitted function: wrap fn first, export.export(jax.jit(fn))(spec)."
)


def _export_hint(exc: BaseException) -> str | None:
    if message_has(exc, "Shape mismatch", "expected same constant"):
        return _EXPORT_HINT_FIXED
    if message_has(exc, "must be the result of `jit`"):
        return _EXPORT_HINT_JIT
    return None


def _check_to_bytes(answer: Any) -> None:
    from jax import export

    fn = expect_function(answer, "to_bytes(fn)")
    for name, target in (
        ("lambda x: jnp.sin(x) * 2", lambda x: jnp.sin(x) * 2),
        ("lambda x: x - x.mean()", lambda x: x - x.mean()),
    ):
        try:
            blob = attempt(fn, target, label=f"to_bytes({name})", hint_for=_export_hint)
        except CheckFailure as failure:  # the error names the function by its memory address
            failure.message = re.sub(r" at 0x[0-9a-fA-F]+", "", failure.message)
            raise
        if not isinstance(blob, bytes | bytearray):
            raise CheckFailure(
                f"to_bytes({name}) returned {type(blob).__name__}, not bytes",
                hint=_EXPORT_HINT_OBJECT,
                expected="bytes (or a bytearray)",
                yours=f"{type(blob).__name__} {describe(blob)}"[:120],
            )
        try:
            restored = export.deserialize(blob)
        except Exception as exc:  # noqa: BLE001 - any bytes may come back
            raise CheckFailure(
                f"jax.export.deserialize could not read the bytes: {type(exc).__name__}",
                hint=_EXPORT_HINT_OBJECT,
            ) from None
        for seed, length in ((6, 3), (7, 7)):
            x = normal(seed, (length,))
            label = f"deserialize(to_bytes({name})).call(x of shape ({length},))"
            out = attempt(restored.call, x, label=label, hint_for=_export_hint)
            same(target(x), out, label)


_EXPORT = Exercise(
    id="t20-export-1",
    title="Ship a function as bytes",
    signature="to_bytes(fn)",
    reference=(
        "from jax import export\n\n"
        "def to_bytes(fn):\n"
        '    (n,) = export.symbolic_shape("n")\n'
        "    spec = jax.ShapeDtypeStruct((n,), jnp.float32)\n"
        "    return export.export(jax.jit(fn))(spec).serialize()\n"
    ),
    hints=(
        "export.export(jax.jit(fn))(shape_spec).serialize(); a symbolic dimension from "
        "export.symbolic_shape lets one export serve every length.",
    ),
    checker=_check_to_bytes,
)

# --- Pallas ---------------------------------------------------------------------------------

_PALLAS_HINT_REBIND = (
    "`o_ref = ...` only rebinds the local name; the output buffer is never written. Write "
    "into it: o_ref[...] = 2 * x_ref[...] + y_ref[...]."
)
_PALLAS_HINT_RETURN = (
    "A Pallas kernel returns nothing: it writes its result into the output ref, o_ref[...] = ...."
)
_PALLAS_HINT_REF_MATH = (
    "Refs are memory, not values: read them first with x_ref[...] (all of it) before doing "
    "arithmetic."
)


_PALLAS_HINT_UNWRITTEN = (
    "The output ref was not (fully) written, so it still holds garbage (here NaN): assign the "
    "result to o_ref[...]. Writing into an input ref does not reach the output."
)


def _rebinds_output(kernel: Any) -> bool:
    """True when the kernel assigns to its third parameter's name (``o_ref = ...``)."""
    import dis

    code = getattr(kernel, "__code__", None)
    if code is None or code.co_argcount < 3:
        return False
    name = code.co_varnames[2]
    return any(
        ins.opname in ("STORE_FAST", "STORE_DEREF") and ins.argval == name
        for ins in dis.get_instructions(code)
    )


def _pallas_hint(exc: BaseException) -> str | None:
    if message_has(exc, "should return None"):
        return _PALLAS_HINT_RETURN
    if message_has(exc, "Ref"):
        return _PALLAS_HINT_REF_MATH
    return None


def _check_axpy_kernel(answer: Any) -> None:
    from jax.experimental import pallas as pl

    kernel = expect_function(answer, "axpy_kernel(x_ref, y_ref, o_ref)")
    for seed, n in ((8, 8), (9, 16)):
        x, y = normal(seed, (n,)), normal(seed + 10, (n,))
        call = pl.pallas_call(
            kernel, out_shape=jax.ShapeDtypeStruct((n,), jnp.float32), interpret=True
        )
        label = f"pallas_call(axpy_kernel, interpret=True)(x, y) with length {n}"
        out = attempt(call, x, y, label=label, hint_for=_pallas_hint)
        hint = ""
        if np.isnan(np.asarray(out)).any():
            hint = _PALLAS_HINT_REBIND if _rebinds_output(kernel) else _PALLAS_HINT_UNWRITTEN
        same(2 * x + y, out, label, hint)


_PALLAS = Exercise(
    id="t20-pallas-1",
    title="A first Pallas kernel",
    signature="axpy_kernel(x_ref, y_ref, o_ref)",
    reference=(
        "def axpy_kernel(x_ref, y_ref, o_ref):\n    o_ref[...] = 2 * x_ref[...] + y_ref[...]\n"
    ),
    hints=("Read a ref with ref[...] and write one with ref[...] = value.",),
    checker=_check_axpy_kernel,
)

# --- least squares --------------------------------------------------------------------------

_LSQ_HINT_TUPLE = (
    "jnp.linalg.lstsq returns four things (solution, residuals, rank, singular values): take "
    "the first, jnp.linalg.lstsq(A, y)[0]."
)
_LSQ_HINT_SOLVE = (
    "solve needs a square system, and this one has more equations than unknowns: use "
    "jnp.linalg.lstsq(A, y)[0], or solve the normal equations A.T @ A w = A.T @ y."
)
_LSQ_HINT_ORDER = "Return [slope, intercept]: the column of t first, the column of ones second."


def _lsq_hint(exc: BaseException) -> str | None:
    if message_has(exc, "core dimension", "square"):
        return _LSQ_HINT_SOLVE
    return None


def _check_fit_line(answer: Any) -> None:
    fn = expect_function(answer, "fit_line(t, y)")
    for seed, n in ((11, 20), (12, 9)):
        t = jnp.linspace(-1.0, 2.0, n)
        slope, icpt = 1.5 + seed / 10, -0.5
        y = slope * t + icpt + 0.05 * normal(seed, (n,))
        a = jnp.stack([t, jnp.ones_like(t)], axis=1)
        expected = jnp.linalg.lstsq(a, y)[0]
        label = f"jax.jit(fit_line)(t, y) with {n} points"
        out = attempt(jax.jit(fn), t, y, label=label, hint_for=_lsq_hint)
        if isinstance(out, tuple | list) and len(out) == 4:
            raise CheckFailure(
                f"{label} returned a tuple of {len(out)} arrays",
                hint=_LSQ_HINT_TUPLE,
                expected=describe(expected),
                yours=describe(out),
            )
        hint = ""
        if isinstance(out, jax.Array) and out.shape == (2,):
            if np.allclose(np.asarray(out)[::-1], np.asarray(expected), atol=1e-3):
                hint = _LSQ_HINT_ORDER
        same(expected, out, label, hint, rtol=1e-3)


_LSQ = Exercise(
    id="t20-scipy-linalg-1",
    title="Fit a line by least squares",
    signature="fit_line(t, y)",
    reference=(
        "def fit_line(t, y):\n"
        "    A = jnp.stack([t, jnp.ones_like(t)], axis=1)\n"
        "    return jnp.linalg.lstsq(A, y)[0]\n"
    ),
    hints=(
        "jnp.linalg.lstsq(A, y) solves an overdetermined system; so does "
        "jax.scipy.linalg.solve(A.T @ A, A.T @ y).",
    ),
    checker=_check_fit_line,
)

EXERCISES = (_PC, _IO, _EXPORT, _PALLAS, _LSQ)
