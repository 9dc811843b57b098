"""Table 20 exercises: host callbacks, export round trips, Pallas kernels and least squares."""

from __future__ import annotations

import re
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import Exercise
from ._support import (
    Also,
    CheckFailure,
    OnError,
    OnResult,
    Spec,
    describe,
    expect_function,
    normal,
    primitive_names,
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


_PC = Exercise(
    id="t20-pure-callback-1",
    title="Call NumPy from jit and vmap",
    hints=(
        "jax.pure_callback(host_fn, jax.ShapeDtypeStruct(shape, dtype), *args, vmap_method=...)",
    ),
    spec=Spec(
        cases=lambda: [(normal(1, (6,)),)],
        eager=False,
        jit={},
        also=(
            Also(
                "jax.jit(jax.vmap({}))",
                lambda f: jax.jit(jax.vmap(f)),
                cases=lambda: [(normal(2, (3, 5)),)],
            ),
        ),
        wrap=_vmap_guard,
        present={"pure_callback": "wrap NumPy's np.maximum.accumulate in jax.pure_callback"},
        on_error=(
            OnError(_PC_HINT_VMAP, (_VmapMethodMissing,)),
            OnError(_PC_HINT_DIRECT, (jax.errors.TracerArrayConversionError,)),
            OnError(_PC_HINT_NO_SHAPE, words=("CpuCallback", "Callback", "callback")),
        ),
        on_result=(OnResult(_PC_HINT_EXPAND, when=lambda got, x: x.ndim == 2),),
    ),
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


def _traced_primitives(fn: Any, x: jax.Array) -> set[str]:
    """The primitives in ``fn``'s jaxpr (none when tracing it fails)."""
    try:
        return set(primitive_names(jax.make_jaxpr(fn)(x)))
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


def _logged_calls(make: Any, *xs: jax.Array) -> list[jax.Array]:
    """Three jitted calls of ``make(log)``; the log must hold the three input sums, in order,
    written with io_callback."""
    log: list = []
    fn = expect_function(
        make(log), "f(x), the function make_logged_double(log) returns", "make_logged_double(log)"
    )
    outs = [jax.jit(fn)(x) for x in xs]
    jax.effects_barrier()
    sums = [float(jnp.sum(x)) for x in xs]
    try:
        ok = len(log) == len(sums) and np.allclose(
            np.asarray(log, np.float64).ravel(), sums, rtol=1e-5
        )
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
    return outs


_IO = Exercise(
    id="t20-io-callback-1",
    title="Log from compiled code",
    hints=(
        "io_callback(host_fn, result_shape_dtypes, *args, ordered=True) runs host_fn with "
        "real values each time the compiled code runs; host_fn returns None here.",
    ),
    spec=Spec(
        cases=lambda: [tuple(normal(seed, (4,)) for seed in (3, 4, 5))],
        wrap=lambda make: lambda *xs: _logged_calls(make, *xs),
        on_error=(OnError(_IO_HINT_RESULT, words=("number of outputs", "Mismatched")),),
    ),
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


def _restored_call(to_bytes: Any, fn: Any, x: jax.Array) -> jax.Array:
    """``jax.export.deserialize(to_bytes(fn)).call(x)``."""
    from jax import export

    try:
        blob = to_bytes(fn)
    except Exception as exc:  # the error names the function by its memory address
        exc.args = tuple(re.sub(r" at 0x[0-9a-fA-F]+", "", str(a)) for a in exc.args)
        raise
    if not isinstance(blob, bytes | bytearray):
        raise CheckFailure(
            f"to_bytes(fn) returned {type(blob).__name__}, not bytes",
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
    return restored.call(x)


_EXPORT = Exercise(
    id="t20-export-1",
    title="Ship a function as bytes",
    hints=(
        "export.export(jax.jit(fn))(shape_spec).serialize(); a symbolic dimension from "
        "export.symbolic_shape lets one export serve every length.",
    ),
    spec=Spec(
        cases=lambda: [
            (fn, normal(seed, (n,)))
            for fn in (lambda x: jnp.sin(x) * 2, lambda x: x - x.mean())
            for seed, n in ((6, 3), (7, 7))
        ],
        wrap=lambda f: lambda fn, x: _restored_call(f, fn, x),
        on_error=(
            OnError(_EXPORT_HINT_FIXED, words=("Shape mismatch", "expected same constant")),
            OnError(_EXPORT_HINT_JIT, words=("must be the result of `jit`",)),
        ),
    ),
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


def _interpreted(kernel: Any, x: jax.Array, y: jax.Array) -> jax.Array:
    """``pallas_call(kernel, interpret=True)(x, y)``, one output like ``x``."""
    from jax.experimental import pallas as pl

    out = jax.ShapeDtypeStruct(x.shape, jnp.float32)
    return pl.pallas_call(kernel, out_shape=out, interpret=True)(x, y)


def _has_nan(got: Any, *args: Any) -> bool:
    return bool(np.isnan(np.asarray(got)).any())


_PALLAS = Exercise(
    id="t20-pallas-1",
    title="A first Pallas kernel",
    hints=("Read a ref with ref[...] and write one with ref[...] = value.",),
    spec=Spec(
        cases=lambda: [
            (normal(seed, (n,)), normal(seed + 10, (n,))) for seed, n in ((8, 8), (9, 16))
        ],
        wrap=lambda k: lambda x, y: _interpreted(k, x, y),
        on_error=(
            OnError(_PALLAS_HINT_RETURN, words=("should return None",)),
            OnError(_PALLAS_HINT_REF_MATH, words=("Ref",)),
        ),
        on_result=(
            OnResult(_PALLAS_HINT_REBIND, when=_has_nan, answer=_rebinds_output),
            OnResult(_PALLAS_HINT_UNWRITTEN, when=_has_nan),
        ),
    ),
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


def _line(seed: int, n: int) -> tuple[jax.Array, jax.Array]:
    t = jnp.linspace(-1.0, 2.0, n)
    return t, (1.5 + seed / 10) * t - 0.5 + 0.05 * normal(seed, (n,))


_LSQ = Exercise(
    id="t20-scipy-linalg-1",
    title="Fit a line by least squares",
    hints=(
        "jnp.linalg.lstsq(A, y) solves an overdetermined system; so does "
        "jax.scipy.linalg.solve(A.T @ A, A.T @ y).",
    ),
    spec=Spec(
        cases=lambda: [_line(11, 20), _line(12, 9)],
        eager=False,
        jit={},
        on_error=(OnError(_LSQ_HINT_SOLVE, words=("core dimension", "square")),),
        on_result=(
            OnResult(
                _LSQ_HINT_TUPLE,
                when=lambda got, *a: isinstance(got, tuple | list) and len(got) == 4,
            ),
            OnResult(_LSQ_HINT_ORDER, wrong=lambda ref, t, y: ref(t, y)[::-1]),
        ),
        rtol=1e-3,
    ),
)

EXERCISES = (_PC, _IO, _EXPORT, _PALLAS, _LSQ)
