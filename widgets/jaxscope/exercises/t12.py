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
from ._support import Also, OnError, OnResult, Spec, normal, primitive_names


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

_PMAP_HINT_RESHAPE = (
    "pmap maps over axis 0 and needs one row per device, so a flat batch longer than the number "
    "of devices is refused. Reshape first: x.reshape(jax.local_device_count(), -1)."
)
_PMAP_HINT_VMAP = (
    "The numbers are right but everything ran on one device: vmap (and a plain jnp.sum over an "
    "axis) vectorise on a single device. jax.pmap runs one copy per device, each on its row."
)
_PMAP_HINT_NO_PMAP = (
    "The sums are right and spread over the devices, but no pmap ran: placing the data with "
    "device_put or jit's shardings lets XLA split the work. This exercise is about jax.pmap: "
    "jax.pmap(jnp.sum)(x.reshape(jax.local_device_count(), -1))."
)


def _placed(out: Any) -> tuple[Any, int]:
    """``out`` and how many devices it is spread over (0: one device, as vmap leaves it)."""
    sharding = None if isinstance(out, jax.core.Tracer) else getattr(out, "sharding", None)
    single = sharding is None or isinstance(sharding, jax.sharding.SingleDeviceSharding)
    return out, 0 if single else len(sharding.device_set)


_PMAP = Exercise(
    id="t12-pmap-1",
    title="One chunk per device with pmap",
    hints=("pmap maps over axis 0: give it an array with one row per device.",),
    spec=Spec(
        cases=lambda: [(normal(s, (jax.local_device_count() * k,)),) for s, k in ((1, 3), (2, 5))],
        wrap=lambda f: lambda x: _placed(f(x)),
        on_error=(OnError(_PMAP_HINT_RESHAPE, (ValueError, TypeError)),),
        on_result=(
            OnResult(_PMAP_HINT_VMAP, wrong=lambda ref, x: (ref(x)[0], 0)),
            OnResult(
                _PMAP_HINT_RESHAPE, when=lambda got, x: 0 < got[1] != jax.local_device_count()
            ),
        ),
        # in JAX 0.10 pmap traces to a shard_map
        present={"shard_map": _PMAP_HINT_NO_PMAP},
    ),
)

# --- psum, pmean --------------------------------------------------------------------------

_CENTER_HINT_LOCAL = (
    "jnp.mean(x) is the mean of this device's shard only. The mean over the whole batch needs "
    'the other devices too: jax.lax.pmean(jnp.mean(x), "batch").'
)
_CENTER_HINT_PSUM = (
    "psum adds the devices' values: the sum of the shard means is n_devices times the mean. "
    "Average with pmean (or divide the psum by the number of devices)."
)
_CENTER_HINT_AXIS = (
    "A collective names the mapped axis it combines over, and that name must be the one pmap "
    '(or vmap) was given: here axis_name="batch".'
)


_CENTER = Exercise(
    id="t12-collectives-1",
    title="Center a sharded batch with a global mean",
    hints=("pmean(value, axis_name) averages a value over every device of the named axis.",),
    spec=_spmd(
        lambda: [(normal(1, (8, 5)) + 3.0,), (normal(2, (4, 3)) + 3.0,)],
        "batch",
        on_error=(_axis_hint(_CENTER_HINT_AXIS),),
        on_result=(
            OnResult(_CENTER_HINT_LOCAL, wrong=lambda ref, x: x - jnp.mean(x, 1, keepdims=True)),
            OnResult(_CENTER_HINT_PSUM, wrong=lambda ref, x: x - x.shape[0] * jnp.mean(x)),
        ),
    ),
)

# --- ppermute -------------------------------------------------------------------------------

_RING_HINT_WRAP = (
    "A ring closes: the last device sends to device 0. Build the pairs with a modulo, "
    "[(i, (i + 1) % n) for i in range(n)]; a device nobody sends to receives zeros."
)
_RING_HINT_DIRECTION = (
    "ppermute's pairs are (source, destination). To receive from the left-hand neighbour, "
    "device i sends to i + 1: pairs (i, (i + 1) % n), not (i, i - 1)."
)
_RING_HINT_SIZE = (
    'Take the ring\'s length from the axis itself, jax.lax.axis_size("ring"), rather than '
    "writing a number in: the same code must run on any number of devices."
)


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
    title="Shift values one step around a ring",
    hints=("ppermute(x, axis_name, perm) sends x along each (source, destination) pair.",),
    spec=_spmd(
        lambda: [(normal(1, (8, 2)),), (normal(2, (5, 3)),)],
        "ring",
        on_error=(
            _axis_hint(_CENTER_HINT_AXIS.replace('"batch"', '"ring"')),
            # a permutation that fits another ring size: the size was written in
            OnError(
                _RING_HINT_SIZE,
                words=("Permutation doesn't match the axis size",),
                answer=lambda fn: any(
                    _shifts_a_ring(fn, k) for k in {*range(1, 9), jax.device_count()}
                ),
            ),
            OnError(_RING_HINT_WRAP, words=("Permutation doesn't match the axis size",)),
            OnError(_RING_HINT_SIZE, words=("out of range", "axis size", "perm")),
        ),
        on_result=(
            OnResult(_RING_HINT_DIRECTION, wrong=lambda ref, x: jnp.roll(x, -1, axis=0)),
            OnResult(_RING_HINT_WRAP, wrong=lambda ref, x: jnp.roll(x, 1, axis=0).at[0].set(0)),
        ),
    ),
)

# --- data-parallel step ---------------------------------------------------------------------

_DP_HINT_NO_PMEAN = (
    "Without a collective each device steps with the gradient of its own shard, so the replicas "
    "of w drift apart. Average the gradients first: g = jax.lax.pmean(g, 'batch')."
)
_DP_HINT_PSUM = (
    "psum adds the devices' gradients, so the step is n_devices times too large. Each device's "
    "loss is a mean over its shard: average the gradients with pmean."
)
_DP_HINT_AXIS = (
    "The collective's axis name must be the one the step is mapped with: "
    'pmap(train_step, axis_name="batch", ...), so jax.lax.pmean(g, "batch").'
)
_DP_HINT_IN_LOSS = (
    "You used a collective, but inside the loss that jax.grad differentiates: each device still "
    "gets the gradient of its own shard. Take the local gradient first, then average the "
    "gradients: g = jax.lax.pmean(jax.grad(loss)(w), 'batch')."
)
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
    title="Average gradients across devices",
    hints=(
        "Compute the local gradient with jax.grad, then combine the devices' gradients with "
        "a collective over the 'batch' axis.",
    ),
    spec=_spmd(
        lambda: [
            (normal(seed, (3,)), normal(seed + 1, (n, k, 3)), normal(seed + 2, (n, k)))
            for seed, (n, k) in ((1, (4, 6)), (2, (8, 2)))
        ],
        "batch",
        (None, 0, 0),
        on_error=(_axis_hint(_DP_HINT_AXIS),),
        on_result=(
            OnResult(_DP_HINT_IN_LOSS, wrong=_local, answer=_collective),
            OnResult(_DP_HINT_NO_PMEAN, wrong=_local),
            OnResult(
                _DP_HINT_PSUM,
                wrong=lambda r, w, x, y: jnp.broadcast_to(
                    _step(w, x.reshape(-1, 3), y.ravel(), len(x)), (len(x), 3)
                ),
            ),
        ),
        rtol=1e-4,
    ),
)

EXERCISES = (_PMAP, _CENTER, _RING, _DP)
