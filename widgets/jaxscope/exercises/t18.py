"""Table 18 exercises: one optimiser step, clip then step, a warmup schedule, a loss, masking."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import Exercise
from ._support import Also, OnError, OnResult, Spec, close, hints_of, normal

HINT = hints_of(__name__)

# an answer that returns something else than an optimiser fails where the check calls .init
_NOT_OPTIMISER = OnError(
    HINT["return_optimiser_itself"],
    (AttributeError,),
    ("has no attribute 'init'", "has no attribute 'update'"),
)


def _params(seed: int) -> dict[str, jax.Array]:
    return {"w": normal(seed, (3, 2)), "b": normal(seed + 1, (2,))}


def _updates(opt: Any, params: Any, grads: list[Any], fresh: bool = False) -> list[Any]:
    """The updates of ``opt`` for each of ``grads`` in turn (each from a new state if ``fresh``)."""
    state, out = opt.init(params), []
    for g in grads:
        updates, state = opt.update(g, opt.init(params) if fresh else state, params)
        out.append(updates)
    return out


# --- init / update / apply_updates ----------------------------------------------------------


def _step_cases() -> list[tuple]:
    """Three steps of adamw and of sgd with momentum: (opt, params, opt_state, grads)."""
    import optax

    cases = []
    for opt in (optax.adamw(0.1, weight_decay=0.1), optax.sgd(0.1, momentum=0.9)):
        params, state = _params(0), opt.init(_params(0))
        for grads in map(_params, (10, 11, 12)):
            cases.append((opt, params, state, grads))
            updates, state = opt.update(grads, state, params)
            params = optax.apply_updates(params, updates)
    return cases


def _moved(got: Any, params: Any, *deltas: Any) -> bool:
    """Whether the new params ``got[0]`` are ``params`` plus one of ``deltas``."""
    return any(close(jax.tree.map(jnp.add, params, d), got[0], 1e-4) for d in deltas)


def _neg(tree: Any) -> Any:
    return jax.tree.map(jnp.negative, tree)


_APPLY = Exercise(
    id="t18-init-update-apply-1",
    spec=Spec(
        cases=_step_cases,
        on_error=(
            OnError(HINT["step_no_params"], words=("requires the current value of parameters",)),
        ),
        on_result=(
            OnResult(
                HINT["return_pair_new"],
                when=lambda got, *a: not (isinstance(got, tuple) and len(got) == 2),
            ),
            OnResult(HINT["step_raw"], when=lambda got, o, p, s, g: _moved(got, p, g, _neg(g))),
            OnResult(
                HINT["step_minus"],
                when=lambda got, o, p, s, g: _moved(got, p, _neg(o.update(g, s, p)[0])),
            ),
            OnResult(  # the old state, or no optimiser state at all
                HINT["step_state"],
                when=lambda got, o, p, s, g: (
                    jax.tree.structure(got[1]) != jax.tree.structure(s) or close(s, got[1], 1e-4)
                ),
            ),
        ),
        rtol=1e-4,
    ),
)

# --- chain and clip -------------------------------------------------------------------------


def _clip_updates(opt: Any) -> list[Any]:
    """The updates of ``opt`` for a small, a huge and a small gradient."""
    scaled = [jax.tree.map(lambda x, s=s: s * x, _params(20 + i)) for i, s in enumerate((0.1, 100))]
    return _updates(opt, _params(0), [*scaled, _params(22)])


def _chain(lr: float, max_norm: float, clip: str = "clip_by_global_norm", swap: bool = False):
    """The updates of ``optax.chain(optax.<clip>(max_norm), optax.sgd(lr, momentum=0.9))``,
    its two parts swapped if ``swap``."""
    import optax

    parts = [getattr(optax, clip)(max_norm), optax.sgd(lr, momentum=0.9)]
    return _clip_updates(optax.chain(*(parts[::-1] if swap else parts)))


_CLIP = Exercise(
    id="t18-chain-clip-1",
    spec=Spec(
        cases=lambda: [(0.1, 1.0), (0.5, 2.0)],
        wrap=lambda f: lambda lr, max_norm: _clip_updates(f(lr, max_norm)),
        on_error=(_NOT_OPTIMISER,),
        on_result=(
            OnResult(HINT["clip_order"], wrong=lambda ref, lr, m: _chain(lr, m, swap=True)),
            OnResult(HINT["clip_elementwise"], wrong=lambda ref, lr, m: _chain(lr, m, "clip")),
        ),
    ),
)

# --- schedules ------------------------------------------------------------------------------


def _rates(sched: Any, warmup: int, total: int) -> np.ndarray:
    """The rates of ``sched`` at the start, during warmup, at the peak, decaying and after."""
    steps = [0, warmup // 2, warmup, (warmup + total) // 2, total - 5, total, total + 10]
    return np.array([float(sched(i)) for i in steps])


def _short_decay(got: np.ndarray, peak: float, warmup: int, total: int) -> bool:
    """Whether ``got`` is the schedule with ``decay_steps=total - warmup``."""
    import optax

    short = optax.warmup_cosine_decay_schedule(0.0, peak, warmup, total - warmup, 0.0)
    return np.allclose(got, _rates(short, warmup, total), rtol=1e-4)


_SCHED = Exercise(
    id="t18-schedules-1",
    spec=Spec(
        cases=lambda: [(1e-3, 10, 100), (0.5, 20, 60)],
        wrap=lambda f: lambda peak, warmup, total: _rates(f(peak, warmup, total), warmup, total),
        on_error=(
            OnError(
                HINT["return_schedule_function"],
                (TypeError,),
                ("object is not callable",),
            ),
        ),
        on_result=(
            OnResult(HINT["sched_decay_steps"], when=_short_decay),
            OnResult(
                HINT["sched_no_warmup"],
                when=lambda got, peak, w, t: abs(got[0]) > 1e-9 or got[1] > 0.75 * peak,
            ),
        ),
        rtol=1e-4,
        atol=1e-9,
    ),
)

# --- losses ---------------------------------------------------------------------------------


_LOSS = Exercise(
    id="t18-losses-1",
    spec=Spec(
        cases=lambda: [
            (3.0 * normal(seed, (n, c)), jax.random.randint(jax.random.key(seed + 7), (n,), 0, c))
            for seed, n, c in ((0, 8, 3), (1, 5, 10))
        ],
        also=(Also("jax.grad({})", jax.grad),),
        on_error=(OnError(HINT["loss_one_hot"], words=("shape", "broadcast", "Incompatible")),),
        on_result=(
            OnResult(HINT["loss_mean"], when=lambda got, lg, lb: np.shape(got) == lb.shape),
            OnResult(HINT["loss_softmax"], wrong=lambda ref, lg, lb: ref(jax.nn.softmax(lg), lb)),
        ),
        rtol=1e-4,
    ),
)

# --- masked ---------------------------------------------------------------------------------


def _decay_steps(opt: Any) -> list[Any]:
    """The updates of one step of ``opt`` with zero gradients, and with gradients params + 1."""
    layer = lambda seed, n, m: {"kernel": normal(seed, (n, m)), "bias": normal(seed + 1, (m,))}
    params = {"dense": layer(1, 3, 4), "out": layer(3, 4, 2)}
    grads = [jax.tree.map(jnp.zeros_like, params), jax.tree.map(lambda x: x + 1.0, params)]
    return _updates(opt, params, grads, fresh=True)


def _decayed(got: Any, leaf: str) -> list[bool]:
    """Whether the step with zero gradients moved each ``leaf`` ("bias" or "kernel")."""
    try:
        return [bool(np.abs(np.asarray(got[0][k][leaf])).max() > 0) for k in ("dense", "out")]
    except (KeyError, TypeError, IndexError, ValueError):
        return [False]


_MASK = Exercise(
    id="t18-per-param-transforms-1",
    spec=Spec(
        cases=lambda: [(0.1, 0.5), (0.01, 0.1)],
        wrap=lambda f: lambda lr, wd: _decay_steps(f(lr, wd)),
        on_error=(_NOT_OPTIMISER,),
        on_result=(
            OnResult(
                HINT["mask_none"],
                when=lambda got, *a: any(_decayed(got, "bias")) and all(_decayed(got, "kernel")),
            ),
            OnResult(HINT["mask_inverted"], when=lambda got, *a: any(_decayed(got, "bias"))),
        ),
    ),
)

EXERCISES = (_APPLY, _CLIP, _SCHED, _LOSS, _MASK)
