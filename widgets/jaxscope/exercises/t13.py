"""Table 13 exercises: meshes, placing arrays, jit partitioning, resharding and shard_map.

The checks build their meshes from whatever devices exist (one CPU in the test suite, eight
simulated ones in the notebook), so every known mistake is caught on a single device too: by the
PartitionSpec of the result, by the error JAX raises, by the shape of the result or by the jaxpr.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.extend import core as jax_core
from jax.sharding import AxisType, NamedSharding
from jax.sharding import PartitionSpec as P

from . import Exercise
from ._support import (
    Also,
    CheckFailure,
    OnError,
    OnResult,
    Spec,
    describe,
    normal,
    primitive_names,
)


def _n() -> int:
    return len(jax.devices())


def _spec(value: Any) -> tuple | None:
    """The PartitionSpec of an array's NamedSharding without trailing Nones; None otherwise."""
    sh = getattr(value, "sharding", None)
    if not isinstance(sh, NamedSharding):
        return None
    entries = list(sh.spec)
    while entries and entries[-1] is None:
        entries.pop()
    return tuple(entries)


def _spec_str(spec: tuple | None) -> str:
    if spec is None:
        return "not a NamedSharding"
    return "P(" + ", ".join(repr(e) for e in spec) + ")"


def _sharding_str(value: Any) -> str:
    sh = getattr(value, "sharding", None)
    if isinstance(sh, NamedSharding):
        return f"NamedSharding with {_spec_str(_spec(value))}"
    return f"{type(sh).__name__}" if sh is not None else f"{type(value).__name__} (no sharding)"


def _expect_spec(value: Any, spec: tuple, label: str, hint: str) -> None:
    if not isinstance(value, jax.Array):
        raise CheckFailure(
            f"{label} returned {describe(value)}, not a jax.Array",
            hint=hint,
            expected=f"a jax.Array sharded {_spec_str(spec)}",
            yours=describe(value),
        )
    if _spec(value) != spec:
        raise CheckFailure(
            f"{label} is laid out differently: {_sharding_str(value)}",
            hint=hint,
            expected=f"NamedSharding with {_spec_str(spec)}",
            yours=_sharding_str(value),
        )


def _data_mesh() -> jax.sharding.Mesh:
    return jax.make_mesh((_n(),), ("data",))


def _rows(seed: int, shape: tuple[int, ...], mesh: jax.sharding.Mesh) -> jax.Array:
    return jax.device_put(normal(seed, shape), NamedSharding(mesh, P("data")))


def _laid_out(cases, want: tuple, hint, jit: dict | None = None, mesh_hint: str = ""):
    """An extra: the answer's result on each case is a jax.Array laid out ``want`` (the hint:
    ``hint(result)``), on the case's mesh when ``mesh_hint`` is given."""

    def extra(fn: Any, ref: Any) -> None:
        for args in cases():
            out = (jax.jit(fn, **jit) if jit is not None else fn)(*args)
            label = f"{getattr(fn, '__name__', 'your function')}(x of shape {args[0].shape}, ...)"
            _expect_spec(out, want, label, hint(out))
            if mesh_hint and out.sharding.mesh != args[1]:
                raise CheckFailure(
                    f"{label} is on a different mesh",
                    hint=mesh_hint,
                    expected=str(args[1]),
                    yours=str(out.sharding.mesh),
                )

    return extra


# --- meshes ---------------------------------------------------------------------------------

_MESH_HINT_EXPLICIT = (
    "In JAX 0.10 jax.make_mesh gives Explicit axes unless you say otherwise: pass "
    "axis_types=(AxisType.Auto, AxisType.Auto), one entry per axis name."
)
_MESH_HINT_ONE_TYPE = (
    "axis_types needs one AxisType per mesh axis: two axes, so "
    "(AxisType.Auto, AxisType.Auto) (or (AxisType.Auto,) * 2)."
)


def _mesh_facts(mesh: Any) -> Any:
    """A mesh as values: each axis's {name: size} in order, and whether each axis is Auto."""
    if not isinstance(mesh, jax.sharding.Mesh):
        return mesh
    return {
        "axes": tuple({k: v} for k, v in mesh.shape.items()),
        "auto": [t == AxisType.Auto for t in mesh.axis_types],
    }


def _mesh_cases() -> list[tuple]:
    n = _n()
    return list(dict.fromkeys([(1, n), (n, 1)] + ([(2, n // 2)] if n % 2 == 0 and n > 2 else [])))


_MESH = Exercise(
    id="t13-mesh-1",
    title="A mesh with Auto axes",
    hints=(
        "jax.make_mesh(shape, names, axis_types=...) builds the mesh; axis_types takes one "
        "jax.sharding.AxisType per axis.",
    ),
    spec=Spec(
        cases=_mesh_cases,
        wrap=lambda f: lambda *shape: _mesh_facts(f(*shape)),
        on_error=(OnError(_MESH_HINT_ONE_TYPE, words=("axis_types",)),),
        on_result=(
            OnResult(
                "return the mesh itself: jax.make_mesh(shape, names, axis_types=...)",
                when=lambda got, *shape: not isinstance(got, dict) or "auto" not in got,
            ),
            OnResult(
                "the shape tuple and the names tuple go in the same order: "
                "jax.make_mesh((n_data, n_model), ('data', 'model'), ...)",
                when=lambda got, a, b: got["axes"] != ({"data": a}, {"model": b}),
            ),
            OnResult(_MESH_HINT_EXPLICIT),
        ),
    ),
)

# --- NamedSharding and device_put -----------------------------------------------------------

_PUT_HINT_COLUMNS = (
    "A PartitionSpec lists the mesh axis for each array dimension in order: rows are dimension "
    "0, so P('data', None) splits rows; P(None, 'data') splits columns."
)
_PUT_HINT_BARE_SPEC = (
    "A bare PartitionSpec does not say which devices: wrap it with the mesh, "
    "jax.device_put(x, NamedSharding(mesh, P('data', None)))."
)
_PUT_HINT_NO_SHARDING = (
    "jnp.asarray and device_put without a sharding put the whole array on one device: pass "
    "NamedSharding(mesh, P('data', None)) to jax.device_put."
)


def _put_cases() -> list[tuple]:
    return [
        (np.asarray(normal(s, (2 * _n(), c * _n()))), _data_mesh()) for s, c in ((1, 1), (2, 2))
    ]


_PUT = Exercise(
    id="t13-named-sharding-1",
    title="Split rows over a mesh axis",
    hints=(
        "NamedSharding(mesh, spec) says where each block goes; jax.device_put(x, sharding) "
        "sends it there.",
    ),
    spec=Spec(
        cases=_put_cases,
        on_error=(
            OnError(_PUT_HINT_BARE_SPEC, words=("set_mesh", "mesh context")),
            OnError(_PUT_HINT_COLUMNS, words=("evenly divide",)),
        ),
        extra=_laid_out(
            _put_cases,
            ("data",),
            lambda out: _PUT_HINT_NO_SHARDING if _spec(out) is None else _PUT_HINT_COLUMNS,
            mesh_hint="use the mesh you were given",
        ),
    ),
)

# --- computation follows data ---------------------------------------------------------------

_NORM_HINT_KEEPDIMS = (
    "jnp.linalg.norm(x, axis=1) has shape (rows,), which cannot divide a (rows, cols) matrix "
    "row by row: keep the reduced axis with keepdims=True, giving (rows, 1)."
)
_NORM_HINT_GLOBAL = (
    "jnp.linalg.norm(x) without axis= is one number for the whole matrix; each row needs its "
    "own norm: jnp.linalg.norm(x, axis=1, keepdims=True)."
)
_NORM_HINT_COLUMNS = (
    "axis=0 reduces down the columns, so you divided each column by its norm. Each row's norm "
    "reduces along axis 1: jnp.linalg.norm(x, axis=1, keepdims=True)."
)
_NORM_HINT_SQUARED = (
    "The Euclidean norm is the square root of the sum of squares: dividing by the sum of squares "
    "itself leaves rows of norm 1 / norm. Use jnp.linalg.norm(x, axis=1, keepdims=True)."
)
_NORM_HINT_ROWS = (
    "Each row must come out with norm 1: divide it by its own Euclidean norm, "
    "jnp.linalg.norm(x, axis=1, keepdims=True)."
)
_NORM_HINT_LAYOUT = (
    "Each row's norm needs only that row, so the result can stay where the rows are: keep the "
    "work in jnp on x itself and jit keeps the layout P('data', None)."
)


def _norm_cases() -> list[tuple]:
    return [
        (_rows(s, shape, _data_mesh()),) for s, shape in ((3, (2 * _n(), 4)), (4, (4 * _n(),) * 2))
    ]


def _unit_rows(got: Any, x: jax.Array) -> bool:
    return np.shape(got) == x.shape and np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4)


_NORM = Exercise(
    id="t13-jit-partitioning-1",
    title="Row-wise work stays where the rows are",
    hints=("Reduce along axis 1 and keep that axis so the norms broadcast against the rows.",),
    spec=Spec(
        cases=_norm_cases,
        eager=False,
        jit={},
        on_error=(OnError(_NORM_HINT_KEEPDIMS, words=("broadcast", "illegally sharded")),),
        on_result=(
            OnResult(_NORM_HINT_GLOBAL, wrong=lambda ref, x: x / jnp.linalg.norm(x)),
            OnResult(_NORM_HINT_COLUMNS, wrong=lambda ref, x: x / jnp.linalg.norm(x, axis=0)),
            OnResult(
                _NORM_HINT_SQUARED, wrong=lambda ref, x: x / jnp.sum(x**2, axis=1, keepdims=True)
            ),
            OnResult(_NORM_HINT_ROWS, when=lambda got, x: not _unit_rows(got, x)),
        ),
        extra=_laid_out(_norm_cases, ("data",), lambda out: _NORM_HINT_LAYOUT, jit={}),
    ),
)

# --- resharding -----------------------------------------------------------------------------

_RESHARD_HINT_NONE = (
    "Under jit the result follows the input, so 2 * x keeps the rows split. Ask for the new "
    "layout: jax.sharding.reshard(2 * x, NamedSharding(mesh, P(None, 'data')))."
)
_RESHARD_HINT_WSC = (
    "with_sharding_constraint only steers Auto mesh axes; this mesh's axes are Explicit, where "
    "a layout change is jax.sharding.reshard(value, NamedSharding(mesh, P(None, 'data')))."
)
_RESHARD_HINT_BARE = (
    "A bare PartitionSpec needs a mesh in scope: wrap it as NamedSharding(mesh, P(None, 'data')). "
    "(`with jax.set_mesh(mesh):` cannot be entered inside jit, and the check jits to_columns; "
    "inside it, `with jax.sharding.use_abstract_mesh(mesh.abstract_mesh):` can.)"
)


def _reshard_cases() -> list[tuple]:
    return [
        (_rows(s, shape, _data_mesh()), _data_mesh())
        for s, shape in ((5, (2 * _n(), 2 * _n())), (6, (_n(), 3 * _n())))
    ]


_RESHARD = Exercise(
    id="t13-sharding-constraints-1",
    title="Change layout inside jit",
    hints=(
        "On Explicit axes the sharding is part of the array's type; jax.sharding.reshard "
        "changes it (XLA adds the all-to-all).",
    ),
    spec=Spec(
        cases=_reshard_cases,
        eager=False,
        jit={"static_argnums": 1},
        on_error=(
            OnError(_RESHARD_HINT_WSC, words=("Auto axes",)),
            OnError(_RESHARD_HINT_BARE, words=("mesh context", "set_mesh")),
        ),
        extra=_laid_out(
            _reshard_cases, (None, "data"), lambda out: _RESHARD_HINT_NONE, {"static_argnums": 1}
        ),
    ),
)

# --- shard_map ------------------------------------------------------------------------------

_SMAP_HINT_IN_SPECS = (
    "in_specs describes how the input is already split: x is sharded P('data'), so "
    "in_specs=P('data'); each device then gets its own block, not the whole array."
)
_SMAP_HINT_NO_PSUM = (
    "Each device only sums its own block; out_specs=P() promises one replicated value, so "
    "combine the partial sums across devices with jax.lax.psum(partial, 'data')."
)
_SMAP_HINT_PARTIALS = (
    "With out_specs=P('data') you return the per-device partial sums stacked together, one per "
    "device: add them up inside with jax.lax.psum(..., 'data') and return a scalar with "
    "out_specs=P()."
)
_SMAP_HINT_NO_SHARD_MAP = (
    "The result is right, but jit wrote the per-device code for you: this exercise is about "
    "writing it yourself with jax.shard_map(..., mesh=mesh, in_specs=..., out_specs=...)."
)
_SMAP_HINT_OUTSIDE = (
    "Your shard_map does not produce the answer: the squares or the sum are finished outside it, "
    "where jit works on the whole array. Do the work per device inside the shard_map (square, "
    "sum, then jax.lax.psum(..., 'data')) and return its result, with out_specs=P()."
)
_SMAP_HINT_SET_MESH = (
    "`with jax.set_mesh(mesh):` cannot be entered inside jit, and the check also compiles your "
    "function with jax.jit: give the mesh to shard_map itself, jax.shard_map(..., mesh=mesh, ...)."
)


# collectives that can turn per-device partial sums into a total every device holds
_COLLECTIVES = {"psum", "psum_invariant", "all_gather", "all_gather_invariant", "ppermute"}
# primitives whose body gets the eqn's inputs and gives its outputs one for one
_CALLS = {"jit", "pjit", "closed_call", "core_call", "checkpoint", "remat", "custom_jvp_call"}


def _replicated_out(eqn: Any) -> bool:
    return all(all(e is None for e in spec) for spec in eqn.params["out_specs"])


def _combining(eqn: Any) -> bool:
    """A shard_map whose outputs are all replicated (P()) and whose body holds a collective."""
    return (
        eqn.primitive.name == "shard_map"
        and _replicated_out(eqn)
        and bool(set(primitive_names(eqn.params["jaxpr"])) & _COLLECTIVES)
    )


def _uncombined_total(jaxpr: Any) -> bool:
    """True when a shard_map promises a replicated result (P()) but holds no collective."""
    jaxpr = getattr(jaxpr, "jaxpr", jaxpr)
    for eqn in jaxpr.eqns:
        if eqn.primitive.name == "shard_map" and _replicated_out(eqn) and not _combining(eqn):
            return True
        if any(_uncombined_total(sub) for sub in jax_core.jaxprs_in_params(eqn.params)):
            return True
    return False


def _outside_work(jaxpr: Any, inputs: list[bool]) -> list[bool]:
    """For each output of ``jaxpr``: True when it depends on an input (``inputs`` says which
    count) by a path that does not go through a combining shard_map."""
    jaxpr = getattr(jaxpr, "jaxpr", jaxpr)
    touched = {v: t for v, t in zip(jaxpr.invars, inputs, strict=True)}

    def get(v: Any) -> bool:
        return not isinstance(v, jax_core.Literal) and touched.get(v, False)

    for eqn in jaxpr.eqns:
        ins = [get(v) for v in eqn.invars]
        subs = list(jax_core.jaxprs_in_params(eqn.params))
        if _combining(eqn):
            outs = [False] * len(eqn.outvars)
        elif eqn.primitive.name in _CALLS and len(subs) == 1 and len(subs[0].invars) == len(ins):
            outs = _outside_work(subs[0], ins)
        else:
            outs = [any(ins)] * len(eqn.outvars)
        touched.update(zip(eqn.outvars, outs, strict=True))
    return [get(v) for v in jaxpr.outvars]


def _smap_cases() -> list[tuple]:
    return [(_rows(seed, (k * _n(),), _data_mesh()), _data_mesh()) for seed, k in ((7, 4), (8, 2))]


def _combines(fn: Any, ref: Any) -> None:
    """The result is the output of a shard_map that combines the devices' partial sums."""
    x, mesh = _smap_cases()[-1]
    closed = jax.make_jaxpr(lambda v: fn(v, mesh))(x)
    names = set(primitive_names(closed))
    if "shard_map" not in names:
        raise CheckFailure(
            "sum_of_squares does not use shard_map",
            hint=_SMAP_HINT_NO_SHARD_MAP,
            expected="a shard_map in the jaxpr",
            yours=", ".join(sorted({e.primitive.name for e in closed.jaxpr.eqns})),
        )
    if any(_outside_work(closed, [True])):
        raise CheckFailure(
            "the result of sum_of_squares is not the output of a shard_map that combines the "
            "devices' partial sums",
            hint=_SMAP_HINT_NO_PSUM if _uncombined_total(closed) else _SMAP_HINT_OUTSIDE,
            expected="x -> shard_map(out_specs=P(), with a psum inside) -> the result",
            yours="primitives: " + ", ".join(sorted(names)),
        )


_SMAP = Exercise(
    id="t13-shard-map-1",
    title="Per-device sums with shard_map",
    hints=(
        "Inside shard_map you see one block; a collective such as jax.lax.psum(value, 'data') "
        "talks to the other devices.",
    ),
    spec=Spec(
        cases=_smap_cases,
        also=(
            Also(
                "jax.jit({}, static_argnums=1)", lambda f: jax.jit(f, static_argnums=1), rtol=1e-5
            ),
        ),
        on_error=(
            OnError(_SMAP_HINT_SET_MESH, words=("set_mesh",)),
            OnError(_SMAP_HINT_IN_SPECS, words=("in_specs",)),
            OnError(_SMAP_HINT_NO_PSUM, words=("replicat",)),
        ),
        on_result=(OnResult(_SMAP_HINT_PARTIALS, when=lambda got, x, m: np.shape(got) == (_n(),)),),
        rtol=1e-4,
        extra=_combines,
    ),
)

EXERCISES = (_MESH, _PUT, _NORM, _RESHARD, _SMAP)
