"""Table 7 exercises: grad, argnums, has_aux, gradients of parameter pytrees, Jacobians."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from . import Exercise
from ._support import OnError, OnResult, Spec, normal


def _data(seed: int, n: int = 8, d: int = 3) -> tuple[jax.Array, jax.Array, jax.Array]:
    return normal(seed, (d,)), normal(seed + 100, (n, d)), normal(seed + 200, (n,))


_NON_SCALAR_HINT = (
    "jax.grad only differentiates functions that return a single number (a scalar). "
    "Reduce the per-example losses first: `jnp.mean((x @ w - y) ** 2)`."
)
_CALLABLE_HINT = (
    "jax.grad takes the function itself and returns a new function: "
    "`jax.grad(loss)(w, x, y)`, not `jax.grad(loss(w, x, y))`."
)


_GRAD_ERRORS = (
    OnError(_NON_SCALAR_HINT, (TypeError,), ("scalar-output",)),
    OnError(_CALLABLE_HINT, (TypeError,), ("callable",)),
)

# --- grad -----------------------------------------------------------------------------------


_GRAD = Exercise(
    id="t07-grad-1",
    title="The gradient of a mean squared error",
    hints=(
        "Write the loss as a function of w that returns one number, then call jax.grad(loss) "
        "on it.",
    ),
    spec=Spec(
        cases=lambda: [_data(1, 8, 3), _data(2, 5, 4)],
        jit={},
        on_error=_GRAD_ERRORS,
        on_result=(
            OnResult(
                "the loss is the mean over examples, not the sum",
                wrong=lambda ref, w, x, y: len(y) * ref(w, x, y),
            ),
        ),
        rtol=1e-4,
    ),
)

# --- argnums --------------------------------------------------------------------------------

_ARGNUMS_HINT_FORGOT = (
    "jax.grad differentiates only the first argument unless told otherwise: "
    "`jax.grad(loss, argnums=(0, 1))` returns the pair (dL/dw, dL/db)."
)
_ARGNUMS_HINT_ONE_BASED = (
    "argnums counts from 0, like Python indexing: w is argument 0 and b is argument 1, "
    "so use `argnums=(0, 1)`."
)


def _as_tuple(value: Any) -> Any:
    """A list read as the tuple it stands for: `[dw, db]` is a fine answer too."""
    return tuple(value) if isinstance(value, list) else value


_ARGNUMS = Exercise(
    id="t07-argnums-1",
    title="Gradients for weights and bias together",
    hints=("`argnums` picks which positional arguments to differentiate; a tuple gives a tuple.",),
    spec=Spec(
        cases=lambda: [
            (*_data(s, n, d)[:1], jnp.float32(0.5 * s), *_data(s, n, d)[1:])
            for s, n, d in ((1, 8, 3), (2, 6, 2))
        ],
        on_error=_GRAD_ERRORS,
        on_result=(
            OnResult(_ARGNUMS_HINT_FORGOT, when=lambda got, *args: isinstance(got, jax.Array)),
            OnResult(
                _ARGNUMS_HINT_ONE_BASED,
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

_AUX_HINT_MISSING = (
    "loss_with_preds returns a pair (loss, preds), and grad refuses a pair. Tell it the second "
    "item is a passenger: `jax.value_and_grad(loss_with_preds, has_aux=True)`."
)
_AUX_HINT_UNPACK = (
    "The predictions and the gradient are swapped in your result: return `(loss, preds, grads)` "
    "in that order. With has_aux=True, value_and_grad returns `((loss, aux), grads)`: the value "
    "and the aux come together first, the gradient last. Unpack `(loss, preds), grads = ...`."
)


def _swapped(got: Any, w: jax.Array, y: jax.Array) -> bool:
    """Whether ``got`` is (loss, grads, preds): shapes tell them apart when len(w) != len(y)."""
    if not isinstance(got, tuple) or len(got) != 3 or len(w) == len(y):
        return False
    return [getattr(v, "shape", None) for v in got[1:]] == [w.shape, y.shape]


_HAS_AUX = Exercise(
    id="t07-has-aux-1",
    title="Loss, predictions and gradient in one pass",
    hints=("`has_aux=True` tells grad that f returns (number to differentiate, anything else).",),
    spec=Spec(
        cases=lambda: [_data(1, 8, 3), _data(2, 5, 4)],
        jit={},
        on_error=(OnError(_AUX_HINT_MISSING, (TypeError,), ("scalar-output", "tuple")),),
        on_result=(OnResult(_AUX_HINT_UNPACK, when=lambda got, w, x, y: _swapped(got, w, y)),),
        rtol=1e-4,
    ),
)

# --- pytree gradients -----------------------------------------------------------------------

_TREE_HINT_DICT_MATH = (
    "params and grads are dicts, and Python can't subtract dicts. Update every leaf at once: "
    "`jax.tree.map(lambda p, g: p - lr * g, params, grads)`."
)
_TREE_HINT_ASCENT = (
    "Your step made the loss bigger: the gradient points uphill, so step against it, `p - lr * g`."
)

_TREE_HINT_MUTATED = (
    "Your sgd_step wrote into the params dict it was given, so the caller's parameters changed "
    "too (but not under jit, where it gets a copy). Leave params alone and return a new dict: "
    "`jax.tree.map(lambda p, g: p - lr * g, params, grads)`."
)


def _loss_went_up(got: Any, params: dict, x: jax.Array, y: jax.Array, lr: float) -> bool:
    def loss(p):
        return float(jnp.mean((x @ p["w"] + p["b"] - y) ** 2))

    return jax.tree.structure(got) == jax.tree.structure(params) and loss(got) > loss(params)


_PYTREE = Exercise(
    id="t07-pytree-gradients-1",
    title="One SGD step on a dict of parameters",
    hints=(
        "jax.grad of a function of a dict returns a dict of the same shape; jax.tree.map "
        "combines two such dicts leaf by leaf.",
    ),
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
        on_error=(OnError(_TREE_HINT_DICT_MATH, (TypeError,), ("unsupported operand", "dict")),),
        on_result=(OnResult(_TREE_HINT_ASCENT, when=_loss_went_up),),
        rtol=1e-4,
        mutated_hint=_TREE_HINT_MUTATED,
    ),
)

# --- jacobians ------------------------------------------------------------------------------

_JAC_HINT_GRAD = (
    "f returns a vector, so jax.grad refuses it (it needs a scalar output). The full matrix of "
    "derivatives is `jax.jacrev(f)(x)` (or `jax.jacfwd(f)(x)`)."
)
_JAC_HINT_SUM = (
    "The gradient of `f(x).sum()` is a vector: the Jacobian's rows added together, not the "
    "Jacobian. Use `jax.jacrev(f)(x)` to keep every row."
)

_JACOBIANS = Exercise(
    id="t07-jacobians-1",
    title="The Jacobian of a vector function",
    hints=("grad is for scalar outputs; jacfwd and jacrev build the whole matrix.",),
    spec=Spec(
        cases=lambda: [(normal(seed, (3,)),) for seed in (1, 2, 3, 4)],
        jit={},
        on_error=(OnError(_JAC_HINT_GRAD, (TypeError,), ("scalar-output",)),),
        on_result=(
            OnResult(_JAC_HINT_SUM, when=lambda got, x: getattr(got, "shape", None) == (3,)),
        ),
        rtol=1e-4,
    ),
)

EXERCISES = (_GRAD, _ARGNUMS, _HAS_AUX, _PYTREE, _JACOBIANS)
