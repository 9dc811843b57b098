"""Table 7 exercises: grad, argnums, has_aux, gradients of parameter pytrees, Jacobians."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from . import Exercise
from ._support import OnError, OnResult, Spec, hints_of, normal

HINT = hints_of(__name__)


def _data(seed: int, n: int = 8, d: int = 3) -> tuple[jax.Array, jax.Array, jax.Array]:
    return normal(seed, (d,)), normal(seed + 100, (n, d)), normal(seed + 200, (n,))


_GRAD_ERRORS = (
    OnError(HINT["non_scalar"], (TypeError,), ("scalar-output",)),
    OnError(HINT["callable"], (TypeError,), ("callable",)),
)

# --- grad -----------------------------------------------------------------------------------


_GRAD = Exercise(
    id="t07-grad-1",
    spec=Spec(
        cases=lambda: [_data(1, 8, 3), _data(2, 5, 4)],
        jit={},
        on_error=_GRAD_ERRORS,
        on_result=(
            OnResult(
                HINT["loss_is_mean"],
                wrong=lambda ref, w, x, y: len(y) * ref(w, x, y),
            ),
        ),
        rtol=1e-4,
    ),
)

# --- argnums --------------------------------------------------------------------------------


def _as_tuple(value: Any) -> Any:
    """A list read as the tuple it stands for: `[dw, db]` is a fine answer too."""
    return tuple(value) if isinstance(value, list) else value


_ARGNUMS = Exercise(
    id="t07-argnums-1",
    spec=Spec(
        cases=lambda: [
            (*_data(s, n, d)[:1], jnp.float32(0.5 * s), *_data(s, n, d)[1:])
            for s, n, d in ((1, 8, 3), (2, 6, 2))
        ],
        on_error=_GRAD_ERRORS,
        on_result=(
            OnResult(HINT["argnums_forgot"], when=lambda got, *args: isinstance(got, jax.Array)),
            OnResult(
                HINT["argnums_one_based"],
                when=lambda got, *args: (
                    isinstance(got, tuple | list)
                    and len(got) == 2
                    and getattr(got[1], "ndim", 0) == 2
                ),
            ),
        ),
        rtol=1e-4,
        wrap=lambda f: lambda *args: _as_tuple(f(*args)),
    ),
)

# --- has_aux --------------------------------------------------------------------------------


def _swapped(got: Any, w: jax.Array, y: jax.Array) -> bool:
    """Whether ``got`` is (loss, grads, preds): shapes tell them apart when len(w) != len(y)."""
    if not isinstance(got, tuple) or len(got) != 3 or len(w) == len(y):
        return False
    return [getattr(v, "shape", None) for v in got[1:]] == [w.shape, y.shape]


_HAS_AUX = Exercise(
    id="t07-has-aux-1",
    spec=Spec(
        cases=lambda: [_data(1, 8, 3), _data(2, 5, 4)],
        jit={},
        on_error=(OnError(HINT["aux_missing"], (TypeError,), ("scalar-output", "tuple")),),
        on_result=(OnResult(HINT["aux_unpack"], when=lambda got, w, x, y: _swapped(got, w, y)),),
        rtol=1e-4,
    ),
)

# --- pytree gradients -----------------------------------------------------------------------


def _loss_went_up(got: Any, params: dict, x: jax.Array, y: jax.Array, lr: float) -> bool:
    def loss(p):
        return float(jnp.mean((x @ p["w"] + p["b"] - y) ** 2))

    return jax.tree.structure(got) == jax.tree.structure(params) and loss(got) > loss(params)


_PYTREE = Exercise(
    id="t07-pytree-gradients-1",
    spec=Spec(
        cases=lambda: [
            ({"w": w, "b": jnp.float32(b)}, x, y, lr)
            for (w, x, y), b, lr in (
                (_data(1, 8, 3), 0.1, 0.1),
                (_data(2, 6, 2), 0.2, 0.1),
                (_data(3, 6, 2), 0.0, 0.05),
            )
        ],
        jit={},
        compiles_once=True,
        on_error=(OnError(HINT["tree_dict_math"], (TypeError,), ("unsupported operand", "dict")),),
        on_result=(OnResult(HINT["tree_ascent"], when=_loss_went_up),),
        rtol=1e-4,
        mutated_hint=HINT["tree_mutated"],
    ),
)

# --- jacobians ------------------------------------------------------------------------------

_JACOBIANS = Exercise(
    id="t07-jacobians-1",
    spec=Spec(
        cases=lambda: [(normal(seed, (3,)),) for seed in (1, 2, 3, 4)],
        jit={},
        on_error=(OnError(HINT["jac_grad"], (TypeError,), ("scalar-output",)),),
        on_result=(
            OnResult(HINT["jac_sum"], when=lambda got, x: getattr(got, "shape", None) == (3,)),
        ),
        rtol=1e-4,
    ),
)

EXERCISES = (_GRAD, _ARGNUMS, _HAS_AUX, _PYTREE, _JACOBIANS)
