"""Table 2 exercises: creating arrays, transfers, 64-bit mode, promotion, low precision, shapes."""

from __future__ import annotations

import functools
import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import Exercise
from ._support import CheckFailure, OnError, OnResult, Spec, all_eqns, hints_of, normal

HINT = hints_of(__name__)


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


_GRID = Exercise(
    id="t02-array-creation-1",
    spec=Spec(
        cases=lambda: [(5,), (2,), (11,), (101,)],
        jit={"static_argnums": 0},
        on_result=(
            OnResult(HINT["build_with_numpy"], when=_not_jax),
            OnResult(HINT["grid_arange"], when=lambda got, n: got.shape != (n,)),
            OnResult(
                HINT["grid_int"], when=lambda got, n: not jnp.issubdtype(got.dtype, jnp.floating)
            ),
            OnResult(HINT["grid_step"], when=lambda got, n: float(got[-1]) != 1.0),
        ),
        arrays=True,
    ),
)

# --- host and device transfers --------------------------------------------------------------


_XFER = Exercise(
    id="t02-host-device-transfer-1",
    spec=Spec(
        cases=lambda: [
            (np.random.default_rng(0).normal(3.0, 2.0, size=shape),) for shape in ((8,), (4, 5))
        ],
        wrap=_contained,
        on_result=(
            OnResult(
                HINT["xfer_numpy"],
                when=lambda got, b: (
                    isinstance(got, np.ndarray | np.generic) and got.dtype == np.float64
                ),
            ),
            OnResult(
                HINT["xfer_get"], when=lambda got, b: isinstance(got, np.ndarray | np.generic)
            ),
            OnResult(HINT["xfer_numpy"], when=_not_jax),
        ),
        rtol=1e-4,
        mutated_hint=HINT["xfer_inplace"],
        arrays=True,
    ),
)

# --- default dtypes and 64-bit mode ---------------------------------------------------------


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
            hint=HINT["x64_global"],
            expected=f"jax_enable_x64 still {before} afterwards",
            yours=f"jax_enable_x64 = {after}",
        )


_X64 = Exercise(
    id="t02-default-dtypes-x64-1",
    spec=Spec(
        cases=lambda: [(np.random.default_rng(1).normal(0.0, 1.0, size=1000) + 1e4,)],
        wrap=_contained,
        on_result=(
            OnResult(HINT["do_sum_with"], when=_not_jax),
            OnResult(
                HINT["x64_cast"], when=lambda got, v: got.dtype != np.float64 or got.shape != ()
            ),
            OnResult(HINT["x64_early"], when=lambda got, v: True),
        ),
        rtol=1e-12,
        arrays=True,
        extra=_keeps_x64_mode,
    ),
)

# --- type promotion and weak types ----------------------------------------------------------


_PROMO = Exercise(
    id="t02-type-promotion-1",
    spec=Spec(
        cases=lambda: [
            (normal(seed, (2, 3), dtype),)
            for seed, dtype in enumerate((jnp.float32, jnp.bfloat16, jnp.float16))
        ],
        jit={},
        wrap=_contained,
        on_result=(
            OnResult(HINT["use_jnp_operations"], when=_not_jax),
            OnResult(HINT["promo_strong"], when=lambda got, x: got.dtype != x.dtype),
        ),
        rtol=1e-2,
        arrays=True,
    ),
)

# --- bfloat16 and float16 -------------------------------------------------------------------


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
            OnResult(HINT["use_jnp_operations"], when=_not_jax),
            OnResult(
                HINT["lowp_late_cast"],
                when=lambda got, x: (
                    got.dtype == jnp.float32 and not bool(jnp.all(jnp.isfinite(got)))
                ),
            ),
            OnResult(
                HINT["lowp_overflow"],
                when=lambda *a: True,
                answer=lambda fn: "float16" in _product_dtypes(fn),
            ),
            OnResult(
                HINT["lowp_bf16"],
                when=lambda *a: True,
                answer=lambda fn: "bfloat16" in _product_dtypes(fn),
            ),
            OnResult(HINT["lowp_bf16"], when=lambda got, x: got.dtype == jnp.bfloat16),
            OnResult(HINT["lowp_cast_back"], when=lambda got, x: got.dtype == jnp.float16),
            OnResult(HINT["lowp_dtype"], when=lambda got, x: got.dtype != jnp.float32),
            OnResult(HINT["lowp_formula"], when=lambda *a: True),
        ),
        rtol=1e-3,
        arrays=True,
    ),
)

# --- broadcasting and reshaping -------------------------------------------------------------


_BCAST = Exercise(
    id="t02-broadcasting-reshaping-1",
    spec=Spec(
        cases=lambda: [
            (normal(n, (n, d)), normal(10 + m, (m, d)))
            for n, m, d in ((4, 4, 3), (3, 5, 2), (1, 2, 4))
        ],
        jit={},
        on_error=(OnError(HINT["bcast_rowwise"], words=("broadcast", "Incompatible shapes")),),
        on_result=(
            OnResult(HINT["bcast_rowwise"], when=lambda got, x, y: _shape(got) == (len(x),)),
            OnResult(HINT["bcast_axis"], when=lambda got, x, y: _shape(got) != (len(x), len(y))),
        ),
        rtol=1e-4,
    ),
)

EXERCISES = (_GRID, _XFER, _X64, _PROMO, _LOWP, _BCAST)
