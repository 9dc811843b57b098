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
    normal,
    same,
)


def _params(seed: int) -> dict[str, Any]:
    """A nested parameter tree: dicts, a list and a tuple, leaves of several shapes."""
    return {
        "encoder": {"w": normal(seed, (3, 2)), "b": normal(seed + 1, (2,))},
        "decoder": [normal(seed + 2, (2, 4)), (normal(seed + 3, (4,)), normal(seed + 4, ()))],
    }


# --- tree.map -------------------------------------------------------------------------------

_CAST_HINT_TOP = (
    "A dict comprehension walks only the top level, so nested dicts, lists and tuples are left "
    "alone (or break). jax.tree.map(f, tree) reaches every leaf, however deep."
)
_CAST_HINT_INTS = (
    "Integer leaves (step counters, token ids) must stay integers: cast only leaves whose dtype "
    "is floating, e.g. `jnp.issubdtype(x.dtype, jnp.floating)`."
)
_CAST_HINT_LEAVES = (
    "jax.tree.leaves gives a flat list and forgets the structure. Return a tree shaped like the "
    "input: jax.tree.map(f, tree)."
)
_CAST_HINT_DTYPE = (
    "Cast floating leaves to jnp.bfloat16 exactly: float16 is a different 16-bit format (fewer "
    "exponent bits, so large values overflow). x.astype(jnp.bfloat16)."
)
_CAST_HINT_CONTAINERS = (
    "The leaves are right but a container changed type: a tuple came back as a list (or the "
    "other way round). Rebuild each container as its own type, or let jax.tree.map(f, tree) "
    "rebuild the tree as it was."
)
_CAST_HINT_IN_PLACE = (
    "Your function changed the tree it was given: writing tree[k] = ... turns the caller's "
    "float32 parameters into bfloat16 too. Build and return a new tree (jax.tree.map does) "
    "and leave the input as it was."
)


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
        return _CAST_HINT_LEAVES
    if jax.tree.structure(want) != jax.tree.structure(got):
        lists = [jax.tree.structure(_lists_for_tuples(t)) for t in (want, got)]
        return _CAST_HINT_CONTAINERS if lists[0] == lists[1] else _CAST_HINT_TOP
    for w, x, y in zip(*map(jax.tree.leaves, (want, tree, got)), strict=True):
        y_dtype = getattr(y, "dtype", type(y).__name__)
        if y_dtype != w.dtype:
            if jnp.issubdtype(w.dtype, jnp.integer):
                return _CAST_HINT_INTS
            if hasattr(y, "dtype") and y_dtype != x.dtype and _floating(y_dtype):
                return _CAST_HINT_DTYPE
            return _CAST_HINT_TOP  # left as it was: the cast did not reach this leaf
    return ""


def _floating(dtype: Any) -> bool:
    return jnp.issubdtype(dtype, jnp.floating)


_TREE_MAP = Exercise(
    id="t11-tree-map-1",
    title="Cast a parameter tree to bfloat16",
    hints=("jax.tree.map(f, tree) calls f on every leaf and rebuilds the same structure.",),
    spec=Spec(
        cases=lambda: [
            ({"w": normal(1, (3,)), "b": normal(2, ())},),
            ({**_params(3), "step": jnp.int32(7), "ids": jnp.arange(4, dtype=jnp.int32)},),
        ],
        jit={},
        on_error=(
            OnError("", (jax.errors.ConcretizationTypeError,)),  # the coach explains these
            OnError(_CAST_HINT_TOP, (ValueError, TypeError, KeyError, AttributeError)),
        ),
        on_result=hints_from(
            _cast_hint,
            _CAST_HINT_LEAVES,
            _CAST_HINT_CONTAINERS,
            _CAST_HINT_TOP,
            _CAST_HINT_INTS,
            _CAST_HINT_DTYPE,
        ),
        mutated_hint=_CAST_HINT_IN_PLACE,
    ),
)

# --- several trees: an SGD step -------------------------------------------------------------

_SGD_HINT_LEAVES = (
    "Every tree given to jax.tree.map must have the structure of the first one: passing "
    "jax.tree.leaves(grads) (a flat list) next to the params dict is a different structure. "
    "Pass both trees as they are: jax.tree.map(f, params, grads)."
)
_SGD_HINT_TOP = (
    "Indexing params[k] and grads[k] only works one level deep; the parameters nest further. "
    "jax.tree.map(lambda p, g: ..., params, grads) walks both trees in step, at every depth."
)
_SGD_HINT_SIGN = "Gradient descent goes downhill: new = p - lr * g, not p + lr * g."


_SGD = Exercise(
    id="t11-multi-tree-ops-1",
    title="An SGD step over two trees",
    hints=("jax.tree.map accepts several trees: f gets one leaf from each, in step.",),
    spec=Spec(
        cases=lambda: [
            (_params(seed), _params(seed + 10), lr)
            for seed, lr in ((1, 0.1), (20, 0.01), (40, 0.5))
        ],
        jit={},
        on_error=(
            OnError("", (jax.errors.ConcretizationTypeError,)),  # the coach explains these
            OnError(_SGD_HINT_LEAVES, (ValueError,)),
            OnError(_SGD_HINT_TOP, (TypeError, KeyError)),
        ),
        on_result=(
            OnResult(
                _SGD_HINT_SIGN,
                wrong=lambda ref, p, g, lr: jax.tree.map(lambda p, g: p + lr * g, p, g),
            ),
            OnResult(
                _SGD_HINT_TOP,
                when=lambda got, p, g, lr: jax.tree.structure(got) != jax.tree.structure(p),
            ),
        ),
    ),
)

# --- tree.reduce: a global norm -------------------------------------------------------------

_NORM_HINT_INIT = (
    "Without an initializer, tree.reduce starts from the first leaf itself, so that leaf is "
    "never squared and summed. Pass a start value: jax.tree.reduce(f, tree, 0.0)."
)
_NORM_HINT_ITER = (
    "Iterating over a dict gives its keys, not its leaves (and misses nested ones). Use "
    "jax.tree.leaves(tree) or jax.tree.reduce(f, tree, 0.0)."
)
_NORM_HINT_SQRT = "The global norm is the square root of the sum of squares of all leaves."
_NORM_HINT_SCALAR = (
    "The global norm is one number, a scalar of shape (): reduce every leaf completely with "
    "jnp.sum(x**2) (no axis=, no keepdims) and add those sums."
)
_NORM_HINT_DTYPE = (
    "Return the norm as a float32 array, the dtype of the leaves: no .astype(...) or float() "
    "around it (clipping code keeps the global norm in float32)."
)
_NORM_HINT_PER_LEAF = (
    "Adding the norms of the leaves gives more than the global norm. Add the squares of every "
    "leaf first, then take a single square root: jnp.sqrt(sum of jnp.sum(x**2))."
)
_NORM_HINT_MEAN = (
    "jnp.mean(x**2) divides by the number of elements; the norm adds the squares: "
    "jnp.sum(x**2) for every leaf."
)
_NORM_HINT_VALUE = (
    "Square every element of every leaf, add them all up (jax.tree.leaves or jax.tree.reduce "
    "with 0.0 reaches every leaf), then take one square root."
)


def _leaves(tree: Any) -> list[jax.Array]:
    return jax.tree.leaves(tree)


def _scalar_mean(ref: Any, tree: Any) -> jax.Array:
    return jnp.sqrt(jnp.mean(jnp.concatenate([jnp.ravel(x) for x in _leaves(tree)]) ** 2))


_NORM = Exercise(
    id="t11-multi-tree-ops-2",
    title="The global norm of a gradient tree",
    hints=(
        "jax.tree.reduce(f, tree, initializer) folds every leaf into one value, starting "
        "from initializer.",
    ),
    spec=Spec(
        cases=lambda: [(_params(seed),) for seed in (1, 2, 5)],
        jit={},
        on_error=(
            OnError("", (jax.errors.ConcretizationTypeError,)),  # the coach explains these
            OnError(_NORM_HINT_ITER, (ValueError, TypeError, KeyError, AttributeError)),
        ),
        on_result=(
            # without an initializer the first leaf is the start value: the result has its shape
            OnResult(
                _NORM_HINT_INIT,
                when=lambda got, t: np.shape(got) == np.shape(_leaves(t)[0]) != (),
            ),
            OnResult(_NORM_HINT_SCALAR, when=lambda got, t: np.shape(got) != ()),
            OnResult(_NORM_HINT_DTYPE, when=lambda got, t: np.asarray(got).dtype != np.float32),
            OnResult(_NORM_HINT_SQRT, wrong=lambda ref, t: ref(t) ** 2),
            OnResult(
                _NORM_HINT_PER_LEAF,
                wrong=lambda ref, t: sum(jnp.linalg.norm(jnp.ravel(x)) for x in _leaves(t)),
            ),
            OnResult(
                _NORM_HINT_MEAN,
                wrong=lambda ref, t: jnp.sqrt(sum(jnp.mean(x**2) for x in _leaves(t))),
            ),
            OnResult(_NORM_HINT_MEAN, wrong=_scalar_mean),
            OnResult(_NORM_HINT_VALUE, when=lambda got, t: True),
        ),
    ),
)

# --- custom nodes ---------------------------------------------------------------------------

_NODE_HINT_UNREGISTERED = (
    "JAX does not know your class, so the whole object is one opaque leaf: tree.leaves finds no "
    "arrays inside and jit refuses it. Register it: decorate it with "
    "@jax.tree_util.register_pytree_node_class and define tree_flatten / tree_unflatten."
)
_NODE_HINT_NAME_CHILD = (
    "`name` is a string, not an array: returned among the children it becomes a leaf, and jit "
    "and grad refuse it. Return it as aux data (the second item of tree_flatten)."
)
_NODE_HINT_ORDER = (
    "tree_unflatten must put the children back in the order tree_flatten returned them: "
    "(w, b) out, (w, b) in."
)


def _check_linear(answer: Any) -> None:
    if answer is Ellipsis or answer is None:
        expect_function(answer, "class Linear")
    if not isinstance(answer, type):
        raise CheckFailure(
            f"expected the class Linear, got {type(answer).__name__}",
            hint="pass the class itself: js.check(..., Linear)",
        )
    w, b = normal(1, (3, 2)), normal(2, (2,))
    layer = attempt(answer, w, b, "enc", label="Linear(w, b, 'enc')")
    leaves = jax.tree.leaves(layer)
    if len(leaves) == 1 and leaves[0] is layer:
        raise CheckFailure(
            "jax.tree.leaves(Linear(w, b, 'enc')) is [the object itself]",
            hint=_NODE_HINT_UNREGISTERED,
            expected="[w, b]",
            yours="[Linear(...)]: one opaque leaf",
        )
    if any(isinstance(leaf, str) for leaf in leaves):
        raise CheckFailure(
            "the name string is one of the leaves",
            hint=_NODE_HINT_NAME_CHILD,
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
            hint="tree_unflatten must build and return a new Linear",
        )
    for attr, want in (("w", 2 * w), ("b", 2 * b)):
        got = getattr(doubled, attr, None)
        if got is None or np.shape(got) != want.shape:
            raise CheckFailure(
                f"after jax.tree.map, layer.{attr} is {describe(got)}",
                hint=_NODE_HINT_ORDER,
                expected=describe(want),
                yours=describe(got),
            )
        same(want, got, f"jax.tree.map(lambda x: 2 * x, layer).{attr}", _NODE_HINT_ORDER)
    if getattr(doubled, "name", None) != "enc":
        raise CheckFailure(
            "the name was lost on the way through jax.tree.map",
            hint="keep name as aux data and pass it to the constructor in tree_unflatten",
            expected="'enc'",
            yours=describe(getattr(doubled, "name", None)),
        )
    x = normal(3, (5, 3))

    def loss(layer, x):
        return jnp.sum((x @ layer.w + layer.b) ** 2)

    g = attempt(jax.jit(jax.grad(loss)), layer, x, label="jax.jit(jax.grad(loss))(layer, x)")
    gw, gb = jax.grad(lambda w, b: jnp.sum((x @ w + b) ** 2), (0, 1))(w, b)
    if not isinstance(g, answer):
        raise CheckFailure("grad of a Linear should be a Linear", hint=_NODE_HINT_ORDER)
    same(gw, g.w, "the gradient's w")
    same(gb, g.b, "the gradient's b")


_CUSTOM = Exercise(
    id="t11-custom-nodes-1",
    title="Register a layer class as a pytree node",
    call="Linear(w, b, name)",
    stub=(
        "class Linear:\n"
        "    def __init__(self, w, b, name):\n"
        "        ...  # your code here\n"
        "        raise NotImplementedError\n"
    ),
    hints=(
        "@jax.tree_util.register_pytree_node_class with tree_flatten() -> (children, aux) and "
        "a classmethod tree_unflatten(aux, children).",
    ),
    checker=_check_linear,
)

# --- dataclasses ----------------------------------------------------------------------------

_DC_HINT_STATIC = (
    "`activation` is a string, so it cannot be a leaf: jit refuses it and grad cannot "
    "differentiate it. Mark it static: "
    "`activation: str = dataclasses.field(default='relu', metadata={'static': True})`."
)
_DC_HINT_UNREGISTERED = (
    "A plain dataclass is one opaque leaf to JAX. Decorate it with "
    "@jax.tree_util.register_dataclass (above @dataclasses.dataclass)."
)
_DC_HINT_ALL_STATIC = (
    "Only `activation` is static. Arrays marked static are not leaves at all: grad cannot see "
    "them, and jit hashes them (arrays are unhashable). Leave w and b as ordinary fields."
)


def _check_dense(answer: Any) -> None:
    if answer is Ellipsis or answer is None:
        expect_function(answer, "class Dense")
    if not isinstance(answer, type):
        raise CheckFailure(
            f"expected the class Dense, got {type(answer).__name__}",
            hint="pass the class itself: js.check(..., Dense)",
        )
    w, b = normal(1, (3, 2)), normal(2, (2,))
    layer = attempt(answer, w, b, label="Dense(w, b)")
    if getattr(layer, "activation", None) != "relu":
        raise CheckFailure(
            "Dense(w, b).activation should default to 'relu'",
            hint="give the field a default: dataclasses.field(default='relu', ...)",
            yours=describe(getattr(layer, "activation", None)),
        )
    leaves = jax.tree.leaves(layer)
    if len(leaves) == 1 and leaves[0] is layer:
        raise CheckFailure(
            "jax.tree.leaves(Dense(w, b)) is [the object itself]",
            hint=_DC_HINT_UNREGISTERED,
            expected="[w, b]",
            yours="[Dense(...)]: one opaque leaf",
        )
    if any(isinstance(leaf, str) for leaf in leaves):
        raise CheckFailure(
            "the activation string is one of the leaves",
            hint=_DC_HINT_STATIC,
            expected="[w, b]",
            yours=describe(leaves),
        )
    if len(leaves) != 2:
        raise CheckFailure(
            f"jax.tree.leaves(Dense(w, b)) has {len(leaves)} leaves",
            hint=_DC_HINT_ALL_STATIC,
            expected="[w, b]",
            yours=describe(leaves),
        )
    same([w, b], leaves, "jax.tree.leaves(Dense(w, b))")
    relu = jax.tree.structure(layer)
    tanh = attempt(answer, w, b, "tanh", label="Dense(w, b, 'tanh')")
    if jax.tree.structure(tanh) == relu:
        raise CheckFailure(
            "Dense(w, b, 'tanh') has the same tree structure as Dense(w, b, 'relu')",
            hint=_DC_HINT_STATIC,
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
            hint=_DC_HINT_STATIC,
        )


_DATACLASS = Exercise(
    id="t11-dataclass-nodes-1",
    title="A dataclass layer with a static field",
    call="Dense(w, b, activation)",
    stub=(
        "import dataclasses\n\n\n"
        "class Dense:\n"
        "    def __init__(self, w, b, activation='relu'):\n"
        "        ...  # your code here\n"
        "        raise NotImplementedError\n"
    ),
    hints=(
        "@jax.tree_util.register_dataclass over @dataclasses.dataclass; static fields carry "
        "metadata={'static': True}.",
    ),
    checker=_check_dense,
)

# --- key paths ------------------------------------------------------------------------------

_PATH_HINT_STR = (
    "str(path) prints the key objects, e.g. (DictKey(key='enc'), ...). "
    "jax.tree_util.keystr(path) renders the readable form ['enc']['w']."
)
_PATH_HINT_INDEX = (
    "Numbering the leaves loses their names. jax.tree_util.tree_flatten_with_path(tree) "
    "pairs each leaf with its key path; name it with jax.tree_util.keystr(path)."
)


_PATH_HINT_FORMAT = (
    "The names are right but written differently: render each path with "
    "jax.tree_util.keystr(path), whose default form is ['encoder']['w'] (not simple=True or a "
    "separator of your own)."
)
_PATH_HINT_DEEPER = (
    "Only leaves have a shape, and the tree nests further than the top level: "
    "jax.tree_util.tree_flatten_with_path(tree) walks every level and gives each leaf its full "
    "path, e.g. ['encoder']['w']."
)
_PATH_HINT_SHAPE = "The value for each path is the leaf's shape, leaf.shape: a tuple like (3, 2)."


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
        return _PATH_HINT_FORMAT
    prefixes = [_names(k) for k in keys]
    if prefixes and all(any(w[: len(p)] == p for w in wanted) for p in prefixes):
        return _PATH_HINT_DEEPER  # the start of the paths only: the top-level names
    return _PATH_HINT_INDEX


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
    title="Name every leaf by its key path",
    hints=("tree_flatten_with_path gives (path, leaf) pairs; keystr(path) renders a path.",),
    spec=Spec(
        cases=lambda: [
            ({**_params(seed), "head": {"scale": normal(seed, (7,))}},) for seed in (1, 2)
        ],
        wrap=lambda f: lambda tree: _as_compared(f(tree)),
        on_error=(OnError(_PATH_HINT_DEEPER, (AttributeError,), ("has no attribute 'shape'",)),),
        on_result=(
            OnResult(
                "return a dict {keystr(path): leaf.shape}",
                when=lambda got, t: not isinstance(got, dict),
            ),
            OnResult(_PATH_HINT_STR, when=lambda got, t: got and all("Key(" in k for k in got)),
            *hints_from(_keys_hint, _PATH_HINT_FORMAT, _PATH_HINT_DEEPER, _PATH_HINT_INDEX),
            OnResult(_PATH_HINT_SHAPE, when=lambda got, t: True),
        ),
    ),
)

EXERCISES = (_TREE_MAP, _SGD, _NORM, _CUSTOM, _DATACLASS, _PATHS)
