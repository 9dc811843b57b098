"""Table 8 exercises: jvp, vjp, stop_gradient, custom_jvp and custom_vjp."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import Exercise
from ._support import Also, CheckFailure, OnError, OnResult, Spec, hints_of, normal

HINT = hints_of(__name__)


def _all_shapes(jaxpr: Any) -> set[tuple[int, ...]]:
    """Shapes of every variable in a jaxpr, sub-jaxprs (scan, cond, custom rules) included."""
    jaxpr = getattr(jaxpr, "jaxpr", jaxpr)
    outs = [v for eqn in jaxpr.eqns for v in eqn.outvars]
    shapes = {tuple(getattr(v.aval, "shape", ())) for v in [*jaxpr.invars, *jaxpr.constvars, *outs]}
    for eqn in jaxpr.eqns:
        for p in eqn.params.values():
            for item in p if isinstance(p, tuple | list) else (p,):
                if hasattr(getattr(item, "jaxpr", item), "eqns"):
                    shapes |= _all_shapes(item)
    return shapes


def _no_matrix(f: Any, n: int, m: int, hint: str) -> Any:
    """An extra: ``answer(f, x, w)`` with x of shape (n,), w of (m,) makes no (m, n) or (n, m)."""

    def check(fn: Any, ref: Any) -> None:
        closed = jax.make_jaxpr(lambda x, w: fn(f, x, w))(normal(3, (n,)), normal(4, (m,)))
        if found := {(m, n), (n, m)} & _all_shapes(closed):
            raise CheckFailure(
                f"for x of shape ({n},) your function builds an array of shape {min(found)}",
                hint=hint,
                expected=f"no {m}×{n} intermediate: memory O(n), not O(n·m)",
                yours=f"an intermediate of shape {min(found)}",
            )

    return check


def _sequence(got: Any, *args: Any) -> bool:
    return isinstance(got, tuple | list)


# --- jvp: Hessian-vector products -----------------------------------------------------------


def _f_quartic(x):
    return jnp.sum(jnp.sin(x) ** 2) + jnp.sum(x**2) ** 2


def _f_logsumexp(x):
    return jax.nn.logsumexp(2.0 * x) + 0.5 * jnp.sum(x**3)


_JVP = Exercise(
    id="t08-jvp-1",
    spec=Spec(
        cases=lambda: [
            (f, normal(seed, (n,)), normal(seed + 50, (n,)))
            for f in (_f_quartic, _f_logsumexp)
            for seed, n in ((1, 4), (2, 7))
        ],
        on_error=(OnError(HINT["hvp_args"], (TypeError,), ("must be tuples or lists",)),),
        on_result=(OnResult(HINT["hvp_tuple"], when=_sequence),),
        rtol=1e-4,
        extra=_no_matrix(_f_quartic, 48, 48, HINT["hvp_hessian"]),
    ),
)

# --- vjp: a weighted gradient ---------------------------------------------------------------


def _g_mix(x):
    return jnp.stack([jnp.sum(jnp.sin(x)), jnp.prod(jnp.cos(x[:2])), x[0] * x[-1]])


def _g_tanh(x):
    m = jnp.arange(1.0, 3.0 * x.shape[0] + 1).reshape(3, -1) / 10.0
    return jnp.tanh(m @ x)


_VJP = Exercise(
    id="t08-vjp-1",
    spec=Spec(
        cases=lambda: [
            (f, normal(seed, (n,)), normal(seed + 50, (3,)))
            for f in (_g_mix, _g_tanh)
            for seed, n in ((1, 4), (2, 6))
        ],
        on_error=(
            OnError(
                HINT["vjp_order"], words=("dot_general", "matmul", "shape", "size", "Incompatible")
            ),
        ),
        on_result=(
            OnResult(HINT["vjp_tuple"], when=_sequence),
            OnResult(
                HINT["vjp_order"], when=lambda got, f, x, w: getattr(got, "shape", 0) != x.shape
            ),
        ),
        rtol=1e-4,
        # _g_tanh holds a (3, n) matrix of its own, so look for a Jacobian with _g_mix only
        extra=_no_matrix(_g_mix, 7, 3, HINT["vjp_jacobian"]),
    ),
)

# --- stop_gradient: a TD target -------------------------------------------------------------


def _td_no_stop(w, x, r, x_next, gamma):
    return 0.5 * jnp.mean((r + gamma * (x_next @ w) - x @ w) ** 2)


_STOP = Exercise(
    id="t08-stop-gradient-1",
    spec=Spec(
        cases=lambda: [
            (
                normal(s, (d,)),
                normal(s + 10, (n, d)),
                normal(s + 30, (n,)),
                normal(s + 20, (n, d)),
                0.9,
            )
            for s, n, d in ((1, 8, 3), (2, 5, 4))
        ],
        also=(Also("jax.grad({})", jax.grad, rtol=1e-4),),
        on_result=(
            OnResult(HINT["td_no_stop"], wrong=lambda ref, *args: jax.grad(_td_no_stop)(*args)),
            OnResult(HINT["td_all_stopped"], wrong=lambda ref, w, *args: jnp.zeros_like(w)),
        ),
    ),
)

# --- custom_jvp: a norm with a finite gradient at zero --------------------------------------


def _norm_inputs() -> list[tuple]:
    return [(normal(1, (3,)),), (normal(2, (5,)),)]


def _zero() -> list[tuple]:
    return [(jnp.zeros(3),)]


def _not_finite(got: Any, x: Any) -> bool:
    return isinstance(got, jax.Array) and not bool(jnp.all(jnp.isfinite(got)))


def _finite_tangent_at_zero(fn: Any) -> bool:
    """Whether the forward-mode tangent of ``fn`` at zeros(3) is finite (a guarded rule)."""
    try:
        _, tangent = jax.jvp(fn, (jnp.zeros(3),), (jnp.ones(3),))
    except Exception:  # noqa: BLE001 - the learner's code may raise anything
        return False
    return bool(np.all(np.isfinite(np.asarray(tangent))))


def _custom_jvp(fn: Any, ref: Any) -> None:
    if not any(isinstance(f, jax.custom_jvp) for f in (fn, getattr(fn, "__wrapped__", None))):
        raise CheckFailure(
            "safe_norm is not a jax.custom_jvp function",
            hint=HINT["norm_not_custom"],
            expected="a function decorated with @jax.custom_jvp, with a rule from .defjvp",
            yours=f"{type(fn).__name__} {getattr(fn, '__name__', '')}".strip(),
        )


_CUSTOM_JVP = Exercise(
    id="t08-custom-jvp-1",
    spec=Spec(
        cases=lambda: [*_norm_inputs(), *_zero()],
        also=(
            Also("jax.grad({})", jax.grad, cases=_norm_inputs, rtol=1e-4),
            Also("jax.grad({})", jax.grad, cases=_zero),
            Also(
                "jax.jvp({}, (x,), (ones,))",
                lambda f: lambda x: jax.jvp(f, (x,), (jnp.ones_like(x),)),
                cases=_zero,
            ),
            Also("jax.jit(jax.grad({}))", lambda f: jax.jit(jax.grad(f)), cases=_zero),
        ),
        on_result=(
            OnResult(HINT["norm_where"], when=_not_finite, answer=_finite_tangent_at_zero),
            OnResult(HINT["norm_naive"], when=_not_finite),
        ),
        extra=_custom_jvp,
    ),
)

# --- custom_vjp: gradient reversal ----------------------------------------------------------


def _rev_inputs() -> list[tuple]:
    return [(normal(1, (4,)),), (normal(2, (2, 3)),)]


_CUSTOM_VJP = Exercise(
    id="t08-custom-vjp-1",
    # the gradients are taken of losses with a scale s, so a result of one argument is a forward one
    spec=Spec(
        cases=_rev_inputs,
        also=(
            Also(
                "jax.grad(lambda x, s: sum(sin({}(x)) * s))",
                lambda f: jax.grad(lambda x, s: jnp.sum(jnp.sin(f(x)) * s)),
                cases=lambda: [(*args, 3.0) for args in _rev_inputs()],
                rtol=1e-4,
            ),
            Also(
                "jax.jit(jax.grad(lambda x, s: sum(s * {}(x) ** 2)))",
                lambda f: jax.jit(jax.grad(lambda x, s: jnp.sum(s * f(x) ** 2))),
                cases=lambda: [(normal(3, (5,)), 1.0)],
            ),
        ),
        on_error=(OnError(HINT["rev_tuple"], (TypeError,), ("bwd",)),),
        on_result=(
            OnResult(HINT["rev_forward"], when=lambda got, *args: len(args) == 1),
            OnResult(HINT["rev_stop"], when=lambda got, *args: np.allclose(got, 0.0)),
        ),
    ),
)

EXERCISES = (_JVP, _VJP, _STOP, _CUSTOM_JVP, _CUSTOM_VJP)
