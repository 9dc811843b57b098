"""Table 18 exercises: one optimiser step, clip then step, a warmup schedule, a loss, masking."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import Exercise
from ._support import CheckFailure, attempt, describe, expect_function, message_has, normal, same


def _params(seed: int) -> dict[str, jax.Array]:
    return {"w": normal(seed, (3, 2)), "b": normal(seed + 1, (2,))}


def _close(a: Any, b: Any) -> bool:
    la, lb = jax.tree.leaves(a), jax.tree.leaves(b)
    if jax.tree.structure(a) != jax.tree.structure(b):
        return False
    return all(
        np.shape(x) == np.shape(y) and np.allclose(x, y, rtol=1e-4, atol=1e-6)
        for x, y in zip(la, lb, strict=True)
    )


def _is_transformation(value: Any) -> bool:
    return callable(getattr(value, "init", None)) and callable(getattr(value, "update", None))


def _expect_transformation(value: Any, label: str) -> None:
    if not _is_transformation(value):
        raise CheckFailure(
            f"{label} returned {type(value).__name__}, not an optax GradientTransformation",
            hint="return the optimiser itself (the object with .init and .update)",
            yours=describe(value),
        )


# --- init / update / apply_updates ----------------------------------------------------------

_STEP_HINT_RAW = (
    "You applied the raw gradients: adding them climbs the loss, and it skips everything the "
    "optimiser does (learning rate, momentum, weight decay). Apply the `updates` that "
    "`opt.update` returned: `optax.apply_updates(params, updates)`."
)
_STEP_HINT_MINUS = (
    "Optax updates already point downhill (they carry the minus sign), so they are added, not "
    "subtracted: `optax.apply_updates(params, updates)`."
)
_STEP_HINT_NO_PARAMS = (
    "adamw's weight decay needs the current parameters: call "
    "`opt.update(grads, opt_state, params)`."
)
_STEP_HINT_STATE = (
    "Return the new optimiser state that `opt.update` gave you; the old one forgets the "
    "momentum and the step count."
)


def _step_hint(exc: BaseException) -> str | None:
    if message_has(exc, "requires the current value of parameters"):
        return _STEP_HINT_NO_PARAMS
    return None


def _check_apply_step(answer: Any) -> None:
    import optax

    fn = expect_function(answer, "apply_step(opt, params, opt_state, grads)")
    for name, opt in (
        ("optax.adamw(0.1, weight_decay=0.1)", optax.adamw(0.1, weight_decay=0.1)),
        ("optax.sgd(0.1, momentum=0.9)", optax.sgd(0.1, momentum=0.9)),
    ):
        params = mine = _params(0)
        state = my_state = opt.init(params)
        for step in range(3):
            grads = _params(10 + step)
            label = f"step {step + 1} of apply_step({name}, params, opt_state, grads)"
            got = attempt(fn, opt, mine, my_state, grads, label=label, hint_for=_step_hint)
            if not (isinstance(got, tuple) and len(got) == 2):
                raise CheckFailure(
                    f"{label} returned {describe(got)}",
                    hint="return the pair (new_params, new_opt_state)",
                )
            updates, new_state = opt.update(grads, state, params)
            want = optax.apply_updates(params, updates)
            mine_updates, _ = opt.update(grads, my_state, mine)
            hint = ""
            if _close(got[0], jax.tree.map(lambda p, g: p + g, mine, grads)) or _close(
                got[0], jax.tree.map(lambda p, g: p - g, mine, grads)
            ):
                hint = _STEP_HINT_RAW
            elif _close(got[0], jax.tree.map(lambda p, u: p - u, mine, mine_updates)):
                hint = _STEP_HINT_MINUS
            elif step > 0 and _close(got[1], my_state):
                hint = _STEP_HINT_STATE
            same(want, got[0], f"{label}: new params", hint, rtol=1e-4)
            if jax.tree.structure(got[1]) != jax.tree.structure(new_state):
                raise CheckFailure(
                    f"{label}: the second value is not {name}'s state",
                    hint=_STEP_HINT_STATE,
                    yours=describe(got[1]),
                )
            params, state, mine, my_state = want, new_state, got[0], got[1]


_APPLY = Exercise(
    id="t18-init-update-apply-1",
    title="One optimiser step",
    signature="apply_step(opt, params, opt_state, grads)",
    reference=(
        "import optax\n\n\n"
        "def apply_step(opt, params, opt_state, grads):\n"
        "    updates, opt_state = opt.update(grads, opt_state, params)\n"
        "    return optax.apply_updates(params, updates), opt_state\n"
    ),
    hints=(
        "update(grads, state, params) turns gradients into updates and a new state; "
        "apply_updates adds the updates to the parameters.",
    ),
    checker=_check_apply_step,
)

# --- chain and clip -------------------------------------------------------------------------

_CLIP_HINT_ORDER = (
    "optax.chain applies its transformations left to right: put clip_by_global_norm first so "
    "it clips the raw gradient, then the sgd step."
)
_CLIP_HINT_ELEMENTWISE = (
    "optax.clip cuts each element separately, which changes the gradient's direction. "
    "clip_by_global_norm rescales all of it together when its norm is too large."
)


def _run_updates(opt: Any, grads_seq: list[Any]) -> list[Any]:
    params = _params(0)
    state = opt.init(params)
    out = []
    for g in grads_seq:
        updates, state = opt.update(g, state, params)
        out.append(updates)
    return out


def _check_clipped_sgd(answer: Any) -> None:
    import optax

    fn = expect_function(answer, "make_optimizer(lr, max_norm)")
    small, huge = _params(20), jax.tree.map(lambda x: 100.0 * x, _params(21))
    grads_seq = [jax.tree.map(lambda x: 0.1 * x, small), huge, _params(22)]
    for lr, max_norm in ((0.1, 1.0), (0.5, 2.0)):
        label = f"make_optimizer(lr={lr}, max_norm={max_norm})"
        opt = attempt(fn, lr, max_norm, label=label)
        _expect_transformation(opt, label)
        want = _run_updates(
            optax.chain(optax.clip_by_global_norm(max_norm), optax.sgd(lr, momentum=0.9)),
            grads_seq,
        )
        got = attempt(_run_updates, opt, grads_seq, label=f"three updates of {label}")
        hint = ""
        swapped = _run_updates(
            optax.chain(optax.sgd(lr, momentum=0.9), optax.clip_by_global_norm(max_norm)),
            grads_seq,
        )
        elementwise = _run_updates(
            optax.chain(optax.clip(max_norm), optax.sgd(lr, momentum=0.9)), grads_seq
        )
        if _close(got, swapped):
            hint = _CLIP_HINT_ORDER
        elif _close(got, elementwise):
            hint = _CLIP_HINT_ELEMENTWISE
        same(want, got, f"the updates of {label} for a small, a huge and a small gradient", hint)


_CLIP = Exercise(
    id="t18-chain-clip-1",
    title="Clip the gradient, then step",
    signature="make_optimizer(lr, max_norm)",
    reference=(
        "import optax\n\n\n"
        "def make_optimizer(lr, max_norm):\n"
        "    return optax.chain(optax.clip_by_global_norm(max_norm), optax.sgd(lr, momentum=0.9))\n"
    ),
    hints=("optax.chain(a, b) runs a, then b, and is itself an optimiser.",),
    checker=_check_clipped_sgd,
)

# --- schedules ------------------------------------------------------------------------------

_SCHED_HINT_DECAY_STEPS = (
    "In warmup_cosine_decay_schedule, decay_steps counts the whole schedule, warmup included: "
    "pass `decay_steps=total`, not `total - warmup`."
)
_SCHED_HINT_NO_WARMUP = (
    "The rate must start at 0 and rise linearly to the peak over the warmup steps: "
    "`optax.warmup_cosine_decay_schedule(0.0, peak, warmup, total)`."
)


def _check_schedule(answer: Any) -> None:
    import optax

    fn = expect_function(answer, "make_schedule(peak, warmup, total)")
    for peak, warmup, total in ((1e-3, 10, 100), (0.5, 20, 60)):
        label = f"make_schedule(peak={peak}, warmup={warmup}, total={total})"
        sched = attempt(fn, peak, warmup, total, label=label)
        if not callable(sched):
            raise CheckFailure(
                f"{label} returned {describe(sched)}, not a schedule",
                hint="return the schedule, a function of the step count",
            )
        steps = [0, warmup // 2, warmup, (warmup + total) // 2, total - 5, total, total + 10]
        want = optax.warmup_cosine_decay_schedule(0.0, peak, warmup, total, 0.0)
        got = attempt(
            lambda s=sched, steps=steps: [float(s(i)) for i in steps],
            label=f"{label} at steps {steps}",
        )
        short = optax.warmup_cosine_decay_schedule(0.0, peak, warmup, total - warmup, 0.0)
        hint = ""
        if np.allclose(got, [float(short(i)) for i in steps], rtol=1e-4):
            hint = _SCHED_HINT_DECAY_STEPS
        elif abs(got[0]) > 1e-9 or got[1] > 0.75 * peak:
            hint = _SCHED_HINT_NO_WARMUP
        if not np.allclose(got, [float(want(i)) for i in steps], rtol=1e-4, atol=1e-9):
            raise CheckFailure(
                f"{label} gives other rates at steps {steps}",
                hint=hint,
                expected=str([round(float(want(i)), 6) for i in steps]),
                yours=str([round(v, 6) for v in got]),
            )


_SCHED = Exercise(
    id="t18-schedules-1",
    title="Warmup, then cosine decay",
    signature="make_schedule(peak, warmup, total)",
    reference=(
        "import optax\n\n\n"
        "def make_schedule(peak, warmup, total):\n"
        "    return optax.warmup_cosine_decay_schedule(\n"
        "        init_value=0.0, peak_value=peak, warmup_steps=warmup, decay_steps=total,\n"
        "        end_value=0.0,\n"
        "    )\n"
    ),
    hints=("optax.warmup_cosine_decay_schedule does exactly this; read what decay_steps means.",),
    checker=_check_schedule,
)

# --- losses ---------------------------------------------------------------------------------

_LOSS_HINT_MEAN = (
    "Optax losses return one value per example; jax.grad needs one number. Take the mean: "
    "`optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()`."
)
_LOSS_HINT_SOFTMAX = (
    "The loss applies log-softmax itself, in a numerically stable way: pass the raw logits, "
    "not softmax probabilities."
)
_LOSS_HINT_ONE_HOT = (
    "optax.softmax_cross_entropy expects one-hot (or soft) labels of the logits' shape; for "
    "integer class labels use `optax.softmax_cross_entropy_with_integer_labels`."
)


def _loss_hint(exc: BaseException) -> str | None:
    if message_has(exc, "shape", "broadcast", "Incompatible"):
        return _LOSS_HINT_ONE_HOT
    return None


def _reference_xent(logits: jax.Array, labels: jax.Array) -> jax.Array:
    import optax

    return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()


def _check_mean_xent(answer: Any) -> None:
    import optax

    fn = expect_function(answer, "mean_xent(logits, labels)")
    for seed, n, c in ((0, 8, 3), (1, 5, 10)):
        logits = 3.0 * normal(seed, (n, c))
        labels = jax.random.randint(jax.random.key(seed + 7), (n,), 0, c)
        label = f"mean_xent(logits: float32[{n},{c}], labels: int32[{n}])"
        got = attempt(fn, logits, labels, label=label, hint_for=_loss_hint)
        per_example = optax.softmax_cross_entropy_with_integer_labels(logits, labels)
        want = per_example.mean()
        hint = ""
        if np.shape(got) == (n,):
            hint = _LOSS_HINT_MEAN
        else:
            probs = jax.nn.softmax(logits)
            if np.allclose(
                np.asarray(got),
                optax.softmax_cross_entropy_with_integer_labels(probs, labels).mean(),
                rtol=1e-4,
            ):
                hint = _LOSS_HINT_SOFTMAX
        same(want, got, label, hint, rtol=1e-4)
        g = attempt(jax.grad(fn), logits, labels, label=f"jax.grad(mean_xent)({label[10:]}")
        same(
            jax.grad(_reference_xent)(logits, labels),
            g,
            "its gradient",
            rtol=1e-4,
        )


_LOSS = Exercise(
    id="t18-losses-1",
    title="Mean cross-entropy from integer labels",
    signature="mean_xent(logits, labels)",
    reference=(
        "import optax\n\n\n"
        "def mean_xent(logits, labels):\n"
        "    return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()\n"
    ),
    hints=("Pick the loss that takes integer labels, and reduce its per-example values.",),
    checker=_check_mean_xent,
)

# --- masked ---------------------------------------------------------------------------------

_MASK_HINT_NONE = (
    "Without a mask adamw decays every parameter, biases included. Pass "
    "`mask=` a pytree (or a function of params) that is True only for the weight matrices."
)
_MASK_HINT_INVERTED = (
    "Your mask is the wrong way round: True marks the parameters that ARE decayed, so it must "
    "be True for the matrices (ndim ≥ 2) and False for the biases."
)


def _check_masked_adamw(answer: Any) -> None:
    import optax

    fn = expect_function(answer, "make_adamw(lr, weight_decay)")
    params = {
        "dense": {"kernel": normal(1, (3, 4)), "bias": normal(2, (4,))},
        "out": {"kernel": normal(3, (4, 2)), "bias": normal(4, (2,))},
    }
    zero = jax.tree.map(jnp.zeros_like, params)
    for lr, wd in ((0.1, 0.5), (0.01, 0.1)):
        label = f"make_adamw(lr={lr}, weight_decay={wd})"
        opt = attempt(fn, lr, wd, label=label)
        _expect_transformation(opt, label)
        step = f"one step of {label} with zero gradients"
        updates, _ = attempt(lambda o=opt: o.update(zero, o.init(params), params), label=step)
        biases = [np.abs(np.asarray(updates[k]["bias"])).max() for k in params]
        kernels = [np.abs(np.asarray(updates[k]["kernel"])).max() for k in params]
        if max(biases) > 0 and min(kernels) > 0:
            hint = _MASK_HINT_NONE
        elif max(biases) > 0:
            hint = _MASK_HINT_INVERTED
        else:
            hint = ""
        want = optax.adamw(
            lr, weight_decay=wd, mask=lambda p: jax.tree.map(lambda x: x.ndim > 1, p)
        )
        same(want.update(zero, want.init(params), params)[0], updates, step, hint)
        g = jax.tree.map(lambda x: x + 1.0, params)
        same(
            want.update(g, want.init(params), params)[0],
            attempt(lambda o=opt, g=g: o.update(g, o.init(params), params)[0], label=step),
            f"one step of {label}",
            hint,
        )


_MASK = Exercise(
    id="t18-per-param-transforms-1",
    title="No weight decay on biases",
    signature="make_adamw(lr, weight_decay)",
    reference=(
        "import optax\n\n\n"
        "def make_adamw(lr, weight_decay):\n"
        "    def decay_mask(params):\n"
        "        return jax.tree.map(lambda x: x.ndim >= 2, params)\n"
        "    return optax.adamw(lr, weight_decay=weight_decay, mask=decay_mask)\n"
    ),
    hints=("adamw takes mask=: a pytree of booleans, or a function that builds one from params.",),
    checker=_check_masked_adamw,
)

EXERCISES = (_APPLY, _CLIP, _SCHED, _LOSS, _MASK)
