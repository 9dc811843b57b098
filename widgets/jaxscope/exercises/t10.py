"""Table 10 exercises: cond, switch, while_loop, scan and differentiating through loops."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import Exercise, Mistake
from ._support import (
    CheckFailure,
    attempt,
    describe,
    expect_function,
    message_has,
    primitive_names,
    same,
)


def _stub(signature: str) -> str:
    return f"def {signature}:\n    ...  # your code here\n    raise NotImplementedError\n"


def _normal(seed: int, shape: tuple[int, ...]) -> jax.Array:
    return jax.random.normal(jax.random.key(seed), shape, jnp.float32)


_PY_IF_HINT = (
    "A Python `if` or `while` needs a concrete True/False, but under jit the condition is a "
    "tracer. Decide at run time with JAX's control flow instead."
)


def _is_bool_conversion(exc: BaseException) -> bool:
    return isinstance(exc, jax.errors.ConcretizationTypeError) or message_has(
        exc, "truth value of an array"
    )


# --- cond -----------------------------------------------------------------------------------

_COND_HINT_IF = (
    "`if norm > 1:` asks Python for a concrete bool, but under jit the norm is a tracer. Let JAX "
    "choose at run time: `jax.lax.cond(norm > 1, lambda x: x / norm, lambda x: x, x)`."
)
_COND_HINT_CALLABLE = (
    "lax.cond takes two **functions** and the operands to call them with: "
    "`jax.lax.cond(pred, lambda x: x / norm, lambda x: x, x)`, not the two values."
)

_COND_HINT_UNCHANGED = (
    "A vector with norm above 1 came back unchanged: it must be scaled back onto the unit ball, "
    "`x / norm`. Check the condition `norm > 1` and which branch divides."
)
_COND_HINT_OUTSIDE = (
    "For a norm above 1 the result must be `x / norm`: the same direction, with norm exactly 1 "
    "(divide by the norm itself, and don't clip the entries one by one)."
)
_COND_HINT_INSIDE = "A vector with norm at most 1 is already in the ball: return it unchanged."


def _cond_hint(exc: BaseException) -> str | None:
    if _is_bool_conversion(exc):
        return _COND_HINT_IF
    if isinstance(exc, TypeError) and message_has(exc, "callable"):
        return _COND_HINT_CALLABLE
    return None


def _normalise_ref(x):
    n = jnp.linalg.norm(x)
    return jnp.where(n > 1, x / n, x)


def _cond_value_hint(x: jax.Array, got: Any) -> str:
    """The hint for a wrong result on ``x``: outside the ball, unchanged or not a unit vector."""
    if getattr(got, "shape", None) != x.shape:
        return ""
    outside = float(jnp.linalg.norm(x)) > 1
    if outside and np.allclose(np.asarray(got), np.asarray(x)):
        return _COND_HINT_UNCHANGED
    return _COND_HINT_OUTSIDE if outside else _COND_HINT_INSIDE


def _check_normalise(answer: Any) -> None:
    fn = expect_function(answer, "clip_to_unit_ball(x)")
    jitted = jax.jit(fn)
    cases = [
        _normal(1, (4,)) * 3,
        _normal(2, (4,)) * 0.1,
        jnp.array([0.5, 0.5, 0.5, 0.5]),
        jnp.array([3.0, 4.0, 0.0, 0.0]),
        _normal(3, (4,)) * 2,
    ]
    for x in cases:
        for name, f in (("clip_to_unit_ball", fn), ("jax.jit(clip_to_unit_ball)", jitted)):
            label = f"{name}(x with norm {float(jnp.linalg.norm(x)):.3g})"
            got = attempt(f, x, label=label, hint_for=_cond_hint)
            same(_normalise_ref(x), got, label, _cond_value_hint(x, got))
    if jitted._cache_size() != 1:
        raise CheckFailure(
            f"jax.jit(clip_to_unit_ball) compiled {jitted._cache_size()} times",
            hint="the choice must happen at run time, inside one compiled program",
        )


_COND = Exercise(
    id="t10-cond-1",
    concept="cond",
    title="Project onto the unit ball, decided at run time",
    prompt=(
        "Write `clip_to_unit_ball(x)`: if the Euclidean norm of `x` is larger than 1, return "
        "`x / norm`, otherwise return `x` unchanged. It must work under `jax.jit`, where the "
        "norm is a tracer: choose the branch with `jax.lax.cond`."
    ),
    difficulty=1,
    answer_name="clip_to_unit_ball",
    stub=_stub("clip_to_unit_ball(x)"),
    reference=(
        "def clip_to_unit_ball(x):\n"
        "    norm = jnp.linalg.norm(x)\n"
        "    return jax.lax.cond(norm > 1, lambda v: v / norm, lambda v: v, x)\n"
    ),
    hints=("lax.cond(pred, true_fun, false_fun, *operands) runs one of two functions.",),
    mistakes=(
        Mistake(
            "python_if",
            "def clip_to_unit_ball(x):\n"
            "    norm = jnp.linalg.norm(x)\n"
            "    if norm > 1:\n"
            "        return x / norm\n"
            "    return x\n",
            _COND_HINT_IF,
        ),
        Mistake(
            "values_not_functions",
            "def clip_to_unit_ball(x):\n"
            "    norm = jnp.linalg.norm(x)\n"
            "    return jax.lax.cond(norm > 1, x / norm, x)\n",
            _COND_HINT_CALLABLE,
        ),
        Mistake("identity", "def clip_to_unit_ball(x):\n    return x\n", _COND_HINT_UNCHANGED),
        Mistake(
            "divides_by_norm_squared",
            "def clip_to_unit_ball(x):\n"
            "    norm = jnp.linalg.norm(x)\n"
            "    return jax.lax.cond(norm > 1, lambda v: v / norm**2, lambda v: v, x)\n",
            _COND_HINT_OUTSIDE,
        ),
        Mistake(
            "clips_entries",
            "def clip_to_unit_ball(x):\n    return jnp.clip(x, -1, 1)\n",
            _COND_HINT_OUTSIDE,
        ),
        Mistake(
            "always_divides",
            "def clip_to_unit_ball(x):\n    return x / jnp.linalg.norm(x)\n",
            _COND_HINT_INSIDE,
        ),
    ),
    checker=_check_normalise,
    alternatives=(
        "def clip_to_unit_ball(x):\n"
        "    norm = jnp.linalg.norm(x)\n"
        "    return jax.lax.cond(norm > 1, lambda: x / norm, lambda: x)\n",
    ),
)

# --- switch ---------------------------------------------------------------------------------

_SWITCH_HINT_INDEX = (
    "Indexing a Python list with `kind` needs a concrete int, but under jit and vmap `kind` is "
    "a tracer. `jax.lax.switch(kind, [relu, tanh, sigmoid], x)` picks the branch at run time."
)
_SWITCH_HINT_IF = (
    "`if kind == 0:` asks Python for a concrete bool, but `kind` is traced. A chain of Python "
    "ifs becomes one `jax.lax.switch(kind, branches, x)`."
)


def _switch_hint(exc: BaseException) -> str | None:
    if isinstance(exc, jax.errors.TracerIntegerConversionError) or message_has(exc, "__index__"):
        return _SWITCH_HINT_INDEX
    if _is_bool_conversion(exc):
        return _SWITCH_HINT_IF
    return None


_ACTS = (jax.nn.relu, jnp.tanh, jax.nn.sigmoid)


def _check_activate(answer: Any) -> None:
    fn = expect_function(answer, "activate(kind, x)")
    x = _normal(1, (5,)) * 2
    jitted = jax.jit(fn)
    for kind in (0, 1, 2):
        for name, f in (("activate", fn), ("jax.jit(activate)", jitted)):
            label = f"{name}(jnp.int32({kind}), x: float32[5])"
            got = attempt(f, jnp.int32(kind), x, label=label, hint_for=_switch_hint)
            same(_ACTS[kind](x), got, label)
    kinds = jnp.array([2, 0, 1, 1], jnp.int32)
    xs = _normal(2, (4, 3))
    label = "jax.vmap(activate)(kinds: int32[4], xs: float32[4,3])"
    got = attempt(jax.vmap(fn), kinds, xs, label=label, hint_for=_switch_hint)
    same(jnp.stack([_ACTS[int(k)](r) for k, r in zip(kinds, xs, strict=True)]), got, label)


_SWITCH = Exercise(
    id="t10-switch-1",
    concept="switch",
    title="Choose an activation by a traced index",
    prompt=(
        "Write `activate(kind, x)` where `kind` is an int32 scalar **array**: 0 applies "
        "`jax.nn.relu`, 1 `jnp.tanh`, 2 `jax.nn.sigmoid`. The check calls it under `jax.jit` and "
        "under `jax.vmap` with a different kind per example."
    ),
    difficulty=1,
    answer_name="activate",
    stub=_stub("activate(kind, x)"),
    reference=(
        "def activate(kind, x):\n"
        "    return jax.lax.switch(kind, [jax.nn.relu, jnp.tanh, jax.nn.sigmoid], x)\n"
    ),
    hints=("lax.switch(index, branches, *operands) runs branches[index] on the operands.",),
    mistakes=(
        Mistake(
            "python_list_index",
            "def activate(kind, x):\n    return [jax.nn.relu, jnp.tanh, jax.nn.sigmoid][kind](x)\n",
            _SWITCH_HINT_INDEX,
        ),
        Mistake(
            "python_if_chain",
            "def activate(kind, x):\n"
            "    if kind == 0:\n"
            "        return jax.nn.relu(x)\n"
            "    if kind == 1:\n"
            "        return jnp.tanh(x)\n"
            "    return jax.nn.sigmoid(x)\n",
            _SWITCH_HINT_IF,
        ),
    ),
    checker=_check_activate,
)

# --- while_loop -----------------------------------------------------------------------------

_WHILE_HINT_PY = (
    "A Python `while x < limit:` needs a concrete bool, but under jit `x` is a tracer. Put the "
    "state in a carry and use `jax.lax.while_loop(cond_fun, body_fun, (x, 0))`."
)
_WHILE_HINT_STATE = (
    "lax.while_loop returns the whole final state, `(value, count)` here, not the count alone: "
    "return its second item, `jax.lax.while_loop(...)[1]`."
)
_WHILE_HINT_FLOAT = (
    "Your count came back as a float: `count + 1.0` turned the int counter into a float. Keep "
    "the carry's dtypes fixed: start from `0` and add `1`."
)


def _while_hint(exc: BaseException) -> str | None:
    if _is_bool_conversion(exc):
        return _WHILE_HINT_PY
    return None


def _doublings_ref(x, limit):
    return jax.lax.while_loop(lambda s: s[0] < limit, lambda s: (s[0] * 2, s[1] + 1), (x, 0))[1]


def _while_value_hint(x: float, want: jax.Array, got: Any) -> str:
    """The hint for a wrong result: the whole state, the final value, or a float count."""
    if isinstance(got, tuple | list) and len(got) == 2:
        return _WHILE_HINT_STATE
    if not jnp.issubdtype(getattr(got, "dtype", np.dtype("int32")), jnp.floating):
        return ""
    if np.shape(got) == () and np.isclose(float(got), x * 2.0 ** int(want)):
        return _WHILE_HINT_STATE
    if np.shape(got) == () and float(got) == int(want):
        return _WHILE_HINT_FLOAT
    return ""


def _check_doublings(answer: Any) -> None:
    fn = expect_function(answer, "doublings(x, limit)")
    jitted = jax.jit(fn)
    for x, limit in ((1.0, 100.0), (3.0, 2.0), (0.1, 1000.0), (5.0, 5.0)):
        for name, f in (("doublings", fn), ("jax.jit(doublings)", jitted)):
            label = f"{name}({x}, {limit})"
            got = attempt(f, jnp.float32(x), jnp.float32(limit), label=label, hint_for=_while_hint)
            want = _doublings_ref(jnp.float32(x), jnp.float32(limit))
            same(want, got, label, _while_value_hint(x, want, got))


_WHILE = Exercise(
    id="t10-while-loop-1",
    concept="while-loop",
    title="Count doublings with a loop decided at run time",
    prompt=(
        "Write `doublings(x, limit)` for positive float32 scalars: how many times must `x` be "
        "doubled until it is at least `limit`? Return an int32 count (0 if `x >= limit` "
        "already). The check calls it under `jax.jit`, so the number of iterations is only "
        "known at run time: use `jax.lax.while_loop`."
    ),
    difficulty=2,
    answer_name="doublings",
    stub=_stub("doublings(x, limit)"),
    reference=(
        "def doublings(x, limit):\n"
        "    def cond_fun(state):\n"
        "        value, count = state\n"
        "        return value < limit\n\n"
        "    def body_fun(state):\n"
        "        value, count = state\n"
        "        return value * 2, count + 1\n\n"
        "    return jax.lax.while_loop(cond_fun, body_fun, (x, 0))[1]\n"
    ),
    hints=("while_loop(cond_fun, body_fun, init) carries a state; cond_fun says when to stop.",),
    mistakes=(
        Mistake(
            "python_while",
            "def doublings(x, limit):\n"
            "    count = 0\n"
            "    while x < limit:\n"
            "        x, count = x * 2, count + 1\n"
            "    return jnp.int32(count)\n",
            _WHILE_HINT_PY,
        ),
        Mistake(
            "float_counter",
            "def doublings(x, limit):\n"
            "    return jax.lax.while_loop(\n"
            "        lambda s: s[0] < limit, lambda s: (s[0] * 2, s[1] + 1.0), (x, 0)\n"
            "    )[1]\n",
            _WHILE_HINT_FLOAT,
        ),
        Mistake(
            "returns_value",
            "def doublings(x, limit):\n"
            "    return jax.lax.while_loop(\n"
            "        lambda s: s[0] < limit, lambda s: (s[0] * 2, s[1] + 1), (x, 0)\n"
            "    )[0]\n",
            _WHILE_HINT_STATE,
        ),
        Mistake(
            "returns_state",
            "def doublings(x, limit):\n"
            "    return jax.lax.while_loop(\n"
            "        lambda s: s[0] < limit, lambda s: (s[0] * 2, s[1] + 1), (x, 0)\n"
            "    )\n",
            _WHILE_HINT_STATE,
        ),
    ),
    checker=_check_doublings,
)

# --- scan -----------------------------------------------------------------------------------

_SCAN_HINT_LOOP = (
    "The values are right, but a Python loop is unrolled while tracing: the jaxpr gets one copy "
    "of the body per time step. `jax.lax.scan(step, xs[0], xs)` compiles the body once."
)
_SCAN_HINT_FINAL = (
    "scan returns (final carry, stacked outputs); the exercise wants every step's average, "
    "so return the stacked outputs, and make `step` emit the new average as its output."
)


def _ema_ref(xs, alpha):
    def step(s, x):
        s = alpha * x + (1 - alpha) * s
        return s, s

    return jax.lax.scan(step, xs[0], xs)[1]


def _eqn_count(fn: Any, *args: Any) -> int:
    return len(primitive_names(jax.make_jaxpr(fn)(*args).jaxpr))


def _check_ema(answer: Any) -> None:
    fn = expect_function(answer, "ema(xs, alpha)")
    for seed, shape in ((1, (6,)), (2, (5, 3))):
        xs = _normal(seed, shape)
        label = f"ema(xs: float32{list(shape)}, 0.3)"
        got = attempt(fn, xs, 0.3, label=label)
        want = _ema_ref(xs, 0.3)
        hint = _SCAN_HINT_FINAL if getattr(got, "shape", None) == want.shape[1:] else ""
        same(want, got, label, hint)
    small = _eqn_count(fn, _normal(3, (8,)), 0.5)
    big = _eqn_count(fn, _normal(4, (64,)), 0.5)
    prims = primitive_names(jax.make_jaxpr(fn)(_normal(4, (64,)), 0.5).jaxpr)
    if big > small or "scan" not in prims:
        raise CheckFailure(
            "the jaxpr of ema grows with the length of the sequence"
            if big > small
            else "ema has no scan",
            hint=_SCAN_HINT_LOOP,
            expected="a scan whose jaxpr is the same size for 8 and 64 steps",
            yours=f"{small} equations for 8 steps, {big} for 64; primitives {sorted(set(prims))}",
        )


_SCAN = Exercise(
    id="t10-scan-1",
    concept="scan",
    title="An exponential moving average with scan",
    prompt=(
        "Write `ema(xs, alpha)` returning the exponential moving average of the sequence `xs` "
        "(leading axis = time) at **every** step: `s[0] = xs[0]`, then "
        "`s[t] = alpha * xs[t] + (1 - alpha) * s[t-1]`. The output has the shape of `xs`. Use "
        "`jax.lax.scan`; the check makes sure the jaxpr does not grow with the sequence length."
    ),
    difficulty=2,
    answer_name="ema",
    stub=_stub("ema(xs, alpha)"),
    reference=(
        "def ema(xs, alpha):\n"
        "    def step(s, x):\n"
        "        s = alpha * x + (1 - alpha) * s\n"
        "        return s, s\n\n"
        "    _, averages = jax.lax.scan(step, xs[0], xs)\n"
        "    return averages\n"
    ),
    hints=("scan(step, init, xs): step(carry, x) -> (new carry, output); outputs are stacked.",),
    mistakes=(
        Mistake(
            "python_loop",
            "def ema(xs, alpha):\n"
            "    s, out = xs[0], []\n"
            "    for x in xs:\n"
            "        s = alpha * x + (1 - alpha) * s\n"
            "        out.append(s)\n"
            "    return jnp.stack(out)\n",
            _SCAN_HINT_LOOP,
        ),
        Mistake(
            "returns_final_carry",
            "def ema(xs, alpha):\n"
            "    def step(s, x):\n"
            "        return alpha * x + (1 - alpha) * s, None\n\n"
            "    return jax.lax.scan(step, xs[0], xs)[0]\n",
            _SCAN_HINT_FINAL,
        ),
    ),
    checker=_check_ema,
)

# --- differentiating through a loop ---------------------------------------------------------

_NEWTON_HINT_WHILE = (
    "Reverse mode cannot go back through lax.while_loop: the number of steps is unknown when "
    "the backward pass is built. Run a fixed number of steps: "
    "`jax.lax.fori_loop(0, 20, body, x0)` with Python-int bounds becomes a scan, which grad "
    "supports."
)
_NEWTON_HINT_PY_WHILE = (
    "A Python `while` on a traced value fails under jit (the condition is a tracer). A fixed "
    "number of Newton steps is enough: `jax.lax.fori_loop(0, 20, body, x0)`."
)


def _newton_hint(exc: BaseException) -> str | None:
    if message_has(exc, "Reverse-mode differentiation does not work"):
        return _NEWTON_HINT_WHILE
    if _is_bool_conversion(exc):
        return _NEWTON_HINT_PY_WHILE
    return None


def _check_newton(answer: Any) -> None:
    fn = expect_function(answer, "newton_sqrt(a)")
    for a in (2.0, 9.0, 0.25, 50.0):
        label = f"newton_sqrt({a})"
        got = attempt(fn, jnp.float32(a), label=label, hint_for=_newton_hint)
        same(jnp.sqrt(jnp.float32(a)), got, label, rtol=1e-4)
        glabel = f"jax.jit(jax.grad(newton_sqrt))({a})"
        g = attempt(jax.jit(jax.grad(fn)), jnp.float32(a), label=glabel, hint_for=_newton_hint)
        same(0.5 / jnp.sqrt(jnp.float32(a)), g, glabel, rtol=1e-3)
    xs = jnp.array([1.0, 4.0, 16.0])
    label = "jax.vmap(jax.grad(newton_sqrt))([1, 4, 16])"
    g = attempt(jax.vmap(jax.grad(fn)), xs, label=label, hint_for=_newton_hint)
    same(jnp.array([0.5, 0.25, 0.125]), g, label, rtol=1e-3)
    if not np.all(np.isfinite(np.asarray(g))):
        raise CheckFailure("the gradient is not finite", yours=describe(g))


_NEWTON = Exercise(
    id="t10-control-flow-autodiff-1",
    concept="control-flow-autodiff",
    title="A differentiable Newton square root",
    prompt=(
        "Write `newton_sqrt(a)` for a positive float32 scalar: start from `x = a` (or `1.0`) and "
        "apply the Newton step `x = 0.5 * (x + a / x)` **20 times**. It must work under "
        "`jax.jit(jax.grad(newton_sqrt))`, giving `0.5 / sqrt(a)`: pick a loop that reverse mode "
        "can go back through."
    ),
    difficulty=2,
    answer_name="newton_sqrt",
    stub=_stub("newton_sqrt(a)"),
    reference=(
        "def newton_sqrt(a):\n"
        "    body = lambda i, x: 0.5 * (x + a / x)\n"
        "    return jax.lax.fori_loop(0, 20, body, a)\n"
    ),
    hints=(
        "grad supports scan, and fori_loop with Python-int bounds (which becomes a scan); "
        "not while_loop.",
    ),
    mistakes=(
        Mistake(
            "while_until_converged",
            "def newton_sqrt(a):\n"
            "    cond = lambda x: jnp.abs(x * x - a) > 1e-6 * a\n"
            "    body = lambda x: 0.5 * (x + a / x)\n"
            "    return jax.lax.while_loop(cond, body, a)\n",
            _NEWTON_HINT_WHILE,
        ),
        Mistake(
            "python_while",
            "def newton_sqrt(a):\n"
            "    x = a\n"
            "    while jnp.abs(x * x - a) > 1e-6 * a:\n"
            "        x = 0.5 * (x + a / x)\n"
            "    return x\n",
            _NEWTON_HINT_PY_WHILE,
        ),
    ),
    checker=_check_newton,
)

EXERCISES = (_COND, _SWITCH, _WHILE, _SCAN, _NEWTON)
