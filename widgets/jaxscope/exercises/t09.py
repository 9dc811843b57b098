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
    normal,
)

# --- in_axes: a shared model over a batch ---------------------------------------------------


_BATCH_HINT_AXES = (
    "With the default in_axes=0, vmap also maps over w and b, but they are shared by every "
    "example: give them None, `jax.vmap(predict, in_axes=(None, None, 0))`."
)
_BATCH_HINT_LOOP = (
    "The values are right, but a Python loop runs once per example while tracing, so the "
    "program grows with the batch. Let vmap batch it: `jax.vmap(predict, in_axes=(None, None, 0))`."
)


def _batch_inputs(seed: int, n: int, d: int, k: int) -> tuple[jax.Array, ...]:
    return normal(seed, (d, k)), normal(seed + 10, (k,)), normal(seed + 20, (n, d))


_IN_AXES = Exercise(
    id="t09-in-axes-1",
    title="Batch the inputs, share the weights",
    hints=("in_axes has one entry per argument: 0 maps over that argument, None shares it.",),
    spec=Spec(
        cases=lambda: [_batch_inputs(1, 5, 3, 2), _batch_inputs(2, 7, 4, 3)],
        on_error=(OnError(_BATCH_HINT_AXES, (ValueError,), ("inconsistent sizes", "in_axes")),),
        flat=lambda: (_batch_inputs(3, 4, 3, 2), _batch_inputs(3, 16, 3, 2)),
        flat_hint=_BATCH_HINT_LOOP,
    ),
)

# --- nested vmap: a kernel matrix -----------------------------------------------------------


_KERNEL_HINT_ONE = (
    "One vmap pairs xs[i] with ys[i] (and needs equal lengths): it gives the diagonal, not "
    "every pair. Nest two: the inner one maps over ys with x fixed, the outer over xs."
)
_KERNEL_HINT_TRANSPOSED = (
    "Your matrix is transposed: the outer vmap decides the first axis. Map over xs in the outer "
    "vmap, `in_axes=(0, None)`, and over ys in the inner one, `in_axes=(None, 0)`."
)


def _shape(value: Any) -> tuple[int, ...] | None:
    return getattr(value, "shape", None)


_NESTED = Exercise(
    id="t09-nested-vmap-1",
    title="A kernel matrix from a function of two points",
    hints=("The inner vmap makes one row (x fixed, ys mapped); the outer one stacks the rows.",),
    spec=Spec(
        cases=lambda: [
            (normal(1, (4, 2)), normal(11, (6, 2))),
            (normal(2, (5, 3)), normal(12, (3, 3))),
            (normal(3, (4, 2)), normal(3, (4, 2))),
        ],
        on_error=(OnError(_KERNEL_HINT_ONE, (ValueError,), ("inconsistent sizes",)),),
        on_result=(
            OnResult(_KERNEL_HINT_ONE, when=lambda got, xs, ys: _shape(got) == (len(xs),)),
            OnResult(
                _KERNEL_HINT_TRANSPOSED, when=lambda got, xs, ys: _shape(got) == (len(ys), len(xs))
            ),
        ),
    ),
)

# --- per-example gradients ------------------------------------------------------------------


_PEG_HINT_MEAN = (
    "That is one gradient for the whole batch (the average). Per-example gradients keep a "
    "batch axis: `jax.vmap(jax.grad(loss), in_axes=(None, 0, 0))(params, xs, ys)`."
)
_PEG_HINT_AXES = (
    "The parameters are shared by all examples, so they must not be mapped: `in_axes=(None, 0, 0)`."
)
_PEG_HINT_SCALAR = (
    "grad needs a scalar loss, and the batch of losses is a vector. Differentiate the loss of "
    "ONE example and vmap the gradient over the batch."
)

_PEG_HINT_YS = (
    "Each example has its own target, so ys must be mapped too: `in_axes=(None, 0, 0)`. With "
    "None, every example's loss sees all of ys and returns a vector, which grad refuses."
)


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
    title="One gradient per example",
    hints=("Take grad of the one-example loss, then vmap it: params shared, data mapped.",),
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
                _PEG_HINT_AXES,
                (ValueError,),
                ("inconsistent sizes", "in_axes", "rank should be at least"),
            ),
            # inside a vmap the one-example loss is non-scalar only if a data axis is not mapped
            OnError(_PEG_HINT_YS, (TypeError,), ("scalar-output",), answer=_uses_vmap),
            OnError(_PEG_HINT_SCALAR, (TypeError,), ("scalar-output",)),
        ),
        on_result=(
            OnResult(
                _PEG_HINT_MEAN,
                when=lambda got, *args: isinstance(got, dict) and _shape(got.get("b")) == (),
            ),
        ),
        rtol=1e-4,
    ),
)

# --- axis_name: centre a batch from inside one example ------------------------------------

_CENTRE_HINT_LOCAL = (
    "jnp.mean(x) averages the features of ONE example. To see the whole batch, use a "
    "collective over the vmapped axis: `x - jax.lax.pmean(x, axis_name='batch')`."
)
_CENTRE_HINT_PSUM = (
    "psum adds the examples up; you need their mean: `jax.lax.pmean(x, 'batch')` "
    "(or psum divided by `jax.lax.psum(1, 'batch')`)."
)
_CENTRE_HINT_NAME = (
    "The collective must name the axis that vmap was given: the check uses "
    "`jax.vmap(centre, axis_name='batch')`, so write `axis_name='batch'`."
)


_AXIS_NAME = Exercise(
    id="t09-vmap-axis-name-1",
    title="Centre a batch from inside one example",
    hints=("Inside vmap(..., axis_name='batch'), lax.pmean(x, 'batch') averages over examples.",),
    spec=Spec(
        cases=lambda: [(normal(1, (5, 3)) + 2.0,), (normal(2, (8, 2)) + 2.0,)],
        wrap=lambda f: jax.vmap(f, axis_name="batch"),
        jit={},
        on_error=(OnError(_CENTRE_HINT_NAME, (NameError,), ("unbound axis name", "axis name")),),
        on_result=(
            OnResult(_CENTRE_HINT_LOCAL, wrong=lambda ref, xs: xs - xs.mean(axis=1, keepdims=True)),
            OnResult(_CENTRE_HINT_PSUM, wrong=lambda ref, xs: xs - xs.sum(axis=0)),
        ),
    ),
)

# --- lax.map with batch_size ----------------------------------------------------------------

_MAP_HINT_VMAP = (
    "vmap runs all 1000 examples at once, so every intermediate has the full batch in memory. "
    "Use `jax.lax.map(features, xs, batch_size=100)`: a loop over chunks of 100."
)
_MAP_HINT_NO_BATCH = (
    "Without batch_size, lax.map loops over the examples one at a time (a scan of length "
    "1000): small memory, but slow. Add `batch_size=100` to vmap within chunks."
)
_MAP_HINT_PY_LOOP = (
    "Your chunks are small enough, but a Python loop is unrolled while tracing: the program gets "
    "one copy of the work per chunk. `jax.lax.map(features, xs, batch_size=100)` compiles one "
    "loop body that runs on each chunk."
)
_MAP_HINT_TOO_BIG = (
    "Your chunks are too big: batch_size is the number of examples per chunk, so it must be at "
    "most 100 here, e.g. `jax.lax.map(features, xs, batch_size=100)`."
)


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
            hint=_MAP_HINT_VMAP,
            expected=expected,
            yours=f"no scan in the jaxpr; intermediates for {examples} examples at once",
        )
    if not in_scan:
        raise CheckFailure(
            "chunked_features has no scan: its loop over the chunks was unrolled while tracing",
            hint=_MAP_HINT_PY_LOOP,
            expected=expected,
            yours="no scan in the jaxpr: one copy of `features` per chunk",
        )
    if examples > 100:
        raise CheckFailure(
            f"chunked_features holds the intermediates of {examples} examples at once",
            hint=_MAP_HINT_TOO_BIG,
            expected=expected,
            yours=f"a (d, d) intermediate for {examples} examples at once",
        )
    if max(in_scan) <= 1:
        raise CheckFailure(
            f"chunked_features loops over the {n} examples one at a time",
            hint=_MAP_HINT_NO_BATCH,
            expected=expected,
            yours=f"a scan of length {n}, one example per step",
        )


_LAX_MAP = Exercise(
    id="t09-lax-map-1",
    title="Map over a big batch in chunks",
    hints=("lax.map(f, xs, batch_size=k) is a scan over chunks of k, vmapped inside each.",),
    spec=Spec(cases=lambda: [(normal(1, (1000, 16)),)], rtol=1e-4, extra=_chunked),
)

EXERCISES = (_IN_AXES, _NESTED, _PER_EXAMPLE, _AXIS_NAME, _LAX_MAP)
