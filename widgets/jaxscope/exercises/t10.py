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
    hints_of,
    normal,
)

HINT = hints_of(__name__)


def _bool_errors(hint: str) -> tuple[OnError, ...]:
    """A Python bool() of a tracer: `if`/`while` on a traced value."""
    return (
        OnError(hint, (jax.errors.ConcretizationTypeError,)),
        OnError(hint, words=("truth value of an array",)),
    )


# --- cond -----------------------------------------------------------------------------------


def _outside(x: jax.Array) -> bool:
    return float(jnp.linalg.norm(x)) > 1


def _same_shape(got: Any, x: jax.Array) -> bool:
    return getattr(got, "shape", None) == x.shape


_COND = Exercise(
    id="t10-cond-1",
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
        compiles_hint=HINT["choice_must_happen"],
        on_error=(
            *_bool_errors(HINT["cond_if"]),
            OnError(HINT["cond_callable"], (TypeError,), ("callable",)),
        ),
        on_result=(
            OnResult(
                HINT["cond_unchanged"],
                when=lambda got, x: (
                    _same_shape(got, x)
                    and _outside(x)
                    and np.allclose(np.asarray(got), np.asarray(x))
                ),
            ),
            OnResult(HINT["cond_outside"], when=lambda got, x: _same_shape(got, x) and _outside(x)),
            OnResult(HINT["cond_inside"], when=_same_shape),
        ),
    ),
)

# --- switch ---------------------------------------------------------------------------------


_SWITCH = Exercise(
    id="t10-switch-1",
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
            OnError(HINT["switch_index"], (jax.errors.TracerIntegerConversionError,)),
            OnError(HINT["switch_index"], words=("__index__",)),
            *_bool_errors(HINT["switch_if"]),
        ),
    ),
)

# --- while_loop -----------------------------------------------------------------------------


_WHILE = Exercise(
    id="t10-while-loop-1",
    spec=Spec(
        cases=lambda: [
            (jnp.float32(x), jnp.float32(limit))
            for x, limit in ((1.0, 100.0), (3.0, 2.0), (0.1, 1000.0), (5.0, 5.0))
        ],
        jit={},
        on_error=_bool_errors(HINT["while_py"]),
        on_result=(
            OnResult(HINT["while_state"], when=lambda got, *a: isinstance(got, tuple | list)),
            OnResult(HINT["while_state"], wrong=lambda ref, x, limit: x * 2.0 ** ref(x, limit)),
            OnResult(HINT["while_float"], wrong=lambda ref, x, limit: 1.0 * ref(x, limit)),
        ),
    ),
)

# --- scan -----------------------------------------------------------------------------------


_SCAN = Exercise(
    id="t10-scan-1",
    spec=Spec(
        cases=lambda: [(normal(1, (6,)), 0.3), (normal(2, (5, 3)), 0.3)],
        on_result=(OnResult(HINT["scan_final"], when=lambda got, xs, a: _same_shape(got, xs[0])),),
        present={"scan": HINT["scan_loop"]},
        flat=lambda: ((normal(3, (8,)), 0.5), (normal(4, (64,)), 0.5)),
        flat_hint=HINT["scan_loop"],
    ),
)

# --- differentiating through a loop ---------------------------------------------------------


_NEWTON = Exercise(
    id="t10-control-flow-autodiff-1",
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
            OnError(HINT["newton_while"], words=("Reverse-mode differentiation does not work",)),
            *_bool_errors(HINT["newton_py_while"]),
        ),
        rtol=1e-4,
    ),
)

EXERCISES = (_COND, _SWITCH, _WHILE, _SCAN, _NEWTON)
