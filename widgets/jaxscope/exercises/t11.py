"""Table 11 exercises: mapping, combining and reducing pytrees, custom nodes, dataclasses, paths."""

from __future__ import annotations

import re
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import Exercise
from ._support import (
    CheckFailure,
    OnError,
    OnResult,
    Spec,
    attempt,
    describe,
    expect_function,
    hints_from,
    hints_of,
    normal,
    same,
)

HINT = hints_of(__name__)


def _params(seed: int) -> dict[str, Any]:
    """A nested parameter tree: dicts, a list and a tuple, leaves of several shapes."""
    return {
        "encoder": {"w": normal(seed, (3, 2)), "b": normal(seed + 1, (2,))},
        "decoder": [normal(seed + 2, (2, 4)), (normal(seed + 3, (4,)), normal(seed + 4, ()))],
    }


# --- tree.map -------------------------------------------------------------------------------


def _lists_for_tuples(tree):
    """``tree`` with every tuple turned into a list (to compare structures up to that)."""
    if isinstance(tree, dict):
        return {k: _lists_for_tuples(v) for k, v in tree.items()}
    if isinstance(tree, list | tuple):
        return [_lists_for_tuples(v) for v in tree]
    return tree


def _cast_hint(got: Any, tree: Any) -> str:
    """The hint for a wrong cast of ``tree``, from its structure and the first wrong dtype."""
    want = jax.tree.map(lambda x: x.astype(jnp.bfloat16) if _floating(x.dtype) else x, tree)
    if isinstance(got, list) and not isinstance(tree, list):
        return HINT["cast_leaves"]
    if jax.tree.structure(want) != jax.tree.structure(got):
        lists = [jax.tree.structure(_lists_for_tuples(t)) for t in (want, got)]
        return HINT["cast_containers"] if lists[0] == lists[1] else HINT["cast_top"]
    for w, x, y in zip(*map(jax.tree.leaves, (want, tree, got)), strict=True):
        y_dtype = getattr(y, "dtype", type(y).__name__)
        if y_dtype != w.dtype:
            if jnp.issubdtype(w.dtype, jnp.integer):
                return HINT["cast_ints"]
            if hasattr(y, "dtype") and y_dtype != x.dtype and _floating(y_dtype):
                return HINT["cast_dtype"]
            return HINT["cast_top"]  # left as it was: the cast did not reach this leaf
    return ""


def _floating(dtype: Any) -> bool:
    return jnp.issubdtype(dtype, jnp.floating)


_TREE_MAP = Exercise(
    id="t11-tree-map-1",
    spec=Spec(
        cases=lambda: [
            ({"w": normal(1, (3,)), "b": normal(2, ())},),
            ({**_params(3), "step": jnp.int32(7), "ids": jnp.arange(4, dtype=jnp.int32)},),
        ],
        jit={},
        on_error=(
            OnError("", (jax.errors.ConcretizationTypeError,)),  # the coach explains these
            OnError(HINT["cast_top"], (ValueError, TypeError, KeyError, AttributeError)),
        ),
        on_result=hints_from(
            _cast_hint,
            HINT["cast_leaves"],
            HINT["cast_containers"],
            HINT["cast_top"],
            HINT["cast_ints"],
            HINT["cast_dtype"],
        ),
        mutated_hint=HINT["cast_in_place"],
    ),
)

# --- several trees: an SGD step -------------------------------------------------------------


_SGD = Exercise(
    id="t11-multi-tree-ops-1",
    spec=Spec(
        cases=lambda: [
            (_params(seed), _params(seed + 10), lr)
            for seed, lr in ((1, 0.1), (20, 0.01), (40, 0.5))
        ],
        jit={},
        on_error=(
            OnError("", (jax.errors.ConcretizationTypeError,)),  # the coach explains these
            OnError(HINT["sgd_leaves"], (ValueError,)),
            OnError(HINT["sgd_top"], (TypeError, KeyError)),
        ),
        on_result=(
            OnResult(
                HINT["sgd_sign"],
                wrong=lambda ref, p, g, lr: jax.tree.map(lambda p, g: p + lr * g, p, g),
            ),
            OnResult(
                HINT["sgd_top"],
                when=lambda got, p, g, lr: jax.tree.structure(got) != jax.tree.structure(p),
            ),
        ),
    ),
)

# --- tree.reduce: a global norm -------------------------------------------------------------


def _leaves(tree: Any) -> list[jax.Array]:
    return jax.tree.leaves(tree)


def _scalar_mean(ref: Any, tree: Any) -> jax.Array:
    return jnp.sqrt(jnp.mean(jnp.concatenate([jnp.ravel(x) for x in _leaves(tree)]) ** 2))


_NORM = Exercise(
    id="t11-multi-tree-ops-2",
    spec=Spec(
        cases=lambda: [(_params(seed),) for seed in (1, 2, 5)],
        jit={},
        on_error=(
            OnError("", (jax.errors.ConcretizationTypeError,)),  # the coach explains these
            OnError(HINT["norm_iter"], (ValueError, TypeError, KeyError, AttributeError)),
        ),
        on_result=(
            # without an initializer the first leaf is the start value: the result has its shape
            OnResult(
                HINT["norm_init"],
                when=lambda got, t: np.shape(got) == np.shape(_leaves(t)[0]) != (),
            ),
            OnResult(HINT["norm_scalar"], when=lambda got, t: np.shape(got) != ()),
            OnResult(HINT["norm_dtype"], when=lambda got, t: np.asarray(got).dtype != np.float32),
            OnResult(HINT["norm_sqrt"], wrong=lambda ref, t: ref(t) ** 2),
            OnResult(
                HINT["norm_per_leaf"],
                wrong=lambda ref, t: sum(jnp.linalg.norm(jnp.ravel(x)) for x in _leaves(t)),
            ),
            OnResult(
                HINT["norm_mean"],
                wrong=lambda ref, t: jnp.sqrt(sum(jnp.mean(x**2) for x in _leaves(t))),
            ),
            OnResult(HINT["norm_mean"], wrong=_scalar_mean),
            OnResult(HINT["norm_value"], when=lambda got, t: True),
        ),
    ),
)

# --- custom nodes ---------------------------------------------------------------------------


def _check_linear(answer: Any) -> None:
    if answer is Ellipsis or answer is None:
        expect_function(answer, "class Linear")
    if not isinstance(answer, type):
        raise CheckFailure(
            f"expected the class Linear, got {type(answer).__name__}",
            hint=HINT["pass_class_itself"],
        )
    w, b = normal(1, (3, 2)), normal(2, (2,))
    layer = attempt(answer, w, b, "enc", label="Linear(w, b, 'enc')")
    leaves = jax.tree.leaves(layer)
    if len(leaves) == 1 and leaves[0] is layer:
        raise CheckFailure(
            "jax.tree.leaves(Linear(w, b, 'enc')) is [the object itself]",
            hint=HINT["node_unregistered"],
            expected="[w, b]",
            yours="[Linear(...)]: one opaque leaf",
        )
    if any(isinstance(leaf, str) for leaf in leaves):
        raise CheckFailure(
            "the name string is one of the leaves",
            hint=HINT["node_name_child"],
            expected="[w, b]",
            yours=describe(leaves),
        )
    same([w, b], leaves, "jax.tree.leaves(Linear(w, b, 'enc'))")
    doubled = attempt(
        jax.tree.map, lambda x: 2 * x, layer, label="jax.tree.map(lambda x: 2 * x, layer)"
    )
    if not isinstance(doubled, answer):
        raise CheckFailure(
            f"jax.tree.map returned {type(doubled).__name__}, not a Linear",
            hint=HINT["tree_unflatten_must"],
        )
    for attr, want in (("w", 2 * w), ("b", 2 * b)):
        got = getattr(doubled, attr, None)
        if got is None or np.shape(got) != want.shape:
            raise CheckFailure(
                f"after jax.tree.map, layer.{attr} is {describe(got)}",
                hint=HINT["node_order"],
                expected=describe(want),
                yours=describe(got),
            )
        same(want, got, f"jax.tree.map(lambda x: 2 * x, layer).{attr}", HINT["node_order"])
    if getattr(doubled, "name", None) != "enc":
        raise CheckFailure(
            "the name was lost on the way through jax.tree.map",
            hint=HINT["keep_name_as"],
            expected="'enc'",
            yours=describe(getattr(doubled, "name", None)),
        )
    x = normal(3, (5, 3))

    def loss(layer, x):
        return jnp.sum((x @ layer.w + layer.b) ** 2)

    g = attempt(jax.jit(jax.grad(loss)), layer, x, label="jax.jit(jax.grad(loss))(layer, x)")
    gw, gb = jax.grad(lambda w, b: jnp.sum((x @ w + b) ** 2), (0, 1))(w, b)
    if not isinstance(g, answer):
        raise CheckFailure("grad of a Linear should be a Linear", hint=HINT["node_order"])
    same(gw, g.w, "the gradient's w")
    same(gb, g.b, "the gradient's b")


_CUSTOM = Exercise(
    id="t11-custom-nodes-1",
    call="Linear(w, b, name)",
    stub=(
        "class Linear:\n"
        "    def __init__(self, w, b, name):\n"
        "        ...  # your code here\n"
        "        raise NotImplementedError\n"
    ),
    checker=_check_linear,
)

# --- dataclasses ----------------------------------------------------------------------------


def _check_dense(answer: Any) -> None:
    if answer is Ellipsis or answer is None:
        expect_function(answer, "class Dense")
    if not isinstance(answer, type):
        raise CheckFailure(
            f"expected the class Dense, got {type(answer).__name__}",
            hint=HINT["pass_class_itself_2"],
        )
    w, b = normal(1, (3, 2)), normal(2, (2,))
    layer = attempt(answer, w, b, label="Dense(w, b)")
    if getattr(layer, "activation", None) != "relu":
        raise CheckFailure(
            "Dense(w, b).activation should default to 'relu'",
            hint=HINT["give_field_default"],
            yours=describe(getattr(layer, "activation", None)),
        )
    leaves = jax.tree.leaves(layer)
    if len(leaves) == 1 and leaves[0] is layer:
        raise CheckFailure(
            "jax.tree.leaves(Dense(w, b)) is [the object itself]",
            hint=HINT["dc_unregistered"],
            expected="[w, b]",
            yours="[Dense(...)]: one opaque leaf",
        )
    if any(isinstance(leaf, str) for leaf in leaves):
        raise CheckFailure(
            "the activation string is one of the leaves",
            hint=HINT["dc_static"],
            expected="[w, b]",
            yours=describe(leaves),
        )
    if len(leaves) != 2:
        raise CheckFailure(
            f"jax.tree.leaves(Dense(w, b)) has {len(leaves)} leaves",
            hint=HINT["dc_all_static"],
            expected="[w, b]",
            yours=describe(leaves),
        )
    same([w, b], leaves, "jax.tree.leaves(Dense(w, b))")
    relu = jax.tree.structure(layer)
    tanh = attempt(answer, w, b, "tanh", label="Dense(w, b, 'tanh')")
    if jax.tree.structure(tanh) == relu:
        raise CheckFailure(
            "Dense(w, b, 'tanh') has the same tree structure as Dense(w, b, 'relu')",
            hint=HINT["dc_static"],
        )
    calls = []

    @jax.jit
    def apply(layer, x):
        calls.append(1)
        act = jnp.tanh if layer.activation == "tanh" else jax.nn.relu
        return act(x @ layer.w + layer.b)

    x = normal(3, (4, 3))
    for lyr, act in ((layer, jax.nn.relu), (tanh, jnp.tanh)):
        got = attempt(apply, lyr, x, label=f"jitted apply with activation {lyr.activation!r}")
        same(act(x @ w + b), got, f"apply with {lyr.activation!r}")
    attempt(apply, answer(w + 1, b, "relu"), x, label="jitted apply with new weights")
    if len(calls) != 2:
        raise CheckFailure(
            f"jit traced {len(calls)} times for 2 activations and new weights",
            hint=HINT["dc_static"],
        )


_DATACLASS = Exercise(
    id="t11-dataclass-nodes-1",
    call="Dense(w, b, activation)",
    stub=(
        "import dataclasses\n\n\n"
        "class Dense:\n"
        "    def __init__(self, w, b, activation='relu'):\n"
        "        ...  # your code here\n"
        "        raise NotImplementedError\n"
    ),
    checker=_check_dense,
)

# --- key paths ------------------------------------------------------------------------------


def _names(key: Any) -> list[str]:
    """The names and indices in a rendered path: "['enc'][0]" and "enc/0" give ['enc', '0']."""
    return re.findall(r"\w+", str(key))


def _keys_hint(got: Any, tree: Any) -> str:
    """The hint for a dict whose keys are not the leaves' key paths ('' when they are)."""
    want = [jax.tree_util.keystr(p) for p, _ in jax.tree_util.tree_flatten_with_path(tree)[0]]
    keys = list(got)
    if sorted(keys) == sorted(want):
        return ""
    wanted = [_names(k) for k in want]
    if sorted(_names(k) for k in keys) == sorted(wanted):
        return HINT["path_format"]
    prefixes = [_names(k) for k in keys]
    if prefixes and all(any(w[: len(p)] == p for w in wanted) for p in prefixes):
        return HINT["path_deeper"]  # the start of the paths only: the top-level names
    return HINT["path_index"]


def _as_compared(out: Any) -> Any:
    """A dict result with str keys and shapes as tuples (a list or an array is a shape too)."""
    if not isinstance(out, dict):
        return out
    try:
        return {str(k): tuple(v) for k, v in out.items()}
    except TypeError:  # not a sequence: e.g. x.size, an int
        return {str(k): v for k, v in out.items()}


_PATHS = Exercise(
    id="t11-key-paths-1",
    spec=Spec(
        cases=lambda: [
            ({**_params(seed), "head": {"scale": normal(seed, (7,))}},) for seed in (1, 2)
        ],
        wrap=lambda f: lambda tree: _as_compared(f(tree)),
        on_error=(OnError(HINT["path_deeper"], (AttributeError,), ("has no attribute 'shape'",)),),
        on_result=(
            OnResult(
                HINT["return_dict_keystr"],
                when=lambda got, t: not isinstance(got, dict),
            ),
            OnResult(HINT["path_str"], when=lambda got, t: got and all("Key(" in k for k in got)),
            *hints_from(_keys_hint, HINT["path_format"], HINT["path_deeper"], HINT["path_index"]),
            OnResult(HINT["path_shape"], when=lambda got, t: True),
        ),
    ),
)

EXERCISES = (_TREE_MAP, _SGD, _NORM, _CUSTOM, _DATACLASS, _PATHS)
