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
    normal,
)


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

_LEAKY_HINT_IF = (
    "A Python `if` (or `x if c else y`) needs a concrete True/False, but under jit `x` is a "
    "tracer: pick per element with `jnp.where(x > 0, x, slope * x)`."
)
_LEAKY_HINT_STATIC = (
    "`slope` is data, not a setting: making it static compiles a new program for every slope. "
    "Leave it traced (plain `jax.jit(...)`)."
)
_LEAKY_HINT_NOT_JIT = "Wrap the function: `leaky_relu = jax.jit(lambda x, slope: ...)`."


_JIT = Exercise(
    id="t05-jit-basics-1",
    title="Jit a leaky ReLU that compiles once",
    call="leaky_relu(x, slope)",
    stub=_jit_stub("leaky_relu(x, slope)"),
    hints=(
        "`jax.jit(f)` returns the compiled function; inside it, choose per element with "
        "`jnp.where`.",
    ),
    spec=Spec(
        cases=lambda: (
            [(normal(1, (6,)), slope) for slope in (0.1, 0.2, 0.01)]
            + [(normal(2, (3, 4)), 0.3), (normal(3, ()), 0.3)]
        ),
        on_error=(
            OnError(_LEAKY_HINT_IF, (jax.errors.ConcretizationTypeError,)),
            OnError(_LEAKY_HINT_IF, (ValueError,), ("truth value",)),
        ),
        before=_jitted(_LEAKY_HINT_NOT_JIT),
        extra=_compiles_once(
            "leaky_relu(x: float32[7], slope)",
            [(normal(4, (7,)), slope) for slope in (0.1, 0.2, 0.01)],
            _LEAKY_HINT_STATIC,
        ),
    ),
)

# --- static arguments -----------------------------------------------------------------------

_TILE_HINT_FORGOT = (
    "`n` decides the output's shape, so jit must know it while tracing: mark it static with "
    "`jax.jit(f, static_argnums=1)` (or static_argnames='n')."
)
_TILE_HINT_WRONG = (
    "static_argnums counts from 0: `x` is argument 0 (an array, which cannot be static: it is "
    "unhashable) and `n` is argument 1."
)
_TILE_HINT_NOT_JIT = "Wrap it: `repeat_rows = jax.jit(f, static_argnums=1)`."


_STATIC = Exercise(
    id="t05-static-args-1",
    title="A static argument that sets a shape",
    call="repeat_rows(x, n)",
    stub=_jit_stub("repeat_rows(x, n)"),
    hints=("A value that decides a shape must be static: `static_argnums` / `static_argnames`.",),
    spec=Spec(
        cases=lambda: [(normal(1, (3,)), 2), (normal(1, (3,)), 4), (normal(3, (2, 2)), 3)],
        on_error=(
            OnError(_TILE_HINT_WRONG, words=("Non-hashable static", "unhashable")),
            OnError(_TILE_HINT_FORGOT, (jax.errors.ConcretizationTypeError, TypeError)),
        ),
        before=_jitted(_TILE_HINT_NOT_JIT),
        extra=_compiles_once(
            "repeat_rows(x: float32[5], 2)",
            [(normal(4, (5,)), 2), (normal(5, (5,)), 2)],
            "only `n` should be static; `x` stays traced",
        ),
    ),
)

# --- retracing ------------------------------------------------------------------------------

_PAD_HINT_NONE = (
    "Every new length is a new shape, and every new shape is a new trace and compile. Round the "
    "length up to a multiple of 8 and pad with zeros, so lengths 1..8 share one shape."
)
_PAD_HINT_ALWAYS = (
    "Adding 8 zeros to every input keeps the lengths all different: round the length *up to the "
    "next multiple of 8* instead, e.g. `-(-n // 8) * 8`."
)
_PAD_HINT_DOWN = (
    "`n // 8 * 8` rounds down and cuts values off; round up: `-(-n // 8) * 8` (or "
    "`math.ceil(n / 8) * 8`)."
)


_PAD_HINT_FRONT = (
    "The length is right, but the zeros went in front: pad at the end, "
    "`jnp.pad(x, (0, size - n))` (the pair is (before, after))."
)
_PAD_HINT_ZEROS = (
    "The length is right, but the padding must be zeros: `jnp.pad(x, (0, size - n))` pads with "
    "zeros by default; another mode= or constant_values= puts other numbers there."
)
_PAD_HINT_VALUES = "The length is right: keep x's values unchanged at the front, zeros after."


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
    title="Pad to buckets to stop retracing",
    hints=("Shapes are known in Python: compute the padded length from `x.shape[0]`.",),
    spec=Spec(
        cases=lambda: [(normal(n, (n,)),) for n in (1, 3, 8, 9, 13, 16, 17)],
        on_result=(
            OnResult(
                "return the array jnp.pad gives you", when=lambda got, x: _length(got) is None
            ),
            OnResult(_PAD_HINT_ALWAYS, when=lambda got, x: _length(got) == len(x) + 8),
            OnResult(_PAD_HINT_DOWN, when=lambda got, x: 0 <= _length(got) < len(x)),
            OnResult(_PAD_HINT_NONE, when=lambda got, x: _length(got) != _bucket(x)),
            OnResult(_PAD_HINT_ZEROS, when=_keeps_x),
            OnResult(
                _PAD_HINT_FRONT,
                when=lambda got, x: _keeps_x(got, x, True) and not np.any(got[: -len(x)]),
            ),
            OnResult(_PAD_HINT_VALUES, when=lambda got, x: True),
        ),
    ),
)

# --- donation -------------------------------------------------------------------------------

_DONATE_HINT_NONE = (
    "Nothing was donated: `params` is still alive after the step. Pass `donate_argnums=0` to "
    "jax.jit so XLA may write the new params into the old buffer."
)
_DONATE_HINT_WRONG = (
    "You donated `grads` (argument 1), not `params` (argument 0): donate the buffer the "
    "output replaces, `donate_argnums=0`."
)


_DONATE_HINT_BOTH = (
    "Donate only `params`: you also donated `grads` (argument 1), whose buffer the result "
    "cannot reuse (JAX warns 'Some donated buffers were not usable') and which the caller may "
    "still need. Use `donate_argnums=0`."
)
_DONATE_HINT_ONLY = "Donate `params` alone: `donate_argnums=0`."


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
    _jitted(_DONATE_HINT_NONE)(fn)
    params, grads = normal(1, (5,)), normal(2, (5,))
    attempt(fn, params, grads, 0.1, label="sgd_step(params, grads, 0.1)")
    if grads.is_deleted():
        raise CheckFailure("grads was deleted by the step", hint=_DONATE_HINT_WRONG)
    if not params.is_deleted():
        raise CheckFailure(
            "params is still usable after the step: it was not donated",
            hint=_DONATE_HINT_NONE,
            expected="params.is_deleted() == True",
            yours="params.is_deleted() == False",
        )
    donated = _donated(fn)
    if donated is not None and any(donated[1:]):
        raise CheckFailure(
            "sgd_step donates more than params",
            hint=_DONATE_HINT_BOTH if donated[1] else _DONATE_HINT_ONLY,
            expected="donated: params",
            yours="donated: "
            + ", ".join(
                name for name, d in zip(("params", "grads", "lr"), donated, strict=False) if d
            ),
        )


_DONATION = Exercise(
    id="t05-donation-1",
    title="Donate the parameters of an update step",
    call="sgd_step(params, grads, lr)",
    stub=_jit_stub("sgd_step(params, grads, lr)"),
    hints=("`jax.jit(f, donate_argnums=...)` names the arguments whose buffers XLA may reuse.",),
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

_AOT_HINT_LOWERED = (
    "`.lower(...)` gives a Lowered (StableHLO, not yet compiled): call `.compile()` on it to "
    "get the executable."
)
_AOT_HINT_JIT = (
    "`jax.jit(f)` compiles lazily, on its first call: lower it for the given shape with "
    "`.lower(jax.ShapeDtypeStruct(shape, dtype))` and `.compile()` it."
)


_AOT_HINT_ARRAY = (
    "You created an array of that shape to lower with, and for a big shape there is no memory "
    "for it. Describe the input instead: `jax.ShapeDtypeStruct(shape, dtype)` has a shape and "
    "a dtype but no data."
)
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
    title="Compile ahead of time for a shape",
    hints=("`jax.jit(f).lower(spec).compile()`, with `spec = jax.ShapeDtypeStruct(...)`.",),
    spec=Spec(
        cases=_aot_cases,
        on_error=(
            OnError(_AOT_HINT_JIT, (_Unfit,), ("never traced",)),
            OnError(
                "build the input description from both arguments: "
                "jax.ShapeDtypeStruct(shape, dtype)",
                (_Unfit,),
            ),
            OnError(_AOT_HINT_ARRAY, (MemoryError,)),
            OnError(_AOT_HINT_ARRAY, words=("RESOURCE_EXHAUSTED", "Out of memory", "Unable to")),
        ),
        on_result=(
            OnResult(_AOT_HINT_LOWERED, when=lambda got, *a: isinstance(got, jax.stages.Lowered)),
            OnResult(_AOT_HINT_JIT, when=lambda got, *a: callable(got)),
        ),
        wrap=_run_compiled,
    ),
)

EXERCISES = (_JIT, _STATIC, _RETRACE, _DONATION, _AOT)
