"""Table 10 exercises: cond, switch, while_loop, scan and differentiating through loops."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import Exercise
from ._support import (
    Also,
    OnError,
    OnResult,
    Spec,
    normal,
)

_PY_IF_HINT = (
    "A Python `if` or `while` needs a concrete True/False, but under jit the condition is a "
    "tracer. Decide at run time with JAX's control flow instead."
)


def _bool_errors(hint: str) -> tuple[OnError, ...]:
    """A Python bool() of a tracer: `if`/`while` on a traced value."""
    return (
        OnError(hint, (jax.errors.ConcretizationTypeError,)),
        OnError(hint, words=("truth value of an array",)),
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


def _outside(x: jax.Array) -> bool:
    return float(jnp.linalg.norm(x)) > 1


def _same_shape(got: Any, x: jax.Array) -> bool:
    return getattr(got, "shape", None) == x.shape


_COND = Exercise(
    id="t10-cond-1",
    title="Project onto the unit ball, decided at run time",
    hints=("lax.cond(pred, true_fun, false_fun, *operands) runs one of two functions.",),
    spec=Spec(
        cases=lambda: [
            (normal(1, (4,)) * 3,),
            (normal(2, (4,)) * 0.1,),
            (jnp.array([0.5, 0.5, 0.5, 0.5]),),
            (jnp.array([3.0, 4.0, 0.0, 0.0]),),
            (normal(3, (4,)) * 2,),
        ],
        jit={},
        compiles_once=True,
        compiles_hint="the choice must happen at run time, inside one compiled program",
        on_error=(
            *_bool_errors(_COND_HINT_IF),
            OnError(_COND_HINT_CALLABLE, (TypeError,), ("callable",)),
        ),
        on_result=(
            OnResult(
                _COND_HINT_UNCHANGED,
                when=lambda got, x: (
                    _same_shape(got, x)
                    and _outside(x)
                    and np.allclose(np.asarray(got), np.asarray(x))
                ),
            ),
            OnResult(_COND_HINT_OUTSIDE, when=lambda got, x: _same_shape(got, x) and _outside(x)),
            OnResult(_COND_HINT_INSIDE, when=_same_shape),
        ),
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


_SWITCH = Exercise(
    id="t10-switch-1",
    title="Choose an activation by a traced index",
    hints=("lax.switch(index, branches, *operands) runs branches[index] on the operands.",),
    spec=Spec(
        cases=lambda: [(jnp.int32(kind), normal(1, (5,)) * 2) for kind in (0, 1, 2)],
        jit={},
        also=(
            Also(
                "jax.vmap({})",
                jax.vmap,
                cases=lambda: [(jnp.array([2, 0, 1, 1], jnp.int32), normal(2, (4, 3)))],
            ),
        ),
        on_error=(
            OnError(_SWITCH_HINT_INDEX, (jax.errors.TracerIntegerConversionError,)),
            OnError(_SWITCH_HINT_INDEX, words=("__index__",)),
            *_bool_errors(_SWITCH_HINT_IF),
        ),
    ),
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


_WHILE = Exercise(
    id="t10-while-loop-1",
    title="Count doublings with a loop decided at run time",
    hints=("while_loop(cond_fun, body_fun, init) carries a state; cond_fun says when to stop.",),
    spec=Spec(
        cases=lambda: [
            (jnp.float32(x), jnp.float32(limit))
            for x, limit in ((1.0, 100.0), (3.0, 2.0), (0.1, 1000.0), (5.0, 5.0))
        ],
        jit={},
        on_error=_bool_errors(_WHILE_HINT_PY),
        on_result=(
            OnResult(_WHILE_HINT_STATE, when=lambda got, *a: isinstance(got, tuple | list)),
            OnResult(_WHILE_HINT_STATE, wrong=lambda ref, x, limit: x * 2.0 ** ref(x, limit)),
            OnResult(_WHILE_HINT_FLOAT, wrong=lambda ref, x, limit: 1.0 * ref(x, limit)),
        ),
    ),
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


_SCAN = Exercise(
    id="t10-scan-1",
    title="An exponential moving average with scan",
    hints=("scan(step, init, xs): step(carry, x) -> (new carry, output); outputs are stacked.",),
    spec=Spec(
        cases=lambda: [(normal(1, (6,)), 0.3), (normal(2, (5, 3)), 0.3)],
        on_result=(OnResult(_SCAN_HINT_FINAL, when=lambda got, xs, a: _same_shape(got, xs[0])),),
        present={"scan": _SCAN_HINT_LOOP},
        flat=lambda: ((normal(3, (8,)), 0.5), (normal(4, (64,)), 0.5)),
        flat_hint=_SCAN_HINT_LOOP,
    ),
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


_NEWTON = Exercise(
    id="t10-control-flow-autodiff-1",
    title="A differentiable Newton square root",
    hints=(
        "grad supports scan, and fori_loop with Python-int bounds (which becomes a scan); "
        "not while_loop.",
    ),
    spec=Spec(
        cases=lambda: [(jnp.float32(a),) for a in (2.0, 9.0, 0.25, 50.0)],
        also=(
            Also("jax.jit(jax.grad({}))", lambda f: jax.jit(jax.grad(f)), rtol=1e-3),
            Also(
                "jax.vmap(jax.grad({}))",
                lambda f: jax.vmap(jax.grad(f)),
                cases=lambda: [(jnp.array([1.0, 4.0, 16.0]),)],
                rtol=1e-3,
            ),
        ),
        on_error=(
            OnError(_NEWTON_HINT_WHILE, words=("Reverse-mode differentiation does not work",)),
            *_bool_errors(_NEWTON_HINT_PY_WHILE),
        ),
        rtol=1e-4,
    ),
)

EXERCISES = (_COND, _SWITCH, _WHILE, _SCAN, _NEWTON)
