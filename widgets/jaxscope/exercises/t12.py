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
from ._support import (
    CheckFailure,
    attempt,
    describe,
    expect_function,
    message_has,
    normal,
    primitive_names,
    same,
)


def _axis_hint(name: str, hint: str, other=None):
    """A hint_for: an unbound axis name gives ``hint``; anything else asks ``other``."""

    def hint_for(exc: BaseException) -> str | None:
        if isinstance(exc, NameError) and message_has(exc, "axis name"):
            return hint
        return other(exc) if other else None

    return hint_for


def _spmd_runs(fn, axis: str, in_axes, args, label: str):
    """``(label, result)`` for fn mapped with vmap over the leading axis, and with pmap when the
    process has enough devices for it."""
    yield f"jax.vmap({label}, axis_name={axis!r})", jax.vmap(fn, in_axes, axis_name=axis), args
    size = next(a.shape[0] for a, i in zip(args, in_axes, strict=True) if i == 0)
    if jax.local_device_count() >= size:
        yield f"jax.pmap({label}, axis_name={axis!r})", jax.pmap(fn, axis, in_axes=in_axes), args


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


def _pmap_hint(exc: BaseException) -> str | None:
    return _PMAP_HINT_RESHAPE if isinstance(exc, ValueError | TypeError) else None


def _primitives(fn, *args) -> set[str]:
    """Names of every primitive in the jaxpr of ``fn(*args)``, sub-jaxprs included."""
    return set(primitive_names(jax.make_jaxpr(fn)(*args)))


def _check_device_sums(answer: Any) -> None:
    fn = expect_function(answer, "device_sums(x)")
    n = jax.local_device_count()
    for seed, per_device in ((1, 3), (2, 5)):
        x = normal(seed, (n * per_device,))
        label = f"device_sums(x: float32[{n * per_device}]) on {n} device(s)"
        got = attempt(fn, x, label=label, hint_for=_pmap_hint)
        same(jnp.sum(x.reshape(n, -1), axis=1), got, label)
        sharding = getattr(got, "sharding", None)
        if sharding is None or isinstance(sharding, jax.sharding.SingleDeviceSharding):
            raise CheckFailure(
                f"{label} returned an array on a single device",
                hint=_PMAP_HINT_VMAP,
                expected=f"a result spread over the {n} local device(s) (as pmap returns)",
                yours=f"{type(sharding).__name__}",
            )
        if len(sharding.device_set) != n:
            raise CheckFailure(
                f"{label}: the result lives on {len(sharding.device_set)} of {n} devices",
                hint=_PMAP_HINT_RESHAPE,
            )
    # in JAX 0.10 pmap traces to a shard_map (xla_pmap in older versions)
    prims = _primitives(fn, x)
    if not prims & {"shard_map", "xla_pmap"}:
        raise CheckFailure(
            "device_sums does not call jax.pmap",
            hint=_PMAP_HINT_NO_PMAP,
            expected="a pmap (a shard_map over the devices) in the jaxpr",
            yours=f"primitives: {', '.join(sorted(prims))}",
        )


_PMAP = Exercise(
    id="t12-pmap-1",
    title="One chunk per device with pmap",
    signature="device_sums(x)",
    reference=(
        "def device_sums(x):\n"
        "    chunks = x.reshape(jax.local_device_count(), -1)\n"
        "    return jax.pmap(jnp.sum)(chunks)\n"
    ),
    hints=("pmap maps over axis 0: give it an array with one row per device.",),
    checker=_check_device_sums,
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


def _check_center(answer: Any) -> None:
    fn = expect_function(answer, "center(x)")
    for seed, shape in ((1, (8, 5)), (2, (4, 3))):
        xs = normal(seed, shape) + 3.0
        want = xs - jnp.mean(xs)
        for label, mapped, args in _spmd_runs(fn, "batch", (0,), (xs,), "center"):
            call = f"{label} on {shape[0]} shards of {shape[1]}"
            got = attempt(
                mapped, *args, label=call, hint_for=_axis_hint("batch", _CENTER_HINT_AXIS)
            )
            local = xs - jnp.mean(xs, axis=1, keepdims=True)
            summed = xs - shape[0] * jnp.mean(xs)
            for wrong, hint in ((local, _CENTER_HINT_LOCAL), (summed, _CENTER_HINT_PSUM)):
                if np.shape(got) == wrong.shape and np.allclose(got, wrong, atol=1e-5):
                    raise CheckFailure(
                        f"{call} does not subtract the mean of the whole batch",
                        hint=hint,
                        expected=describe(want),
                        yours=describe(got),
                    )
            same(want, got, call)


_CENTER = Exercise(
    id="t12-collectives-1",
    title="Center a sharded batch with a global mean",
    signature="center(x)",
    reference=('def center(x):\n    return x - jax.lax.pmean(jnp.mean(x), "batch")\n'),
    hints=("pmean(value, axis_name) averages a value over every device of the named axis.",),
    checker=_check_center,
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


def _ring_error_hint(fn, size: int):
    """A hint_for the ring of ``size``: a permutation that fits another ring size means the
    size was written in; one that fits none means the ring does not close."""

    def hint_for(exc: BaseException) -> str | None:
        if message_has(exc, "Permutation doesn't match the axis size"):
            other_sizes = sorted({*range(1, 9), jax.device_count()} - {size})
            if any(_shifts_a_ring(fn, k) for k in other_sizes):
                return _RING_HINT_SIZE
            return _RING_HINT_WRAP
        if message_has(exc, "out of range", "axis size", "perm"):
            return _RING_HINT_SIZE
        return None

    return hint_for


def _check_shift_right(answer: Any) -> None:
    fn = expect_function(answer, "shift_right(x)")
    for seed, shape in ((1, (8, 2)), (2, (5, 3))):
        hint_for = _axis_hint(
            "ring",
            _CENTER_HINT_AXIS.replace('"batch"', '"ring"'),
            _ring_error_hint(fn, shape[0]),
        )
        xs = normal(seed, shape)
        want = jnp.roll(xs, 1, axis=0)
        for label, mapped, args in _spmd_runs(fn, "ring", (0,), (xs,), "shift_right"):
            call = f"{label} on a ring of {shape[0]}"
            got = attempt(mapped, *args, label=call, hint_for=hint_for)
            if np.shape(got) == want.shape:
                got_np = np.asarray(got)
                if np.allclose(got_np, np.roll(xs, -1, axis=0)):
                    raise CheckFailure(
                        f"{call}: each device got its right-hand neighbour's value",
                        hint=_RING_HINT_DIRECTION,
                        expected=describe(want),
                        yours=describe(got),
                    )
                if not got_np[0].any() and np.allclose(got_np[1:], want[1:]):
                    raise CheckFailure(
                        f"{call}: device 0 received zeros",
                        hint=_RING_HINT_WRAP,
                        expected=describe(want),
                        yours=describe(got),
                    )
            same(want, got, call)


_RING = Exercise(
    id="t12-ppermute-all-gather-1",
    title="Shift values one step around a ring",
    signature="shift_right(x)",
    reference=(
        "def shift_right(x):\n"
        '    n = jax.lax.axis_size("ring")\n'
        '    return jax.lax.ppermute(x, "ring", [(i, (i + 1) % n) for i in range(n)])\n'
    ),
    hints=("ppermute(x, axis_name, perm) sends x along each (source, destination) pair.",),
    checker=_check_shift_right,
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
_LR = 0.1


def _loss(w, x, y):
    return jnp.mean((x @ w - y) ** 2)


def _check_train_step(answer: Any) -> None:
    fn = expect_function(answer, "train_step(w, x, y)")
    for seed, (devices, per_device) in ((1, (4, 6)), (2, (8, 2))):
        w = normal(seed, (3,))
        xs = normal(seed + 1, (devices, per_device, 3))
        ys = normal(seed + 2, (devices, per_device))
        full = w - _LR * jax.grad(_loss)(w, xs.reshape(-1, 3), ys.reshape(-1))
        want = jnp.broadcast_to(full, (devices, 3))
        local = jax.vmap(lambda x, y, w=w: w - _LR * jax.grad(_loss)(w, x, y))(xs, ys)
        summed = w - devices * _LR * jax.grad(_loss)(w, xs.reshape(-1, 3), ys.reshape(-1))
        runs = _spmd_runs(fn, "batch", (None, 0, 0), (w, xs, ys), "train_step")
        for label, mapped, args in runs:
            call = f"{label} on {devices} devices"
            got = attempt(mapped, *args, label=call, hint_for=_axis_hint("batch", _DP_HINT_AXIS))
            if np.shape(got) == want.shape:
                got_np = np.asarray(got)
                if np.allclose(got_np, local, atol=1e-5):
                    collective = bool(_primitives(mapped, *args) & _COLLECTIVES)
                    raise CheckFailure(
                        f"{call}: the replicas of w differ after one step",
                        hint=_DP_HINT_IN_LOSS if collective else _DP_HINT_NO_PMEAN,
                        expected=describe(want),
                        yours=describe(got),
                    )
                if np.allclose(got_np, summed, atol=1e-5):
                    raise CheckFailure(
                        f"{call}: the step is {devices} times too large",
                        hint=_DP_HINT_PSUM,
                        expected=describe(want),
                        yours=describe(got),
                    )
            same(want, got, call, rtol=1e-4)


_DP = Exercise(
    id="t12-data-parallel-step-1",
    title="Average gradients across devices",
    signature="train_step(w, x, y)",
    reference=(
        "def train_step(w, x, y):\n"
        "    g = jax.grad(lambda w: jnp.mean((x @ w - y) ** 2))(w)\n"
        '    return w - 0.1 * jax.lax.pmean(g, "batch")\n'
    ),
    hints=(
        "Compute the local gradient with jax.grad, then combine the devices' gradients with "
        "a collective over the 'batch' axis.",
    ),
    checker=_check_train_step,
)

EXERCISES = (_PMAP, _CENTER, _RING, _DP)
