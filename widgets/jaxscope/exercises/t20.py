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
    hints_of,
    normal,
    primitive_names,
)

HINT = hints_of(__name__)


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


_PC = Exercise(
    id="t20-pure-callback-1",
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
            OnError(HINT["pc_vmap"], (_VmapMethodMissing,)),
            OnError(HINT["pc_direct"], (jax.errors.TracerArrayConversionError,)),
            OnError(HINT["pc_no_shape"], words=("CpuCallback", "Callback", "callback")),
        ),
        on_result=(OnResult(HINT["pc_expand"], when=lambda got, x: x.ndim == 2),),
    ),
)

# --- io_callback ----------------------------------------------------------------------------


def _traced_primitives(fn: Any, x: jax.Array) -> set[str]:
    """The primitives in ``fn``'s jaxpr (none when tracing it fails)."""
    try:
        return set(primitive_names(jax.make_jaxpr(fn)(x)))
    except Exception:  # noqa: BLE001 - the learner's code may raise anything
        return set()


def _io_log_hint(log: list, sums: list[float], called_back: bool) -> str:
    """The hint for a log that does not hold the three input sums in call order."""
    if any(isinstance(v, jax.core.Tracer) for v in log) or 0 < len(log) < len(sums):
        return HINT["io_append"]
    if not log:
        return HINT["io_copy"] if called_back else HINT["io_use"]
    try:
        values = [float(v) for v in log]
    except (TypeError, ValueError):
        return HINT["io_one_number"]
    if len(values) != len(sums):
        return HINT["io_one_number"]
    if np.allclose(sorted(values), sorted(sums), rtol=1e-5):
        return HINT["io_order"]
    return HINT["io_input_sum"]


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
            hint=HINT["io_debug"] if used == "debug_callback" else HINT["io_use"],
            expected="an io_callback in the jaxpr",
            yours=used,
        )
    return outs


_IO = Exercise(
    id="t20-io-callback-1",
    spec=Spec(
        cases=lambda: [tuple(normal(seed, (4,)) for seed in (3, 4, 5))],
        wrap=lambda make: lambda *xs: _logged_calls(make, *xs),
        on_error=(OnError(HINT["io_result"], words=("number of outputs", "Mismatched")),),
    ),
)

# --- jax.export -----------------------------------------------------------------------------


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
            hint=HINT["export_object"],
            expected="bytes (or a bytearray)",
            yours=f"{type(blob).__name__} {describe(blob)}"[:120],
        )
    try:
        restored = export.deserialize(blob)
    except Exception as exc:  # noqa: BLE001 - any bytes may come back
        raise CheckFailure(
            f"jax.export.deserialize could not read the bytes: {type(exc).__name__}",
            hint=HINT["export_object"],
        ) from None
    return restored.call(x)


_EXPORT = Exercise(
    id="t20-export-1",
    spec=Spec(
        cases=lambda: [
            (fn, normal(seed, (n,)))
            for fn in (lambda x: jnp.sin(x) * 2, lambda x: x - x.mean())
            for seed, n in ((6, 3), (7, 7))
        ],
        wrap=lambda f: lambda fn, x: _restored_call(f, fn, x),
        on_error=(
            OnError(HINT["export_fixed"], words=("Shape mismatch", "expected same constant")),
            OnError(HINT["export_jit"], words=("must be the result of `jit`",)),
        ),
    ),
)

# --- Pallas ---------------------------------------------------------------------------------


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
    spec=Spec(
        cases=lambda: [
            (normal(seed, (n,)), normal(seed + 10, (n,))) for seed, n in ((8, 8), (9, 16))
        ],
        wrap=lambda k: lambda x, y: _interpreted(k, x, y),
        on_error=(
            OnError(HINT["pallas_return"], words=("should return None",)),
            OnError(HINT["pallas_ref_math"], words=("Ref",)),
        ),
        on_result=(
            OnResult(HINT["pallas_rebind"], when=_has_nan, answer=_rebinds_output),
            OnResult(HINT["pallas_unwritten"], when=_has_nan),
        ),
    ),
)

# --- least squares --------------------------------------------------------------------------


def _line(seed: int, n: int) -> tuple[jax.Array, jax.Array]:
    t = jnp.linspace(-1.0, 2.0, n)
    return t, (1.5 + seed / 10) * t - 0.5 + 0.05 * normal(seed, (n,))


_LSQ = Exercise(
    id="t20-scipy-linalg-1",
    spec=Spec(
        cases=lambda: [_line(11, 20), _line(12, 9)],
        eager=False,
        jit={},
        on_error=(OnError(HINT["lsq_solve"], words=("core dimension", "square")),),
        on_result=(
            OnResult(
                HINT["lsq_tuple"],
                when=lambda got, *a: isinstance(got, tuple | list) and len(got) == 4,
            ),
            OnResult(HINT["lsq_order"], wrong=lambda ref, t, y: ref(t, y)[::-1]),
        ),
        rtol=1e-3,
    ),
)

EXERCISES = (_PC, _IO, _EXPORT, _PALLAS, _LSQ)
