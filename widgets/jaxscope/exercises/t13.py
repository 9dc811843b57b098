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
    hints_of,
    normal,
    primitive_names,
)

HINT = hints_of(__name__)


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
    spec=Spec(
        cases=_mesh_cases,
        wrap=lambda f: lambda *shape: _mesh_facts(f(*shape)),
        on_error=(OnError(HINT["mesh_one_type"], words=("axis_types",)),),
        on_result=(
            OnResult(
                HINT["return_mesh_itself"],
                when=lambda got, *shape: not isinstance(got, dict) or "auto" not in got,
            ),
            OnResult(
                HINT["shape_tuple_names"],
                when=lambda got, a, b: got["axes"] != ({"data": a}, {"model": b}),
            ),
            OnResult(HINT["mesh_explicit"]),
        ),
    ),
)

# --- NamedSharding and device_put -----------------------------------------------------------


def _put_cases() -> list[tuple]:
    return [
        (np.asarray(normal(s, (2 * _n(), c * _n()))), _data_mesh()) for s, c in ((1, 1), (2, 2))
    ]


_PUT = Exercise(
    id="t13-named-sharding-1",
    spec=Spec(
        cases=_put_cases,
        on_error=(
            OnError(HINT["put_bare_spec"], words=("set_mesh", "mesh context")),
            OnError(HINT["put_columns"], words=("evenly divide",)),
        ),
        extra=_laid_out(
            _put_cases,
            ("data",),
            lambda out: HINT["put_no_sharding"] if _spec(out) is None else HINT["put_columns"],
            mesh_hint=HINT["use_mesh_you"],
        ),
    ),
)

# --- computation follows data ---------------------------------------------------------------


def _norm_cases() -> list[tuple]:
    return [
        (_rows(s, shape, _data_mesh()),) for s, shape in ((3, (2 * _n(), 4)), (4, (4 * _n(),) * 2))
    ]


def _unit_rows(got: Any, x: jax.Array) -> bool:
    return np.shape(got) == x.shape and np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4)


_NORM = Exercise(
    id="t13-jit-partitioning-1",
    spec=Spec(
        cases=_norm_cases,
        eager=False,
        jit={},
        on_error=(OnError(HINT["norm_keepdims"], words=("broadcast", "illegally sharded")),),
        on_result=(
            OnResult(HINT["norm_global"], wrong=lambda ref, x: x / jnp.linalg.norm(x)),
            OnResult(HINT["norm_columns"], wrong=lambda ref, x: x / jnp.linalg.norm(x, axis=0)),
            OnResult(
                HINT["norm_squared"], wrong=lambda ref, x: x / jnp.sum(x**2, axis=1, keepdims=True)
            ),
            OnResult(HINT["norm_rows"], when=lambda got, x: not _unit_rows(got, x)),
        ),
        extra=_laid_out(_norm_cases, ("data",), lambda out: HINT["norm_layout"], jit={}),
    ),
)

# --- resharding -----------------------------------------------------------------------------


def _reshard_cases() -> list[tuple]:
    return [
        (_rows(s, shape, _data_mesh()), _data_mesh())
        for s, shape in ((5, (2 * _n(), 2 * _n())), (6, (_n(), 3 * _n())))
    ]


_RESHARD = Exercise(
    id="t13-sharding-constraints-1",
    spec=Spec(
        cases=_reshard_cases,
        eager=False,
        jit={"static_argnums": 1},
        on_error=(
            OnError(HINT["reshard_wsc"], words=("Auto axes",)),
            OnError(HINT["reshard_bare"], words=("mesh context", "set_mesh")),
        ),
        extra=_laid_out(
            _reshard_cases, (None, "data"), lambda out: HINT["reshard_none"], {"static_argnums": 1}
        ),
    ),
)

# --- shard_map ------------------------------------------------------------------------------


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
            hint=HINT["smap_no_shard_map"],
            expected="a shard_map in the jaxpr",
            yours=", ".join(sorted({e.primitive.name for e in closed.jaxpr.eqns})),
        )
    if any(_outside_work(closed, [True])):
        raise CheckFailure(
            "the result of sum_of_squares is not the output of a shard_map that combines the "
            "devices' partial sums",
            hint=HINT["smap_no_psum"] if _uncombined_total(closed) else HINT["smap_outside"],
            expected="x -> shard_map(out_specs=P(), with a psum inside) -> the result",
            yours="primitives: " + ", ".join(sorted(names)),
        )


_SMAP = Exercise(
    id="t13-shard-map-1",
    spec=Spec(
        cases=_smap_cases,
        also=(
            Also(
                "jax.jit({}, static_argnums=1)", lambda f: jax.jit(f, static_argnums=1), rtol=1e-5
            ),
        ),
        on_error=(
            OnError(HINT["smap_set_mesh"], words=("set_mesh",)),
            OnError(HINT["smap_in_specs"], words=("in_specs",)),
            OnError(HINT["smap_no_psum"], words=("replicat",)),
        ),
        on_result=(
            OnResult(HINT["smap_partials"], when=lambda got, x, m: np.shape(got) == (_n(),)),
        ),
        rtol=1e-4,
        extra=_combines,
    ),
)

EXERCISES = (_MESH, _PUT, _NORM, _RESHARD, _SMAP)
