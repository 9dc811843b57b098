"""Table 12 exercises: pmap over the local devices, collectives, a ring shift, data parallelism.

The checks run per-device functions under ``jax.vmap(..., axis_name=...)``, which gives
collectives the same meaning as ``jax.pmap`` on any number of devices, and under ``jax.pmap``
too when this process sees two or more devices.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import Exercise
from ._support import Also, OnError, OnResult, Spec, hints_of, normal, primitive_names

HINT = hints_of(__name__)


def _spmd(cases, axis: str, in_axes: tuple = (0,), **more: Any) -> Spec:
    """A Spec that runs the per-device answer under ``jax.vmap(..., axis_name=axis)``, and under
    ``jax.pmap`` on the cases that fit this process's devices; an unbound axis name gets the
    first ``on_error`` hint."""

    def fits() -> list[tuple]:
        k = in_axes.index(0)  # the first mapped argument
        return [c for c in cases() if c[k].shape[0] <= jax.local_device_count()]

    vmap = Also(
        f"jax.vmap({{}}, axis_name={axis!r})", lambda f: jax.vmap(f, in_axes, axis_name=axis)
    )
    pmap = Also(
        f"jax.pmap({{}}, axis_name={axis!r})", lambda f: jax.pmap(f, axis, in_axes=in_axes), fits
    )
    return Spec(cases=cases, eager=False, also=(vmap, pmap), **more)


def _axis_hint(hint: str) -> OnError:
    """An unbound axis name: a collective over another axis than the mapped one."""
    return OnError(hint, (NameError,), ("axis name",))


# --- pmap -----------------------------------------------------------------------------------


def _placed(out: Any) -> tuple[Any, int]:
    """``out`` and how many devices it is spread over (0: one device, as vmap leaves it)."""
    sharding = None if isinstance(out, jax.core.Tracer) else getattr(out, "sharding", None)
    single = sharding is None or isinstance(sharding, jax.sharding.SingleDeviceSharding)
    return out, 0 if single else len(sharding.device_set)


_PMAP = Exercise(
    id="t12-pmap-1",
    spec=Spec(
        cases=lambda: [(normal(s, (jax.local_device_count() * k,)),) for s, k in ((1, 3), (2, 5))],
        wrap=lambda f: lambda x: _placed(f(x)),
        on_error=(OnError(HINT["pmap_reshape"], (ValueError, TypeError)),),
        on_result=(
            OnResult(HINT["pmap_vmap"], wrong=lambda ref, x: (ref(x)[0], 0)),
            OnResult(
                HINT["pmap_reshape"], when=lambda got, x: 0 < got[1] != jax.local_device_count()
            ),
        ),
        # in JAX 0.10 pmap traces to a shard_map
        present={"shard_map": HINT["pmap_no_pmap"]},
    ),
)

# --- psum, pmean --------------------------------------------------------------------------


_CENTER = Exercise(
    id="t12-collectives-1",
    spec=_spmd(
        lambda: [(normal(1, (8, 5)) + 3.0,), (normal(2, (4, 3)) + 3.0,)],
        "batch",
        on_error=(_axis_hint(HINT["center_axis"]),),
        on_result=(
            OnResult(HINT["center_local"], wrong=lambda ref, x: x - jnp.mean(x, 1, keepdims=True)),
            OnResult(HINT["center_psum"], wrong=lambda ref, x: x - x.shape[0] * jnp.mean(x)),
        ),
    ),
)

# --- ppermute -------------------------------------------------------------------------------


def _shifts_a_ring(fn, size: int) -> bool:
    """True when ``fn`` shifts a ring of ``size`` right (under vmap) without an error."""
    xs = jnp.arange(size * 2, dtype=jnp.float32).reshape(size, 2)
    try:
        got = jax.vmap(fn, axis_name="ring")(xs)
    except Exception:  # noqa: BLE001 - the learner's code may raise anything
        return False
    return np.shape(got) == xs.shape and np.allclose(got, jnp.roll(xs, 1, axis=0))


_RING = Exercise(
    id="t12-ppermute-all-gather-1",
    spec=_spmd(
        lambda: [(normal(1, (8, 2)),), (normal(2, (5, 3)),)],
        "ring",
        on_error=(
            _axis_hint(HINT["center_axis"].replace('"batch"', '"ring"')),
            # a permutation that fits another ring size: the size was written in
            OnError(
                HINT["ring_size"],
                words=("Permutation doesn't match the axis size",),
                answer=lambda fn: any(
                    _shifts_a_ring(fn, k) for k in {*range(1, 9), jax.device_count()}
                ),
            ),
            OnError(HINT["ring_wrap"], words=("Permutation doesn't match the axis size",)),
            OnError(HINT["ring_size"], words=("out of range", "axis size", "perm")),
        ),
        on_result=(
            OnResult(HINT["ring_direction"], wrong=lambda ref, x: jnp.roll(x, -1, axis=0)),
            OnResult(HINT["ring_wrap"], wrong=lambda ref, x: jnp.roll(x, 1, axis=0).at[0].set(0)),
        ),
    ),
)

# --- data-parallel step ---------------------------------------------------------------------

_COLLECTIVES = {"psum", "psum_invariant", "pmax", "pmin", "all_gather", "ppermute", "all_to_all"}


def _step(w: jax.Array, x: jax.Array, y: jax.Array, scale: float = 1.0) -> jax.Array:
    """w after ``scale`` steps of gradient descent on the mean squared error of ``x @ w - y``."""
    return w - scale * 0.1 * jax.grad(lambda w: jnp.mean((x @ w - y) ** 2))(w)


def _collective(fn: Any) -> bool:
    """Whether ``fn``, mapped over the batch, holds a collective anywhere."""
    args = [jax.ShapeDtypeStruct(s, jnp.float32) for s in ((3,), (4, 6, 3), (4, 6))]
    mapped = jax.vmap(fn, (None, 0, 0), axis_name="batch")
    return bool(set(primitive_names(jax.make_jaxpr(mapped)(*args))) & _COLLECTIVES)


def _local(ref: Any, w: jax.Array, xs: jax.Array, ys: jax.Array) -> jax.Array:
    """Each device's step with the gradient of its own shard."""
    return jax.vmap(_step, (None, 0, 0))(w, xs, ys)


_DP = Exercise(
    id="t12-data-parallel-step-1",
    spec=_spmd(
        lambda: [
            (normal(seed, (3,)), normal(seed + 1, (n, k, 3)), normal(seed + 2, (n, k)))
            for seed, (n, k) in ((1, (4, 6)), (2, (8, 2)))
        ],
        "batch",
        (None, 0, 0),
        on_error=(_axis_hint(HINT["dp_axis"]),),
        on_result=(
            OnResult(HINT["dp_in_loss"], wrong=_local, answer=_collective),
            OnResult(HINT["dp_no_pmean"], wrong=_local),
            OnResult(
                HINT["dp_psum"],
                wrong=lambda r, w, x, y: jnp.broadcast_to(
                    _step(w, x.reshape(-1, 3), y.ravel(), len(x)), (len(x), 3)
                ),
            ),
        ),
        rtol=1e-4,
    ),
)

EXERCISES = (_PMAP, _CENTER, _RING, _DP)
