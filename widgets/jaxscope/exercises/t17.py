"""Table 17 exercises: an NNX module, an Equinox update, counting parameters, inference mode."""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import Exercise
from ._support import (
    Also,
    CheckFailure,
    OnError,
    OnResult,
    Spec,
    attempt,
    describe,
    hints_of,
    normal,
)

HINT = hints_of(__name__)


def _host_normal(seed: int, shape: tuple[int, ...]) -> jax.Array:
    """Normal samples drawn by NumPy: no XLA compilation on a check's first run."""
    return jnp.asarray(np.random.default_rng(seed).standard_normal(shape), jnp.float32)


# --- flax nnx -------------------------------------------------------------------------------

_NNX_SIZES = ((3, 8, 2, 0), (5, 4, 1, 1))  # din, dhidden, dout, seed


def _mlp_built(cls: Any) -> None:
    """Before the values: each model is an nnx.Module holding the two layers' parameters."""
    from flax import nnx

    for din, dh, dout, seed in _NNX_SIZES:
        label = f"MLP({din}, {dh}, {dout}, rngs=nnx.Rngs({seed}))"
        model = attempt(partial(cls, rngs=nnx.Rngs(seed)), din, dh, dout, label=label)
        if not isinstance(model, nnx.Module):
            hint = "subclass nnx.Module: `class MLP(nnx.Module): ...`"
            raise CheckFailure(f"{label} is not an nnx.Module", hint, yours=describe(model))
        shapes = sorted(leaf.shape for leaf in jax.tree.leaves(nnx.state(model, nnx.Param)))
        if shapes != sorted(want := [(din, dh), (dh,), (dh, dout), (dout,)]):
            raise CheckFailure(
                f"{label} holds parameters of shapes {shapes}",
                "Make exactly two `nnx.Linear` layers, din→dhidden and dhidden→dout, each with "
                "its bias (the default: no `use_bias=False`)."
                if shapes
                else "Layers made inside `__call__` are new, freshly initialised layers on every "
                "call, and the module holds none of them, so there is nothing to train. Create "
                "them in `__init__` and keep them as attributes (`self.hidden = nnx.Linear(...)`).",
                expected=f"kernels and biases of shapes {sorted(want)}",
                yours=f"{shapes}",
            )


def _mlp_params(din: int, dh: int, dout: int, seed: int, x: Any = None) -> dict:
    """Known kernels and biases (k1, b1, k2, b2), by shape, that every model is run with."""
    shapes = [(din, dh), (dh,), (dh, dout), (dout,)]
    return {s: _host_normal(seed + 30 + i, s) for i, s in enumerate(shapes)}


def _mlp_run(cls: Any, *args: Any, jit: bool = False) -> jax.Array:
    """``cls(din, dhidden, dout, rngs=nnx.Rngs(seed))`` on ``x``, with the known parameters."""
    from flax import nnx

    model, known = cls(*args[:3], rngs=nnx.Rngs(args[3])), _mlp_params(*args)
    nnx.update(model, jax.tree.map(lambda p: known[p.shape], nnx.state(model, nnx.Param)))
    return nnx.jit(lambda m, x: m(x))(model, args[4]) if jit else model(args[4])


def _mlp_linear(ref: Any, *args: Any) -> jax.Array:
    """The MLP's output without the relu."""
    k1, b1, k2, b2 = _mlp_params(*args).values()
    return (args[4] @ k1 + b1) @ k2 + b2


_NNX = Exercise(
    id="t17-flax-nnx-1",
    call="MLP(...)",
    stub="class MLP:\n    ...  # your code here\n\n    def __init__(self, *args, **kwargs):\n"
    "        raise NotImplementedError\n",
    spec=Spec(
        cases=lambda: [(*size, _host_normal(size[3] + 10, (6, size[0]))) for size in _NNX_SIZES],
        before=_mlp_built,
        wrap=lambda cls: partial(_mlp_run, cls),
        also=(Also("nnx.jit call of {}", lambda f: partial(f, jit=True)),),
        on_result=(
            OnResult(
                HINT["without_activation_between"],
                wrong=_mlp_linear,
            ),
            OnResult(
                HINT["output_layer_s"],
                wrong=lambda ref, *args: jax.nn.relu(ref(*args)),
            ),
            OnResult(HINT["output_differs_from"]),
        ),
        rtol=1e-4,
    ),
)

# --- equinox --------------------------------------------------------------------------------


def _eqx_step(got: Any, model: Any, x: jax.Array, y: jax.Array, lr: float) -> float:
    """k where ``got`` moved from ``model`` by ``k * -lr * grads`` (nan: along no such line)."""
    import equinox as eqx
    from jax.flatten_util import ravel_pytree

    grads = eqx.filter_grad(lambda m: jnp.mean((jax.vmap(m)(x) - y) ** 2))(model)
    after, before, step = (
        ravel_pytree(eqx.filter(t, eqx.is_array))[0] for t in (got, model, grads)
    )
    if after.shape != before.shape:
        return np.nan
    moved, down = np.asarray(after - before), -lr * np.asarray(step)
    k = float(moved @ down / (down @ down))
    return k if np.linalg.norm(moved - k * down) <= 1e-3 * np.linalg.norm(moved) else np.nan


def _eqx_cases() -> list[tuple]:
    import equinox as eqx

    models = [eqx.nn.MLP(3, 2, 8, 1, key=jax.random.key(seed)) for seed in (0, 1)]
    return [
        (models[s], normal(s + 10, (16, 3)), normal(s + 20, (16, 2)), lr)
        for s, lr in ((0, 0.1), (1, 0.05))
    ]


def _eqx_arrays(model: Any) -> Any:
    """The array leaves of an Equinox model (anything else as it is)."""
    import equinox as eqx

    return eqx.filter(model, eqx.is_array) if isinstance(model, eqx.Module) else model


_EQX = Exercise(
    id="t17-equinox-1",
    spec=Spec(
        cases=_eqx_cases,
        wrap=lambda f: lambda *args: _eqx_arrays(f(*args)),
        on_error=(
            OnError(
                HINT["equinox_model_also"],
                words=("not a valid JAX type",),
            ),
            OnError(
                HINT["gradient_from_filter"],
                words=("NoneType",),
            ),
            OnError(
                HINT["model_maps_one"],
                words=("contracting dimensions",),
            ),
        ),
        on_result=(
            OnResult(
                HINT["return_new_model"],
                when=lambda got, model, *a: type(got) is not type(model),
            ),
            OnResult(
                HINT["gradient_descent_steps"],
                when=lambda *a: np.isclose(_eqx_step(*a), -1.0, rtol=1e-3),
            ),
            OnResult(
                HINT["your_step_points"],
                when=lambda *a: _eqx_step(*a) > 0,
            ),
            OnResult(HINT["new_model_differs"]),
        ),
        rtol=1e-4,
    ),
)

# --- counting parameters --------------------------------------------------------------------


def _net(seed: int, din: int = 4, dh: int = 8, dout: int = 3) -> Any:
    """Linear, BatchNorm, relu, Dropout and Linear layers; NumPy draws the weights (no XLA
    compilation on a check's first run)."""
    from flax import nnx

    host = np.random.default_rng(seed)

    def init(key: Any, shape: tuple[int, ...], dtype: Any = jnp.float32) -> jax.Array:
        return jnp.asarray(host.standard_normal(shape) / np.sqrt(shape[0]), dtype)

    class Net(nnx.Module):
        def __init__(self, rngs: nnx.Rngs):
            self.l1 = nnx.Linear(din, dh, kernel_init=init, bias_init=init, rngs=rngs)
            self.bn = nnx.BatchNorm(dh, rngs=rngs)
            self.drop = nnx.Dropout(0.1, rngs=rngs)
            self.l2 = nnx.Linear(dh, dout, kernel_init=init, bias_init=init, rngs=rngs)

        def __call__(self, x: jax.Array) -> jax.Array:
            return self.l2(self.drop(nnx.relu(self.bn(self.l1(x)))))

    return Net(nnx.Rngs(seed))


def _not_int(got: Any, model: Any) -> bool:
    try:
        int(got)
    except (TypeError, ValueError):
        return True
    return False


def _n_params(model: Any) -> int:
    from flax import nnx

    return sum(x.size for x in jax.tree.leaves(nnx.state(model, nnx.Param)))


_COUNT = Exercise(
    id="t17-params-as-pytrees-1",
    spec=Spec(
        cases=lambda: [(_net(0),), (_net(1, 10, 32, 2),)],
        on_result=(
            OnResult(HINT["return_one_integer"], when=_not_int),
            OnResult(
                HINT["nnx_state_model"],
                when=lambda got, model: int(got) > _n_params(model),
            ),
            OnResult(
                HINT["len_tree_leaves"],
                when=lambda got, model: int(got) < 10,  # the models hold 6 parameter arrays
            ),
        ),
    ),
)

# --- stateful layers ------------------------------------------------------------------------


def _trained_net(seed: int) -> Any:
    """The counting check's net, with running statistics off 0 and 1 as training leaves them
    (drawn by NumPy: a quicker first check than a few training-mode calls)."""
    model, host = _net(seed), np.random.default_rng(seed + 100)
    model.bn.mean[...] = jnp.asarray(host.normal(0.5, 1.0, 8), jnp.float32)
    model.bn.var[...] = jnp.asarray(host.uniform(0.5, 2.0, 8), jnp.float32)
    return model


def _twice(f: Any, model: Any, x: jax.Array) -> tuple:
    """Two calls of ``f`` on a copy of ``model``, and its running statistics afterwards."""
    from flax import nnx

    model = nnx.clone(model)
    first, again = f(model, x), f(model, x)
    return first, again, jax.tree.leaves(nnx.state(model, nnx.BatchStat))


_PREDICT = Exercise(
    id="t17-stateful-layers-1",
    spec=Spec(
        cases=lambda: [(_trained_net(seed), _host_normal(seed + 50, (5, 4))) for seed in (0, 1)],
        wrap=lambda f: partial(_twice, f),
        on_result=(OnResult(HINT["in_training_mode"]),),
        rtol=1e-4,
    ),
)

EXERCISES = (_NNX, _EQX, _COUNT, _PREDICT)
