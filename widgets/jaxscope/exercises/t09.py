"""Table 9 exercises: in_axes, nested vmap, per-example gradients, named axes, lax.map."""

from __future__ import annotations

import inspect
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
    hints_of,
    normal,
)

HINT = hints_of(__name__)

# --- in_axes: a shared model over a batch ---------------------------------------------------


def _batch_inputs(seed: int, n: int, d: int, k: int) -> tuple[jax.Array, ...]:
    return normal(seed, (d, k)), normal(seed + 10, (k,)), normal(seed + 20, (n, d))


_IN_AXES = Exercise(
    id="t09-in-axes-1",
    spec=Spec(
        cases=lambda: [_batch_inputs(1, 5, 3, 2), _batch_inputs(2, 7, 4, 3)],
        on_error=(OnError(HINT["batch_axes"], (ValueError,), ("inconsistent sizes", "in_axes")),),
        flat=lambda: (_batch_inputs(3, 4, 3, 2), _batch_inputs(3, 16, 3, 2)),
        flat_hint=HINT["batch_loop"],
    ),
)

# --- nested vmap: a kernel matrix -----------------------------------------------------------


def _shape(value: Any) -> tuple[int, ...] | None:
    return getattr(value, "shape", None)


_NESTED = Exercise(
    id="t09-nested-vmap-1",
    spec=Spec(
        cases=lambda: [
            (normal(1, (4, 2)), normal(11, (6, 2))),
            (normal(2, (5, 3)), normal(12, (3, 3))),
            (normal(3, (4, 2)), normal(3, (4, 2))),
        ],
        on_error=(OnError(HINT["kernel_one"], (ValueError,), ("inconsistent sizes",)),),
        on_result=(
            OnResult(HINT["kernel_one"], when=lambda got, xs, ys: _shape(got) == (len(xs),)),
            OnResult(
                HINT["kernel_transposed"],
                when=lambda got, xs, ys: _shape(got) == (len(ys), len(xs)),
            ),
        ),
    ),
)

# --- per-example gradients ------------------------------------------------------------------


def _names_used(code: Any) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names |= _names_used(const)
    return names


def _uses_vmap(fn: Any) -> bool:
    """Whether the code of ``fn`` (its nested functions included) mentions vmap."""
    code = getattr(inspect.unwrap(fn), "__code__", None)
    return code is not None and "vmap" in _names_used(code)


_PER_EXAMPLE = Exercise(
    id="t09-per-example-gradients-1",
    spec=Spec(
        cases=lambda: [
            (
                {"w": normal(seed, (d,)), "b": jnp.float32(0.3)},
                normal(seed + 10, (n, d)),
                normal(seed + 20, (n,)),
            )
            for seed, n, d in ((1, 6, 3), (2, 4, 5))
        ],
        on_error=(
            OnError(
                HINT["peg_axes"],
                (ValueError,),
                ("inconsistent sizes", "in_axes", "rank should be at least"),
            ),
            # inside a vmap the one-example loss is non-scalar only if a data axis is not mapped
            OnError(HINT["peg_ys"], (TypeError,), ("scalar-output",), answer=_uses_vmap),
            OnError(HINT["peg_scalar"], (TypeError,), ("scalar-output",)),
        ),
        on_result=(
            OnResult(
                HINT["peg_mean"],
                when=lambda got, *args: isinstance(got, dict) and _shape(got.get("b")) == (),
            ),
        ),
        rtol=1e-4,
    ),
)

# --- axis_name: centre a batch from inside one example ------------------------------------


_AXIS_NAME = Exercise(
    id="t09-vmap-axis-name-1",
    spec=Spec(
        cases=lambda: [(normal(1, (5, 3)) + 2.0,), (normal(2, (8, 2)) + 2.0,)],
        wrap=lambda f: jax.vmap(f, axis_name="batch"),
        jit={},
        on_error=(OnError(HINT["centre_name"], (NameError,), ("unbound axis name", "axis name")),),
        on_result=(
            OnResult(
                HINT["centre_local"], wrong=lambda ref, xs: xs - xs.mean(axis=1, keepdims=True)
            ),
            OnResult(HINT["centre_psum"], wrong=lambda ref, xs: xs - xs.sum(axis=0)),
        ),
    ),
)

# --- lax.map with batch_size ----------------------------------------------------------------


def _map_sizes(jaxpr: Any, in_scan: bool = False) -> list[tuple[str, bool, int]]:
    """(primitive, inside a scan body?, size of its biggest output) of every equation."""
    out = []
    for eqn in jaxpr.eqns:
        size = max((int(np.prod(v.aval.shape)) for v in eqn.outvars), default=0)
        out.append((eqn.primitive.name, in_scan, size))
        inner_scan = in_scan or eqn.primitive.name == "scan"
        for p in eqn.params.values():
            for item in p if isinstance(p, tuple | list) else (p,):
                inner = getattr(item, "jaxpr", item)
                if hasattr(inner, "eqns"):
                    out.extend(_map_sizes(inner, inner_scan))
    return out


def _chunked(fn: Any, ref: Any) -> None:
    n, d = 1000, 16
    xs = normal(1, (n, d))
    eqns = _map_sizes(jax.make_jaxpr(fn)(xs).jaxpr)
    examples = max(size for _, _, size in eqns) // (d * d)  # the biggest (chunk, d, d) array
    in_scan = [size // (d * d) for name, inside, size in eqns if name == "tanh" and inside]
    expected = "a scan over chunks of at most 100 examples (e.g. 10 chunks of 100)"
    if not in_scan and examples > 100:
        raise CheckFailure(
            f"chunked_features has no loop: all {n} examples are processed at once",
            hint=HINT["map_vmap"],
            expected=expected,
            yours=f"no scan in the jaxpr; intermediates for {examples} examples at once",
        )
    if not in_scan:
        raise CheckFailure(
            "chunked_features has no scan: its loop over the chunks was unrolled while tracing",
            hint=HINT["map_py_loop"],
            expected=expected,
            yours="no scan in the jaxpr: one copy of `features` per chunk",
        )
    if examples > 100:
        raise CheckFailure(
            f"chunked_features holds the intermediates of {examples} examples at once",
            hint=HINT["map_too_big"],
            expected=expected,
            yours=f"a (d, d) intermediate for {examples} examples at once",
        )
    if max(in_scan) <= 1:
        raise CheckFailure(
            f"chunked_features loops over the {n} examples one at a time",
            hint=HINT["map_no_batch"],
            expected=expected,
            yours=f"a scan of length {n}, one example per step",
        )


_LAX_MAP = Exercise(
    id="t09-lax-map-1",
    spec=Spec(cases=lambda: [(normal(1, (1000, 16)),)], rtol=1e-4, extra=_chunked),
)

EXERCISES = (_IN_AXES, _NESTED, _PER_EXAMPLE, _AXIS_NAME, _LAX_MAP)
