"""Table 8 exercises: jvp, vjp, stop_gradient, custom_jvp and custom_vjp."""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import Exercise
from ._support import CheckFailure, attempt, describe, expect_function, message_has, normal, same


def _all_shapes(closed: Any) -> set[tuple[int, ...]]:
    """Shapes of every variable in a jaxpr, sub-jaxprs (scan, cond, custom rules) included."""
    shapes: set[tuple[int, ...]] = set()

    def walk(jaxpr: Any) -> None:
        for v in list(jaxpr.invars) + list(jaxpr.constvars):
            shapes.add(tuple(getattr(v.aval, "shape", ())))
        for eqn in jaxpr.eqns:
            shapes.update(tuple(getattr(v.aval, "shape", ())) for v in eqn.outvars)
            for p in eqn.params.values():
                for item in p if isinstance(p, tuple | list) else (p,):
                    inner = getattr(item, "jaxpr", item)
                    if hasattr(inner, "eqns"):
                        walk(inner)

    walk(closed.jaxpr)
    return shapes


# --- jvp: Hessian-vector products -----------------------------------------------------------

_HVP_HINT_TUPLE = (
    "jax.jvp returns a pair (f(x), J·v); the Hessian-vector product is the second element: "
    "`_, hv = jax.jvp(jax.grad(f), (x,), (v,))`."
)
_HVP_HINT_ARGS = (
    "jax.jvp takes the primals and the tangents as tuples, one entry per argument of the "
    "function: `jax.jvp(jax.grad(f), (x,), (v,))`."
)
_HVP_HINT_HESSIAN = (
    "The numbers are right, but you built the whole n×n Hessian to multiply it by one vector. "
    "Push v through the gradient in forward mode instead: `jax.jvp(jax.grad(f), (x,), (v,))`."
)


def _hvp_hint(exc: BaseException) -> str | None:
    if isinstance(exc, TypeError) and message_has(exc, "must be tuples or lists"):
        return _HVP_HINT_ARGS
    return None


def _f_quartic(x):
    return jnp.sum(jnp.sin(x) ** 2) + jnp.sum(x**2) ** 2


def _f_logsumexp(x):
    return jax.nn.logsumexp(2.0 * x) + 0.5 * jnp.sum(x**3)


@partial(jax.jit, static_argnums=0)
def _hvp_ref(f, x, v):
    return jax.hessian(f)(x) @ v  # jitted: eager, the Hessian's many small ops are slow to run


def _check_hvp(answer: Any) -> None:
    fn = expect_function(answer, "hvp(f, x, v)")
    for f, name in ((_f_quartic, "f1"), (_f_logsumexp, "f2")):
        for seed, n in ((1, 4), (2, 7)):
            x, v = normal(seed, (n,)), normal(seed + 50, (n,))
            label = f"hvp({name}, x: float32[{n}], v: float32[{n}])"
            got = attempt(fn, f, x, v, label=label, hint_for=_hvp_hint)
            if isinstance(got, tuple | list):
                raise CheckFailure(
                    f"{label} returned a {type(got).__name__} of {len(got)}, not one array",
                    hint=_HVP_HINT_TUPLE,
                    expected="an array of shape x.shape: H(x) @ v",
                    yours=describe(got),
                )
            same(_hvp_ref(f, x, v), got, label, rtol=1e-4)
    n = 48
    x, v = normal(3, (n,)), normal(4, (n,))
    closed = jax.make_jaxpr(lambda x, v: fn(_f_quartic, x, v))(x, v)
    if (n, n) in _all_shapes(closed):
        raise CheckFailure(
            f"for x of shape ({n},) your hvp builds an array of shape ({n}, {n})",
            hint=_HVP_HINT_HESSIAN,
            expected=f"no {n}×{n} intermediate: memory O(n), not O(n²)",
            yours=f"an intermediate of shape ({n}, {n})",
        )


_JVP = Exercise(
    id="t08-jvp-1",
    title="A Hessian-vector product without the Hessian",
    signature="hvp(f, x, v)",
    reference=("def hvp(f, x, v):\n    _, hv = jax.jvp(jax.grad(f), (x,), (v,))\n    return hv\n"),
    hints=(
        "The Hessian is the Jacobian of the gradient, so H·v is a JVP of `jax.grad(f)` in "
        "direction v.",
    ),
    checker=_check_hvp,
)

# --- vjp: a weighted gradient ---------------------------------------------------------------

_VJP_HINT_TUPLE = (
    "The function jax.vjp returns gives one cotangent per input of f, in a tuple: unpack it "
    "with `(g,) = f_vjp(w)`."
)
_VJP_HINT_ORDER = (
    "w lives in the output space of f (shape (m,)), x in the input space (shape (n,)): the "
    "vector-Jacobian product is w @ J, of shape (n,). Let jax.vjp do it: "
    "`y, f_vjp = jax.vjp(f, x)` then `f_vjp(w)`."
)

_VJP_HINT_JACOBIAN = (
    "The numbers are right, but you built the whole Jacobian to multiply it by one vector. "
    "jax.vjp pulls w back without it: `y, f_vjp = jax.vjp(f, x)` then `(g,) = f_vjp(w)`."
)


def _vjp_hint(exc: BaseException) -> str | None:
    if message_has(exc, "dot_general", "matmul", "shape", "size", "Incompatible"):
        return _VJP_HINT_ORDER
    return None


def _g_mix(x):
    return jnp.stack([jnp.sum(jnp.sin(x)), jnp.prod(jnp.cos(x[:2])), x[0] * x[-1]])


def _g_tanh(x):
    m = jnp.arange(1.0, 3.0 * x.shape[0] + 1).reshape(3, -1) / 10.0
    return jnp.tanh(m @ x)


@partial(jax.jit, static_argnums=0)
def _vjp_ref(f, x, w):
    return w @ jax.jacrev(f)(x)


def _check_vjp(answer: Any) -> None:
    fn = expect_function(answer, "weighted_grad(f, x, w)")
    for f, name in ((_g_mix, "f1"), (_g_tanh, "f2")):
        for seed, n in ((1, 4), (2, 6)):
            x, w = normal(seed, (n,)), normal(seed + 50, (3,))
            label = f"weighted_grad({name}: R^{n} -> R^3, x: float32[{n}], w: float32[3])"
            got = attempt(fn, f, x, w, label=label, hint_for=_vjp_hint)
            if isinstance(got, tuple | list):
                raise CheckFailure(
                    f"{label} returned a {type(got).__name__} of {len(got)}, not an array",
                    hint=_VJP_HINT_TUPLE,
                    expected="an array of shape (n,): w @ J",
                    yours=describe(got),
                )
            want = _vjp_ref(f, x, w)
            hint = _VJP_HINT_ORDER if getattr(got, "shape", None) != want.shape else ""
            same(want, got, label, hint, rtol=1e-4)
    # _g_tanh holds a (3, n) matrix of its own, so look for a Jacobian with _g_mix only
    n = 7
    x, w = normal(3, (n,)), normal(4, (3,))
    closed = jax.make_jaxpr(lambda x, w: fn(_g_mix, x, w))(x, w)
    jacobians = {(3, n), (n, 3)} & _all_shapes(closed)
    if jacobians:
        shape = jacobians.pop()
        raise CheckFailure(
            f"for f: R^{n} -> R^3 your weighted_grad builds an array of shape {shape}",
            hint=_VJP_HINT_JACOBIAN,
            expected=f"no 3×{n} Jacobian: one backward pass of f",
            yours=f"an intermediate of shape {shape}",
        )


_VJP = Exercise(
    id="t08-vjp-1",
    title="Pull a cotangent back with jax.vjp",
    signature="weighted_grad(f, x, w)",
    reference=(
        "def weighted_grad(f, x, w):\n"
        "    _, f_vjp = jax.vjp(f, x)\n"
        "    (g,) = f_vjp(w)\n"
        "    return g\n"
    ),
    hints=(
        "`y, f_vjp = jax.vjp(f, x)` runs f forwards; `f_vjp(w)` pulls the output cotangent w "
        "back to the inputs.",
    ),
    checker=_check_vjp,
)

# --- stop_gradient: a TD target -------------------------------------------------------------

_TD_HINT_NO_STOP = (
    "Your gradient also flows through the target `r + gamma * x_next @ w`, so it moves the "
    "target towards the prediction. Treat the target as a constant: wrap it in "
    "`jax.lax.stop_gradient(...)`."
)
_TD_HINT_ALL_STOPPED = (
    "The gradient is zero: stop_gradient was put around the prediction (or the whole loss), "
    "which makes everything constant. Stop only the target."
)


def _td_reference(w, x, r, x_next, gamma):
    target = jax.lax.stop_gradient(r + gamma * (x_next @ w))
    return 0.5 * jnp.mean((target - x @ w) ** 2)


def _td_no_stop(w, x, r, x_next, gamma):
    return 0.5 * jnp.mean((r + gamma * (x_next @ w) - x @ w) ** 2)


def _check_td_loss(answer: Any) -> None:
    fn = expect_function(answer, "td_loss(w, x, r, x_next, gamma)")
    for seed, n, d in ((1, 8, 3), (2, 5, 4)):
        w, x, x_next = normal(seed, (d,)), normal(seed + 10, (n, d)), normal(seed + 20, (n, d))
        r = normal(seed + 30, (n,))
        args = (w, x, r, x_next, 0.9)
        label = f"td_loss(w: float32[{d}], x: float32[{n},{d}], r, x_next, 0.9)"
        same(_td_reference(*args), attempt(fn, *args, label=label), label)
        glabel = f"jax.grad(td_loss)(w: float32[{d}], ...)"
        got = attempt(jax.grad(fn), *args, label=glabel)
        want = jax.grad(_td_reference)(*args)
        if np.allclose(got, jax.grad(_td_no_stop)(*args), rtol=1e-4):
            hint = _TD_HINT_NO_STOP
        elif np.allclose(got, 0.0):
            hint = _TD_HINT_ALL_STOPPED
        else:
            hint = ""
        same(want, got, glabel, hint, rtol=1e-4)


_STOP = Exercise(
    id="t08-stop-gradient-1",
    title="A TD loss whose target does not move",
    signature="td_loss(w, x, r, x_next, gamma)",
    reference=(
        "def td_loss(w, x, r, x_next, gamma):\n"
        "    target = jax.lax.stop_gradient(r + gamma * (x_next @ w))\n"
        "    return 0.5 * jnp.mean((target - x @ w) ** 2)\n"
    ),
    hints=("`jax.lax.stop_gradient(v)` is v going forwards and a constant to differentiation.",),
    checker=_check_td_loss,
)

# --- custom_jvp: a norm with a finite gradient at zero --------------------------------------

_NORM_HINT_NAIVE = (
    "The derivative of sqrt at 0 is infinite, and 0 · inf is nan, so the automatic gradient of "
    "the norm at x = 0 is nan. Decorate with `@jax.custom_jvp` and give a rule whose tangent is "
    "0 there."
)
_NORM_HINT_WHERE = (
    "The `jnp.where` picks 0 going forwards, but reverse mode still differentiates the branch "
    "that was not picked, and `dot(x, t) / 0` makes it nan. Make the division itself safe: "
    "divide by `jnp.where(y == 0, 1.0, y)`."
)

_NORM_HINT_NOT_CUSTOM = (
    "Your gradients are right, but this exercise trains jax.custom_jvp: decorate safe_norm with "
    "`@jax.custom_jvp` and give it its JVP rule with `@safe_norm.defjvp`."
)


def _check_safe_norm(answer: Any) -> None:
    fn = expect_function(answer, "safe_norm(x)")
    for seed, n in ((1, 3), (2, 5)):
        x = normal(seed, (n,))
        label = f"safe_norm(x: float32[{n}])"
        same(jnp.linalg.norm(x), attempt(fn, x, label=label), label)
        glabel = f"jax.grad(safe_norm)(x: float32[{n}])"
        same(x / jnp.linalg.norm(x), attempt(jax.grad(fn), x, label=glabel), glabel, rtol=1e-4)
    zero = jnp.zeros(3)
    same(jnp.float32(0.0), attempt(fn, zero, label="safe_norm(zeros(3))"), "safe_norm(zeros(3))")
    _, tangent = attempt(
        lambda: jax.jvp(fn, (zero,), (jnp.ones(3),)), label="jax.jvp(safe_norm, (zeros(3),), ...)"
    )
    g = attempt(jax.grad(fn), zero, label="jax.grad(safe_norm)(zeros(3))")
    if not np.all(np.isfinite(np.asarray(g))):
        hint = _NORM_HINT_WHERE if np.all(np.isfinite(np.asarray(tangent))) else _NORM_HINT_NAIVE
        raise CheckFailure(
            "jax.grad(safe_norm)(zeros(3)) is not finite",
            hint=hint,
            expected="array float32[3] [0, 0, 0]",
            yours=describe(g),
        )
    same(jnp.zeros(3), g, "jax.grad(safe_norm)(zeros(3))")
    jg = attempt(jax.jit(jax.grad(fn)), zero, label="jax.jit(jax.grad(safe_norm))(zeros(3))")
    same(jnp.zeros(3), jg, "jax.jit(jax.grad(safe_norm))(zeros(3))")
    if not any(isinstance(f, jax.custom_jvp) for f in (fn, getattr(fn, "__wrapped__", None))):
        raise CheckFailure(
            "safe_norm is not a jax.custom_jvp function",
            hint=_NORM_HINT_NOT_CUSTOM,
            expected="a function decorated with @jax.custom_jvp, with a rule from .defjvp",
            yours=f"{type(fn).__name__} {getattr(fn, '__name__', '')}".strip(),
        )


_CUSTOM_JVP = Exercise(
    id="t08-custom-jvp-1",
    title="A Euclidean norm whose gradient at zero is finite",
    signature="safe_norm(x)",
    reference=(
        "@jax.custom_jvp\n"
        "def safe_norm(x):\n"
        "    return jnp.sqrt(jnp.sum(x**2))\n\n"
        "@safe_norm.defjvp\n"
        "def _safe_norm_jvp(primals, tangents):\n"
        "    (x,), (t,) = primals, tangents\n"
        "    y = safe_norm(x)\n"
        "    safe_y = jnp.where(y == 0, 1.0, y)\n"
        "    return y, jnp.where(y == 0, 0.0, jnp.dot(x, t) / safe_y)\n"
    ),
    hints=(
        "A custom_jvp rule receives (primals, tangents) and returns (output, output tangent); "
        "grad is derived from it.",
    ),
    checker=_check_safe_norm,
)

# --- custom_vjp: gradient reversal ----------------------------------------------------------

_REV_HINT_FORWARD = (
    "Negating x changes the forward value too. The layer must be the identity going forwards "
    "and negate only the cotangent in its backward rule: use `jax.custom_vjp`."
)
_REV_HINT_TUPLE = (
    "A custom_vjp backward rule returns a tuple with one cotangent per input of the function: "
    "`return (-g,)`, not `return -g`."
)
_REV_HINT_STOP = (
    "stop_gradient zeroes the gradient; this layer must pass it back negated. Write a "
    "`jax.custom_vjp` whose backward rule returns `(-g,)`."
)


def _rev_hint(exc: BaseException) -> str | None:
    if isinstance(exc, TypeError) and message_has(exc, "bwd"):
        return _REV_HINT_TUPLE
    return None


def _check_reverse_grad(answer: Any) -> None:
    fn = expect_function(answer, "reverse_grad(x)")
    for seed, shape in ((1, (4,)), (2, (2, 3))):
        x = normal(seed, shape)
        label = f"reverse_grad(x: float32{list(shape)})"
        same(x, attempt(fn, x, label=label, hint_for=_rev_hint), label, _REV_HINT_FORWARD)

        def loss(x):
            return jnp.sum(jnp.sin(fn(x)) * 3.0)

        glabel = f"jax.grad(lambda x: sum(sin(reverse_grad(x)) * 3))(x: float32{list(shape)})"
        got = attempt(jax.grad(loss), x, label=glabel, hint_for=_rev_hint)
        want = -3.0 * jnp.cos(x)
        hint = _REV_HINT_STOP if np.allclose(got, 0.0) else ""
        same(want, got, glabel, hint, rtol=1e-4)
    jitted = jax.jit(jax.grad(lambda x: jnp.sum(fn(x) ** 2)))
    x = normal(3, (5,))
    same(-2.0 * x, attempt(jitted, x, label="jax.jit(jax.grad(...))", hint_for=_rev_hint), "jit")


_CUSTOM_VJP = Exercise(
    id="t08-custom-vjp-1",
    title="A gradient-reversal layer",
    signature="reverse_grad(x)",
    reference=(
        "@jax.custom_vjp\n"
        "def reverse_grad(x):\n"
        "    return x\n\n"
        "def _reverse_fwd(x):\n"
        "    return x, None\n\n"
        "def _reverse_bwd(residuals, g):\n"
        "    return (-g,)\n\n"
        "reverse_grad.defvjp(_reverse_fwd, _reverse_bwd)\n"
    ),
    hints=(
        "custom_vjp needs fwd(x) -> (output, residuals) and bwd(residuals, g) -> a tuple of "
        "input cotangents.",
    ),
    checker=_check_reverse_grad,
)

EXERCISES = (_JVP, _VJP, _STOP, _CUSTOM_JVP, _CUSTOM_VJP)
