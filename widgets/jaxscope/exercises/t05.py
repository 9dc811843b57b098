"""Table 5 exercises: jit, static arguments, retracing, donation, ahead-of-time compilation."""

from __future__ import annotations

import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import Exercise
from ._support import (
    CheckFailure,
    OnError,
    OnResult,
    Spec,
    attempt,
    hints_of,
    normal,
)

HINT = hints_of(__name__)


def _jit_stub(signature: str) -> str:
    return (
        f"@jax.jit  # adjust the jit options as needed\ndef {signature}:\n"
        "    ...  # your code here\n    raise NotImplementedError\n"
    )


def _jitted(hint: str):
    """A ``before`` check: the answer itself must be a jitted function (else ``hint``)."""

    def check(fn: Any) -> None:
        if not hasattr(fn, "_cache_size") or not hasattr(fn, "lower"):
            raise CheckFailure(
                f"{getattr(fn, '__name__', 'your answer')} is a plain Python function, not a "
                "jitted one",
                hint=hint,
                expected="the result of jax.jit(...)",
                yours=f"{type(fn).__name__} {getattr(fn, '__name__', '')}".strip(),
            )

    return check


def _compiles_once(label: str, calls: list[tuple], hint: str):
    """An ``extra`` check: the jitted answer compiles at most once for ``calls``."""

    def check(fn: Any, ref: Any) -> None:
        before = fn._cache_size()
        for args in calls:
            attempt(fn, *args, label=label)
        if fn._cache_size() - before > 1:
            raise CheckFailure(
                f"{label} compiled {fn._cache_size() - before} times for {len(calls)} calls",
                hint=hint,
                expected="1 compilation",
                yours=f"{fn._cache_size() - before} compilations",
            )

    return check


# --- jit basics -----------------------------------------------------------------------------


_JIT = Exercise(
    id="t05-jit-basics-1",
    call="leaky_relu(x, slope)",
    stub=_jit_stub("leaky_relu(x, slope)"),
    spec=Spec(
        cases=lambda: (
            [(normal(1, (6,)), slope) for slope in (0.1, 0.2, 0.01)]
            + [(normal(2, (3, 4)), 0.3), (normal(3, ()), 0.3)]
        ),
        on_error=(
            OnError(HINT["leaky_if"], (jax.errors.ConcretizationTypeError,)),
            OnError(HINT["leaky_if"], (ValueError,), ("truth value",)),
        ),
        before=_jitted(HINT["leaky_not_jit"]),
        extra=_compiles_once(
            "leaky_relu(x: float32[7], slope)",
            [(normal(4, (7,)), slope) for slope in (0.1, 0.2, 0.01)],
            HINT["leaky_static"],
        ),
    ),
)

# --- static arguments -----------------------------------------------------------------------


_STATIC = Exercise(
    id="t05-static-args-1",
    call="repeat_rows(x, n)",
    stub=_jit_stub("repeat_rows(x, n)"),
    spec=Spec(
        cases=lambda: [(normal(1, (3,)), 2), (normal(1, (3,)), 4), (normal(3, (2, 2)), 3)],
        on_error=(
            OnError(HINT["tile_wrong"], words=("Non-hashable static", "unhashable")),
            OnError(HINT["tile_forgot"], (jax.errors.ConcretizationTypeError, TypeError)),
        ),
        before=_jitted(HINT["tile_not_jit"]),
        extra=_compiles_once(
            "repeat_rows(x: float32[5], 2)",
            [(normal(4, (5,)), 2), (normal(5, (5,)), 2)],
            "only `n` should be static; `x` stays traced",
        ),
    ),
)

# --- retracing ------------------------------------------------------------------------------


def _bucket(x: jax.Array) -> int:
    return -(-x.shape[0] // 8) * 8


def _length(got: Any) -> int | None:
    """The length of a 1-D array, -1 for other arrays, None for what is not an array."""
    shape = getattr(got, "shape", None)
    if not isinstance(shape, tuple):
        return None
    return shape[0] if len(shape) == 1 else -1


def _keeps_x(got: Any, x: jax.Array, front: bool = False) -> bool:
    """Whether ``got`` (of the right length) holds x's values at its start (or its end)."""
    n, yours = x.shape[0], np.asarray(got, dtype=np.float32)
    return np.allclose(yours[-n:] if front else yours[:n], np.asarray(x))


_RETRACE = Exercise(
    id="t05-retracing-1",
    spec=Spec(
        cases=lambda: [(normal(n, (n,)),) for n in (1, 3, 8, 9, 13, 16, 17)],
        on_result=(
            OnResult(HINT["return_array_jnp"], when=lambda got, x: _length(got) is None),
            OnResult(HINT["pad_always"], when=lambda got, x: _length(got) == len(x) + 8),
            OnResult(HINT["pad_down"], when=lambda got, x: 0 <= _length(got) < len(x)),
            OnResult(HINT["pad_none"], when=lambda got, x: _length(got) != _bucket(x)),
            OnResult(HINT["pad_zeros"], when=_keeps_x),
            OnResult(
                HINT["pad_front"],
                when=lambda got, x: _keeps_x(got, x, True) and not np.any(got[: -len(x)]),
            ),
            OnResult(HINT["pad_values"], when=lambda got, x: True),
        ),
    ),
)

# --- donation -------------------------------------------------------------------------------


def _donated(fn: Any) -> list[bool] | None:
    """Per positional argument of ``fn(params, grads, lr)``: is any of its buffers donated?"""
    spec = jax.ShapeDtypeStruct((5,), jnp.float32)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            positional = fn.lower(spec, spec, 0.1).args_info[0]
    except Exception:  # noqa: BLE001 - the calls themselves report errors
        return None
    return [any(a.donated for a in jax.tree.leaves(arg)) for arg in positional]


def _donates_params(fn: Any) -> None:
    _jitted(HINT["donate_none"])(fn)
    params, grads = normal(1, (5,)), normal(2, (5,))
    attempt(fn, params, grads, 0.1, label="sgd_step(params, grads, 0.1)")
    if grads.is_deleted():
        raise CheckFailure("grads was deleted by the step", hint=HINT["donate_wrong"])
    if not params.is_deleted():
        raise CheckFailure(
            "params is still usable after the step: it was not donated",
            hint=HINT["donate_none"],
            expected="params.is_deleted() == True",
            yours="params.is_deleted() == False",
        )
    donated = _donated(fn)
    if donated is not None and any(donated[1:]):
        raise CheckFailure(
            "sgd_step donates more than params",
            hint=HINT["donate_both"] if donated[1] else HINT["donate_only"],
            expected="donated: params",
            yours="donated: "
            + ", ".join(
                name for name, d in zip(("params", "grads", "lr"), donated, strict=False) if d
            ),
        )


_DONATION = Exercise(
    id="t05-donation-1",
    call="sgd_step(params, grads, lr)",
    stub=_jit_stub("sgd_step(params, grads, lr)"),
    spec=Spec(
        cases=lambda: [
            (normal(1, (5,)), normal(2, (5,)), 0.1),
            (jnp.ones((2, 3)), jnp.ones((2, 3)), 0.5),
        ],
        # the values are compared on copies: donating the arguments is checked first
        wrap=lambda f: lambda p, g, lr: f(jnp.array(p), jnp.array(g), lr),
        before=_donates_params,
    ),
)

# --- ahead-of-time compilation --------------------------------------------------------------


_HUGE = (1 << 46,)  # 256 TiB of float32: compiles from a description, cannot be allocated


def _huge_compiles(f: Any) -> bool:
    """True when this backend compiles ``f`` for the huge shape from a ShapeDtypeStruct."""
    try:
        jax.jit(f).lower(jax.ShapeDtypeStruct(_HUGE, jnp.float32)).compile()
    except Exception:  # noqa: BLE001 - then the check skips the huge shape
        return False
    return True


def _aot_cases() -> list[tuple]:
    f = lambda x: jnp.cos(x) * 2
    small = [(f, (4, 3), jnp.float32), (f, (2,), jnp.int32)]
    return small + [(f, _HUGE, jnp.float32)] if _huge_compiles(f) else small


class _Unfit(Exception):
    """The Compiled is not one of f for the shape and dtype asked for."""


def _run_compiled(compile_for: Any) -> Any:
    """``compile_for`` given a new function calling f (so that jit traces it afresh) whose
    Compiled, if it is one of f for that input, is run on it (the huge one only described)."""

    def run(f: Any, shape: tuple, dtype: Any) -> Any:
        traced = []
        out = compile_for(lambda x: traced.append(x) or f(x), shape, dtype)
        if not isinstance(out, jax.stages.Compiled):
            return out
        if not traced:
            raise _Unfit("f was never traced")
        ins = [(tuple(a.shape), a.dtype) for a in jax.tree.leaves(out.args_info)]
        if ins != [(shape, np.dtype(dtype))]:
            raise _Unfit(f"it was compiled for {ins}")
        return None if shape == _HUGE else out(normal(1, shape).astype(dtype))

    return run


_AOT = Exercise(
    id="t05-aot-1",
    spec=Spec(
        cases=_aot_cases,
        on_error=(
            OnError(HINT["aot_jit"], (_Unfit,), ("never traced",)),
            OnError(
                HINT["build_input_description"],
                (_Unfit,),
            ),
            OnError(HINT["aot_array"], (MemoryError,)),
            OnError(HINT["aot_array"], words=("RESOURCE_EXHAUSTED", "Out of memory", "Unable to")),
        ),
        on_result=(
            OnResult(HINT["aot_lowered"], when=lambda got, *a: isinstance(got, jax.stages.Lowered)),
            OnResult(HINT["aot_jit"], when=lambda got, *a: callable(got)),
        ),
        wrap=_run_compiled,
    ),
)

EXERCISES = (_JIT, _STATIC, _RETRACE, _DONATION, _AOT)
