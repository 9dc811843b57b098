"""Table 7 exercises: grad, argnums, has_aux, gradients of parameter pytrees, Jacobians."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import Exercise, Mistake
from ._support import CheckFailure, attempt, describe, expect_function, message_has, same


def _stub(signature: str) -> str:
    return f"def {signature}:\n    ...  # your code here\n    raise NotImplementedError\n"


def _normal(seed: int, shape: tuple[int, ...]) -> jax.Array:
    return jax.random.normal(jax.random.key(seed), shape, jnp.float32)


def _data(seed: int, n: int = 8, d: int = 3) -> tuple[jax.Array, jax.Array, jax.Array]:
    return _normal(seed, (d,)), _normal(seed + 100, (n, d)), _normal(seed + 200, (n,))


def _mse(w, x, y):
    return jnp.mean((x @ w - y) ** 2)


_NON_SCALAR_HINT = (
    "jax.grad only differentiates functions that return a single number (a scalar). "
    "Reduce the per-example losses first: `jnp.mean((x @ w - y) ** 2)`."
)
_CALLABLE_HINT = (
    "jax.grad takes the function itself and returns a new function: "
    "`jax.grad(loss)(w, x, y)`, not `jax.grad(loss(w, x, y))`."
)


def _grad_error_hint(exc: BaseException) -> str | None:
    if isinstance(exc, TypeError) and message_has(exc, "scalar-output"):
        return _NON_SCALAR_HINT
    if isinstance(exc, TypeError) and message_has(exc, "callable"):
        return _CALLABLE_HINT
    return None


# --- grad -----------------------------------------------------------------------------------


def _check_loss_grad(answer: Any) -> None:
    fn = expect_function(answer, "loss_grad(w, x, y)")
    jitted = jax.jit(fn)
    for seed, n, d in ((1, 8, 3), (2, 5, 4)):
        w, x, y = _data(seed, n, d)
        label = f"loss_grad(w: float32[{d}], x: float32[{n},{d}], y: float32[{n}])"
        got = attempt(fn, w, x, y, label=label, hint_for=_grad_error_hint)
        want = jax.grad(_mse)(w, x, y)
        hint = ""
        if isinstance(got, jax.Array) and got.shape == want.shape:
            if np.allclose(np.asarray(got), n * np.asarray(want), rtol=1e-4):
                hint = "the loss is the mean over examples, not the sum"
        same(want, got, label, hint, rtol=1e-4)
        same(want, attempt(jitted, w, x, y, label=f"jax.jit({label})"), "under jit", rtol=1e-4)


_GRAD = Exercise(
    id="t07-grad-1",
    concept="grad",
    title="The gradient of a mean squared error",
    prompt=(
        "The loss of a linear model is the mean of the squared errors, "
        "`mean((x @ w - y) ** 2)`, for weights `w` (shape `(d,)`), inputs `x` (shape `(n, d)`) "
        "and targets `y` (shape `(n,)`). Write `loss_grad(w, x, y)` returning its gradient "
        "with respect to `w` (shape `(d,)`), using `jax.grad`."
    ),
    difficulty=1,
    answer_name="loss_grad",
    stub=_stub("loss_grad(w, x, y)"),
    reference=(
        "def loss_grad(w, x, y):\n"
        "    def loss(w, x, y):\n"
        "        return jnp.mean((x @ w - y) ** 2)\n"
        "    return jax.grad(loss)(w, x, y)\n"
    ),
    hints=(
        "Write the loss as a function of w that returns one number, then call jax.grad(loss) "
        "on it.",
    ),
    mistakes=(
        Mistake(
            "non_scalar_loss",
            "def loss_grad(w, x, y):\n"
            "    def loss(w, x, y):\n"
            "        return (x @ w - y) ** 2\n"
            "    return jax.grad(loss)(w, x, y)\n",
            _NON_SCALAR_HINT,
        ),
        Mistake(
            "grad_of_a_value",
            "def loss_grad(w, x, y):\n"
            "    def loss(w, x, y):\n"
            "        return jnp.mean((x @ w - y) ** 2)\n"
            "    return jax.grad(loss(w, x, y))\n",
            _CALLABLE_HINT,
        ),
    ),
    checker=_check_loss_grad,
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


def _wb_loss(w, b, x, y):
    return jnp.mean((x @ w + b - y) ** 2)


def _check_grads_wb(answer: Any) -> None:
    fn = expect_function(answer, "grads_wb(w, b, x, y)")
    for seed, n, d in ((1, 8, 3), (2, 6, 2)):
        w, x, y = _data(seed, n, d)
        b = jnp.float32(0.5 * seed)
        label = f"grads_wb(w: float32[{d}], b: float32[], x, y)"
        got = attempt(fn, w, b, x, y, label=label, hint_for=_grad_error_hint)
        want = jax.grad(_wb_loss, argnums=(0, 1))(w, b, x, y)
        if isinstance(got, jax.Array):
            raise CheckFailure(
                f"{label} returned one array, not the pair (dw, db)",
                hint=_ARGNUMS_HINT_FORGOT,
                expected=describe(want),
                yours=describe(got),
            )
        hint = ""
        if isinstance(got, tuple | list) and len(got) == 2 and getattr(got[1], "ndim", 0) == 2:
            hint = _ARGNUMS_HINT_ONE_BASED
        same(want, tuple(got) if isinstance(got, list) else got, label, hint, rtol=1e-4)


_ARGNUMS = Exercise(
    id="t07-argnums-1",
    concept="argnums",
    title="Gradients for weights and bias together",
    prompt=(
        "For the loss `mean((x @ w + b - y) ** 2)` with weights `w` (shape `(d,)`) and a "
        "scalar bias `b`, write `grads_wb(w, b, x, y)` returning the tuple `(dL/dw, dL/db)` "
        "from a single `jax.grad` call."
    ),
    difficulty=1,
    answer_name="grads_wb",
    stub=_stub("grads_wb(w, b, x, y)"),
    reference=(
        "def grads_wb(w, b, x, y):\n"
        "    def loss(w, b, x, y):\n"
        "        return jnp.mean((x @ w + b - y) ** 2)\n"
        "    return jax.grad(loss, argnums=(0, 1))(w, b, x, y)\n"
    ),
    hints=("`argnums` picks which positional arguments to differentiate; a tuple gives a tuple.",),
    mistakes=(
        Mistake(
            "forgot_argnums",
            "def grads_wb(w, b, x, y):\n"
            "    def loss(w, b, x, y):\n"
            "        return jnp.mean((x @ w + b - y) ** 2)\n"
            "    return jax.grad(loss)(w, b, x, y)\n",
            _ARGNUMS_HINT_FORGOT,
        ),
        Mistake(
            "one_based_argnums",
            "def grads_wb(w, b, x, y):\n"
            "    def loss(w, b, x, y):\n"
            "        return jnp.mean((x @ w + b - y) ** 2)\n"
            "    return jax.grad(loss, argnums=(1, 2))(w, b, x, y)\n",
            _ARGNUMS_HINT_ONE_BASED,
        ),
    ),
    checker=_check_grads_wb,
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


def _loss_with_preds(w, x, y):
    preds = x @ w
    return jnp.mean((preds - y) ** 2), preds


def _aux_error_hint(exc: BaseException) -> str | None:
    if isinstance(exc, TypeError) and message_has(exc, "scalar-output", "tuple"):
        return _AUX_HINT_MISSING
    return None


def _check_train_info(answer: Any) -> None:
    fn = expect_function(answer, "train_info(w, x, y)")
    for seed, n, d in ((1, 8, 3), (2, 5, 4)):
        w, x, y = _data(seed, n, d)
        label = f"train_info(w: float32[{d}], x: float32[{n},{d}], y: float32[{n}])"
        got = attempt(fn, w, x, y, label=label, hint_for=_aux_error_hint)
        (loss, preds), grads = jax.value_and_grad(_loss_with_preds, has_aux=True)(w, x, y)
        want = (loss, preds, grads)
        hint = ""
        if isinstance(got, tuple) and len(got) == 3:
            shapes = [getattr(v, "shape", None) for v in got]
            if shapes[1] == grads.shape and shapes[2] == preds.shape and n != d:
                hint = _AUX_HINT_UNPACK
        same(want, got, label, hint, rtol=1e-4)
        jitted = attempt(jax.jit(fn), w, x, y, label="jax.jit(train_info)")
        same(want, jitted, f"jax.jit({label})", rtol=1e-4)


_HAS_AUX = Exercise(
    id="t07-has-aux-1",
    concept="has-aux",
    title="Loss, predictions and gradient in one pass",
    prompt=(
        "This loss also returns the predictions it computed:\n\n"
        "```python\ndef loss_with_preds(w, x, y):\n    preds = x @ w\n"
        "    return jnp.mean((preds - y) ** 2), preds\n```\n\n"
        "Write `train_info(w, x, y)` returning the tuple `(loss, preds, grads)`, where `grads` "
        "is the gradient of the loss with respect to `w`, using **one** call of "
        "`jax.value_and_grad` (define `loss_with_preds` inside your answer)."
    ),
    difficulty=2,
    answer_name="train_info",
    stub=_stub("train_info(w, x, y)"),
    reference=(
        "def train_info(w, x, y):\n"
        "    def loss_with_preds(w, x, y):\n"
        "        preds = x @ w\n"
        "        return jnp.mean((preds - y) ** 2), preds\n"
        "    (loss, preds), grads = jax.value_and_grad(loss_with_preds, has_aux=True)(w, x, y)\n"
        "    return loss, preds, grads\n"
    ),
    hints=("`has_aux=True` tells grad that f returns (number to differentiate, anything else).",),
    mistakes=(
        Mistake(
            "forgot_has_aux",
            "def train_info(w, x, y):\n"
            "    def loss_with_preds(w, x, y):\n"
            "        preds = x @ w\n"
            "        return jnp.mean((preds - y) ** 2), preds\n"
            "    (loss, preds), grads = jax.value_and_grad(loss_with_preds)(w, x, y)\n"
            "    return loss, preds, grads\n",
            _AUX_HINT_MISSING,
        ),
        Mistake(
            "wrong_unpacking",
            "def train_info(w, x, y):\n"
            "    def loss_with_preds(w, x, y):\n"
            "        preds = x @ w\n"
            "        return jnp.mean((preds - y) ** 2), preds\n"
            "    vg = jax.value_and_grad(loss_with_preds, has_aux=True)\n"
            "    (loss, grads), preds = vg(w, x, y)\n"
            "    return loss, preds, grads\n",
            _AUX_HINT_UNPACK,
        ),
        Mistake(
            "returns_wrong_order",
            "def train_info(w, x, y):\n"
            "    def loss_with_preds(w, x, y):\n"
            "        preds = x @ w\n"
            "        return jnp.mean((preds - y) ** 2), preds\n"
            "    vg = jax.value_and_grad(loss_with_preds, has_aux=True)\n"
            "    (loss, preds), grads = vg(w, x, y)\n"
            "    return loss, grads, preds\n",
            _AUX_HINT_UNPACK,
        ),
    ),
    checker=_check_train_info,
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


def _params_loss(params, x, y):
    return jnp.mean((x @ params["w"] + params["b"] - y) ** 2)


def _tree_error_hint(exc: BaseException) -> str | None:
    if isinstance(exc, TypeError) and message_has(exc, "unsupported operand", "dict"):
        return _TREE_HINT_DICT_MATH
    return None


def _check_sgd_step(answer: Any) -> None:
    fn = expect_function(answer, "sgd_step(params, x, y, lr)")
    jitted = jax.jit(fn)
    for seed, n, d in ((1, 8, 3), (2, 6, 2)):
        w, x, y = _data(seed, n, d)
        params = {"w": w, "b": jnp.float32(0.1 * seed)}
        label = f"sgd_step(params with w: float32[{d}], x, y, 0.1)"
        grads = jax.grad(_params_loss)(params, x, y)
        want = jax.tree.map(lambda p, g: p - 0.1 * g, params, grads)
        given = dict(params)
        got = attempt(fn, params, x, y, 0.1, label=label, hint_for=_tree_error_hint)
        if params.keys() != given.keys() or any(params[k] is not given[k] for k in given):
            raise CheckFailure(
                "sgd_step changed the dict it was given; return a new one",
                hint=_TREE_HINT_MUTATED,
                expected="params unchanged: " + describe(given),
                yours="params afterwards: " + describe(params),
            )
        if jax.tree.structure(got) == jax.tree.structure(want):
            before = float(_params_loss(params, x, y))
            after = float(_params_loss(got, x, y))
            if after > before:
                raise CheckFailure(
                    f"{label}: the loss went up, from {before:.4g} to {after:.4g}",
                    hint=_TREE_HINT_ASCENT,
                    expected=describe(want),
                    yours=describe(got),
                )
        same(want, got, label, rtol=1e-4)
        same(want, attempt(jitted, params, x, y, 0.1, label="jax.jit(sgd_step)"), "under jit")
    before = jitted._cache_size()
    w, x, y = _data(3, 6, 2)
    attempt(jitted, {"w": w, "b": jnp.float32(0.0)}, x, y, 0.05, label="jax.jit(sgd_step)")
    if jitted._cache_size() != before:
        raise CheckFailure(
            "jax.jit(sgd_step) compiled again for new values of the same shapes",
            hint="return params with the same structure, shapes and dtypes as you got",
        )


_PYTREE = Exercise(
    id="t07-pytree-gradients-1",
    concept="pytree-gradients",
    title="One SGD step on a dict of parameters",
    prompt=(
        "The parameters are a dict `{'w': float32[d], 'b': float32 scalar}` and the loss is "
        "`mean((x @ params['w'] + params['b'] - y) ** 2)`. Write `sgd_step(params, x, y, lr)` "
        "that returns **new** parameters (a dict of the same structure) after one step of "
        "gradient descent, `p - lr * g` for every leaf."
    ),
    difficulty=2,
    answer_name="sgd_step",
    stub=_stub("sgd_step(params, x, y, lr)"),
    reference=(
        "def sgd_step(params, x, y, lr):\n"
        "    def loss(params, x, y):\n"
        '        return jnp.mean((x @ params["w"] + params["b"] - y) ** 2)\n'
        "    grads = jax.grad(loss)(params, x, y)\n"
        "    return jax.tree.map(lambda p, g: p - lr * g, params, grads)\n"
    ),
    hints=(
        "jax.grad of a function of a dict returns a dict of the same shape; jax.tree.map "
        "combines two such dicts leaf by leaf.",
    ),
    mistakes=(
        Mistake(
            "arithmetic_on_dicts",
            "def sgd_step(params, x, y, lr):\n"
            "    def loss(params, x, y):\n"
            '        return jnp.mean((x @ params["w"] + params["b"] - y) ** 2)\n'
            "    grads = jax.grad(loss)(params, x, y)\n"
            "    return params - lr * grads\n",
            _TREE_HINT_DICT_MATH,
        ),
        Mistake(
            "gradient_ascent",
            "def sgd_step(params, x, y, lr):\n"
            "    def loss(params, x, y):\n"
            '        return jnp.mean((x @ params["w"] + params["b"] - y) ** 2)\n'
            "    grads = jax.grad(loss)(params, x, y)\n"
            "    return jax.tree.map(lambda p, g: p + lr * g, params, grads)\n",
            _TREE_HINT_ASCENT,
        ),
        Mistake(
            "updates_in_place",
            "def sgd_step(params, x, y, lr):\n"
            "    def loss(params, x, y):\n"
            '        return jnp.mean((x @ params["w"] + params["b"] - y) ** 2)\n'
            "    grads = jax.grad(loss)(params, x, y)\n"
            "    for k in params:\n"
            "        params[k] = params[k] - lr * grads[k]\n"
            "    return params\n",
            _TREE_HINT_MUTATED,
        ),
    ),
    checker=_check_sgd_step,
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

_W = jnp.arange(12.0, dtype=jnp.float32).reshape(4, 3) / 10


def _f(x):
    return jnp.tanh(_W @ x)


def _jac_error_hint(exc: BaseException) -> str | None:
    if isinstance(exc, TypeError) and message_has(exc, "scalar-output"):
        return _JAC_HINT_GRAD
    return None


def _check_jac_f(answer: Any) -> None:
    fn = expect_function(answer, "jac_f(x)")
    for seed in (1, 2, 3):
        x = _normal(seed, (3,))
        label = f"jac_f(x: float32[3]) (seed {seed})"
        got = attempt(fn, x, label=label, hint_for=_jac_error_hint)
        want = jax.jacrev(_f)(x)
        hint = _JAC_HINT_SUM if getattr(got, "shape", None) == (3,) else ""
        same(want, got, label, hint, rtol=1e-4)
    x = _normal(4, (3,))
    same(jax.jacrev(_f)(x), attempt(jax.jit(fn), x, label="jax.jit(jac_f)(x)"), "under jit")


_JACOBIANS = Exercise(
    id="t07-jacobians-1",
    concept="jacobians",
    title="The Jacobian of a vector function",
    prompt=(
        "For\n\n```python\nW = jnp.arange(12.0).reshape(4, 3) / 10\n\n"
        "def f(x):\n    return jnp.tanh(W @ x)\n```\n\n"
        "write `jac_f(x)` returning the Jacobian of `f` at `x` (shape `(3,)`): the `(4, 3)` "
        "matrix whose entry `[i, j]` is the derivative of output `i` with respect to input `j`."
        " Define `W` and `f` inside your answer."
    ),
    difficulty=1,
    answer_name="jac_f",
    stub=_stub("jac_f(x)"),
    reference=(
        "def jac_f(x):\n"
        "    W = jnp.arange(12.0).reshape(4, 3) / 10\n"
        "    def f(x):\n"
        "        return jnp.tanh(W @ x)\n"
        "    return jax.jacrev(f)(x)\n"
    ),
    hints=("grad is for scalar outputs; jacfwd and jacrev build the whole matrix.",),
    mistakes=(
        Mistake(
            "grad_of_vector",
            "def jac_f(x):\n"
            "    W = jnp.arange(12.0).reshape(4, 3) / 10\n"
            "    def f(x):\n"
            "        return jnp.tanh(W @ x)\n"
            "    return jax.grad(f)(x)\n",
            _JAC_HINT_GRAD,
        ),
        Mistake(
            "grad_of_sum",
            "def jac_f(x):\n"
            "    W = jnp.arange(12.0).reshape(4, 3) / 10\n"
            "    def f(x):\n"
            "        return jnp.tanh(W @ x)\n"
            "    return jax.grad(lambda x: f(x).sum())(x)\n",
            _JAC_HINT_SUM,
        ),
    ),
    checker=_check_jac_f,
)

EXERCISES = (_GRAD, _ARGNUMS, _HAS_AUX, _PYTREE, _JACOBIANS)
