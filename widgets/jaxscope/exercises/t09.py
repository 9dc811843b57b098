"""Table 9 exercises: in_axes, nested vmap, per-example gradients, named axes, lax.map."""

from __future__ import annotations

import inspect
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import Exercise, Mistake
from ._support import CheckFailure, all_eqns, attempt, expect_function, message_has, same


def _stub(signature: str) -> str:
    return f"def {signature}:\n    ...  # your code here\n    raise NotImplementedError\n"


def _normal(seed: int, shape: tuple[int, ...]) -> jax.Array:
    return jax.random.normal(jax.random.key(seed), shape, jnp.float32)


# --- in_axes: a shared model over a batch ---------------------------------------------------


def _predict(w, b, x):
    return jnp.tanh(x @ w + b)


_BATCH_HINT_AXES = (
    "With the default in_axes=0, vmap also maps over w and b, but they are shared by every "
    "example: give them None, `jax.vmap(predict, in_axes=(None, None, 0))`."
)
_BATCH_HINT_LOOP = (
    "The values are right, but a Python loop runs once per example while tracing, so the "
    "program grows with the batch. Let vmap batch it: `jax.vmap(predict, in_axes=(None, None, 0))`."
)


def _batch_hint(exc: BaseException) -> str | None:
    if isinstance(exc, ValueError) and message_has(exc, "inconsistent sizes", "in_axes"):
        return _BATCH_HINT_AXES
    return None


def _check_predict_batch(answer: Any) -> None:
    fn = expect_function(answer, "predict_batch(w, b, xs)")
    for seed, n, d, k in ((1, 5, 3, 2), (2, 7, 4, 3)):
        w, b, xs = _normal(seed, (d, k)), _normal(seed + 10, (k,)), _normal(seed + 20, (n, d))
        label = f"predict_batch(w: float32[{d},{k}], b: float32[{k}], xs: float32[{n},{d}])"
        got = attempt(fn, w, b, xs, label=label, hint_for=_batch_hint)
        same(jax.vmap(_predict, (None, None, 0))(w, b, xs), got, label)
    w, b = _normal(3, (3, 2)), _normal(4, (2,))
    sizes = [len(all_eqns(jax.make_jaxpr(fn)(w, b, _normal(5, (n, 3))))) for n in (4, 16)]
    if sizes[1] > sizes[0]:
        raise CheckFailure(
            "the jaxpr of predict_batch grows with the batch size",
            hint=_BATCH_HINT_LOOP,
            expected="the same number of equations for 4 and 16 examples",
            yours=f"{sizes[0]} equations for 4 examples, {sizes[1]} for 16",
        )


_IN_AXES = Exercise(
    id="t09-in-axes-1",
    concept="in-axes",
    title="Batch the inputs, share the weights",
    prompt=(
        "`predict(w, b, x) = jnp.tanh(x @ w + b)` is written for **one** example `x` of shape "
        "`(d,)`, with weights `w: (d, k)` and bias `b: (k,)`. Write `predict_batch(w, b, xs)` "
        "for a batch `xs: (n, d)`, returning `(n, k)`, with `jax.vmap` and the right `in_axes` "
        "(no Python loop)."
    ),
    difficulty=1,
    answer_name="predict_batch",
    stub=_stub("predict_batch(w, b, xs)"),
    reference=(
        "def predict(w, b, x):\n"
        "    return jnp.tanh(x @ w + b)\n\n"
        "def predict_batch(w, b, xs):\n"
        "    return jax.vmap(predict, in_axes=(None, None, 0))(w, b, xs)\n"
    ),
    hints=("in_axes has one entry per argument: 0 maps over that argument, None shares it.",),
    mistakes=(
        Mistake(
            "maps_everything",
            "def predict(w, b, x):\n"
            "    return jnp.tanh(x @ w + b)\n\n"
            "def predict_batch(w, b, xs):\n"
            "    return jax.vmap(predict)(w, b, xs)\n",
            _BATCH_HINT_AXES,
        ),
        Mistake(
            "python_loop",
            "def predict(w, b, x):\n"
            "    return jnp.tanh(x @ w + b)\n\n"
            "def predict_batch(w, b, xs):\n"
            "    return jnp.stack([predict(w, b, x) for x in xs])\n",
            _BATCH_HINT_LOOP,
        ),
    ),
    checker=_check_predict_batch,
)

# --- nested vmap: a kernel matrix -----------------------------------------------------------


def _rbf(x, y):
    return jnp.exp(-jnp.sum((x - y) ** 2))


_KERNEL_HINT_ONE = (
    "One vmap pairs xs[i] with ys[i] (and needs equal lengths): it gives the diagonal, not "
    "every pair. Nest two: the inner one maps over ys with x fixed, the outer over xs."
)
_KERNEL_HINT_TRANSPOSED = (
    "Your matrix is transposed: the outer vmap decides the first axis. Map over xs in the outer "
    "vmap, `in_axes=(0, None)`, and over ys in the inner one, `in_axes=(None, 0)`."
)


def _kernel_hint(exc: BaseException) -> str | None:
    if isinstance(exc, ValueError) and message_has(exc, "inconsistent sizes"):
        return _KERNEL_HINT_ONE
    return None


def _check_kernel_matrix(answer: Any) -> None:
    fn = expect_function(answer, "kernel_matrix(xs, ys)")
    for seed, n, m, d in ((1, 4, 6, 2), (2, 5, 3, 3)):
        xs, ys = _normal(seed, (n, d)), _normal(seed + 10, (m, d))
        label = f"kernel_matrix(xs: float32[{n},{d}], ys: float32[{m},{d}])"
        got = attempt(fn, xs, ys, label=label, hint_for=_kernel_hint)
        want = jax.vmap(jax.vmap(_rbf, (None, 0)), (0, None))(xs, ys)
        shape = getattr(got, "shape", None)
        hint = _KERNEL_HINT_TRANSPOSED if shape == (m, n) else ""
        hint = _KERNEL_HINT_ONE if shape == (n,) else hint
        same(want, got, label, hint)
    xs = _normal(3, (4, 2))
    got = attempt(fn, xs, xs, label="kernel_matrix(xs, xs)", hint_for=_kernel_hint)
    hint = _KERNEL_HINT_ONE if getattr(got, "shape", None) == (4,) else ""
    same(jax.vmap(jax.vmap(_rbf, (None, 0)), (0, None))(xs, xs), got, "kernel_matrix(xs, xs)", hint)


_NESTED = Exercise(
    id="t09-nested-vmap-1",
    concept="nested-vmap",
    title="A kernel matrix from a function of two points",
    prompt=(
        "`rbf(x, y) = jnp.exp(-jnp.sum((x - y) ** 2))` compares **two points**. Write "
        "`kernel_matrix(xs, ys)` for `xs: (n, d)` and `ys: (m, d)` returning the `(n, m)` matrix "
        "`K[i, j] = rbf(xs[i], ys[j])`, with two nested `jax.vmap`s and no loop."
    ),
    difficulty=2,
    answer_name="kernel_matrix",
    stub=_stub("kernel_matrix(xs, ys)"),
    reference=(
        "def rbf(x, y):\n"
        "    return jnp.exp(-jnp.sum((x - y) ** 2))\n\n"
        "def kernel_matrix(xs, ys):\n"
        "    row = jax.vmap(rbf, in_axes=(None, 0))       # one x against every y\n"
        "    return jax.vmap(row, in_axes=(0, None))(xs, ys)\n"
    ),
    hints=("The inner vmap makes one row (x fixed, ys mapped); the outer one stacks the rows.",),
    mistakes=(
        Mistake(
            "single_vmap",
            "def rbf(x, y):\n"
            "    return jnp.exp(-jnp.sum((x - y) ** 2))\n\n"
            "def kernel_matrix(xs, ys):\n"
            "    return jax.vmap(rbf)(xs, ys)\n",
            _KERNEL_HINT_ONE,
        ),
        Mistake(
            "transposed",
            "def rbf(x, y):\n"
            "    return jnp.exp(-jnp.sum((x - y) ** 2))\n\n"
            "def kernel_matrix(xs, ys):\n"
            "    return jax.vmap(jax.vmap(rbf, in_axes=(0, None)), in_axes=(None, 0))(xs, ys)\n",
            _KERNEL_HINT_TRANSPOSED,
        ),
    ),
    checker=_check_kernel_matrix,
)

# --- per-example gradients ------------------------------------------------------------------


def _example_loss(params, x, y):
    return (jnp.dot(x, params["w"]) + params["b"] - y) ** 2


_PEG_HINT_MEAN = (
    "That is one gradient for the whole batch (the average). Per-example gradients keep a "
    "batch axis: `jax.vmap(jax.grad(loss), in_axes=(None, 0, 0))(params, xs, ys)`."
)
_PEG_HINT_AXES = (
    "The parameters are shared by all examples, so they must not be mapped: `in_axes=(None, 0, 0)`."
)
_PEG_HINT_SCALAR = (
    "grad needs a scalar loss, and the batch of losses is a vector. Differentiate the loss of "
    "ONE example and vmap the gradient over the batch."
)

_PEG_HINT_YS = (
    "Each example has its own target, so ys must be mapped too: `in_axes=(None, 0, 0)`. With "
    "None, every example's loss sees all of ys and returns a vector, which grad refuses."
)


def _names_used(code: Any) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names |= _names_used(const)
    return names


def _uses_vmap(fn: Any) -> bool:
    """Whether the code of ``fn`` (its nested functions included) mentions vmap."""
    code = getattr(inspect.unwrap(fn), "__code__", None)
    return code is not None and "vmap" in _names_used(code)


def _peg_hint_for(fn: Any):
    def hint(exc: BaseException) -> str | None:
        if isinstance(exc, ValueError) and message_has(
            exc, "inconsistent sizes", "in_axes", "rank should be at least"
        ):
            return _PEG_HINT_AXES
        if isinstance(exc, TypeError) and message_has(exc, "scalar-output"):
            # inside a vmap the one-example loss is non-scalar only if a data axis is not mapped
            return _PEG_HINT_YS if _uses_vmap(fn) else _PEG_HINT_SCALAR
        return None

    return hint


def _check_per_example(answer: Any) -> None:
    fn = expect_function(answer, "per_example_grads(params, xs, ys)")
    for seed, n, d in ((1, 6, 3), (2, 4, 5)):
        params = {"w": _normal(seed, (d,)), "b": jnp.float32(0.3)}
        xs, ys = _normal(seed + 10, (n, d)), _normal(seed + 20, (n,))
        label = f"per_example_grads(params, xs: float32[{n},{d}], ys: float32[{n}])"
        got = attempt(fn, params, xs, ys, label=label, hint_for=_peg_hint_for(fn))
        want = jax.vmap(jax.grad(_example_loss), in_axes=(None, 0, 0))(params, xs, ys)
        hint = ""
        if isinstance(got, dict) and getattr(got.get("b"), "shape", None) == ():
            hint = _PEG_HINT_MEAN
        same(want, got, label, hint, rtol=1e-4)


_PER_EXAMPLE = Exercise(
    id="t09-per-example-gradients-1",
    concept="per-example-gradients",
    title="One gradient per example",
    prompt=(
        "The loss of one example is `loss(params, x, y) = (jnp.dot(x, params['w']) + "
        "params['b'] - y) ** 2`, with `params = {'w': (d,), 'b': scalar}`. Write "
        "`per_example_grads(params, xs, ys)` returning the gradient for **each** example: a dict "
        "like `params` whose leaves have a leading batch axis (`'w': (n, d)`, `'b': (n,)`)."
    ),
    difficulty=2,
    answer_name="per_example_grads",
    stub=_stub("per_example_grads(params, xs, ys)"),
    reference=(
        "def loss(params, x, y):\n"
        "    return (jnp.dot(x, params['w']) + params['b'] - y) ** 2\n\n"
        "def per_example_grads(params, xs, ys):\n"
        "    return jax.vmap(jax.grad(loss), in_axes=(None, 0, 0))(params, xs, ys)\n"
    ),
    hints=("Take grad of the one-example loss, then vmap it: params shared, data mapped.",),
    mistakes=(
        Mistake(
            "mean_gradient",
            "def loss(params, x, y):\n"
            "    return (jnp.dot(x, params['w']) + params['b'] - y) ** 2\n\n"
            "def per_example_grads(params, xs, ys):\n"
            "    return jax.grad(lambda p: jnp.mean(jax.vmap(loss, (None, 0, 0))(p, xs, ys)))"
            "(params)\n",
            _PEG_HINT_MEAN,
        ),
        Mistake(
            "params_mapped",
            "def loss(params, x, y):\n"
            "    return (jnp.dot(x, params['w']) + params['b'] - y) ** 2\n\n"
            "def per_example_grads(params, xs, ys):\n"
            "    return jax.vmap(jax.grad(loss))(params, xs, ys)\n",
            _PEG_HINT_AXES,
        ),
        Mistake(
            "grad_of_batch",
            "def per_example_grads(params, xs, ys):\n"
            "    return jax.grad(lambda p: (xs @ p['w'] + p['b'] - ys) ** 2)(params)\n",
            _PEG_HINT_SCALAR,
        ),
        Mistake(
            "targets_not_mapped",
            "def loss(params, x, y):\n"
            "    return (jnp.dot(x, params['w']) + params['b'] - y) ** 2\n\n"
            "def per_example_grads(params, xs, ys):\n"
            "    return jax.vmap(jax.grad(loss), in_axes=(None, 0, None))(params, xs, ys)\n",
            _PEG_HINT_YS,
        ),
    ),
    checker=_check_per_example,
)

# --- axis_name: centre a batch from inside one example ------------------------------------

_CENTRE_HINT_LOCAL = (
    "jnp.mean(x) averages the features of ONE example. To see the whole batch, use a "
    "collective over the vmapped axis: `x - jax.lax.pmean(x, axis_name='batch')`."
)
_CENTRE_HINT_PSUM = (
    "psum adds the examples up; you need their mean: `jax.lax.pmean(x, 'batch')` "
    "(or psum divided by `jax.lax.psum(1, 'batch')`)."
)
_CENTRE_HINT_NAME = (
    "The collective must name the axis that vmap was given: the check uses "
    "`jax.vmap(centre, axis_name='batch')`, so write `axis_name='batch'`."
)


def _centre_hint(exc: BaseException) -> str | None:
    if isinstance(exc, NameError) and message_has(exc, "unbound axis name", "axis name"):
        return _CENTRE_HINT_NAME
    return None


def _check_centre(answer: Any) -> None:
    fn = expect_function(answer, "centre(x)")
    for seed, n, d in ((1, 5, 3), (2, 8, 2)):
        xs = _normal(seed, (n, d)) + 2.0
        label = f"jax.vmap(centre, axis_name='batch')(xs: float32[{n},{d}])"
        batched = jax.vmap(fn, axis_name="batch")
        got = attempt(batched, xs, label=label, hint_for=_centre_hint)
        want = xs - xs.mean(axis=0)
        hint = ""
        if getattr(got, "shape", None) == xs.shape:
            if np.allclose(got, xs - xs.mean(axis=1, keepdims=True), atol=1e-5):
                hint = _CENTRE_HINT_LOCAL
            elif np.allclose(got, xs - xs.sum(axis=0), atol=1e-4):
                hint = _CENTRE_HINT_PSUM
        same(want, got, label, hint)
        jitted = jax.jit(batched)
        same(want, attempt(jitted, xs, label="jitted " + label, hint_for=_centre_hint), label)


_AXIS_NAME = Exercise(
    id="t09-vmap-axis-name-1",
    concept="vmap-axis-name",
    title="Centre a batch from inside one example",
    prompt=(
        "Write `centre(x)` for **one** example `x` of shape `(d,)`, returning `x` minus the mean "
        "of `x` over the **batch**. The check runs `jax.vmap(centre, axis_name='batch')(xs)`, "
        "so the result must equal `xs - xs.mean(axis=0)`: use a collective over the axis name."
    ),
    difficulty=2,
    answer_name="centre",
    stub=_stub("centre(x)"),
    reference="def centre(x):\n    return x - jax.lax.pmean(x, axis_name='batch')\n",
    hints=("Inside vmap(..., axis_name='batch'), lax.pmean(x, 'batch') averages over examples.",),
    mistakes=(
        Mistake("local_mean", "def centre(x):\n    return x - jnp.mean(x)\n", _CENTRE_HINT_LOCAL),
        Mistake(
            "psum",
            "def centre(x):\n    return x - jax.lax.psum(x, axis_name='batch')\n",
            _CENTRE_HINT_PSUM,
        ),
        Mistake(
            "wrong_name",
            "def centre(x):\n    return x - jax.lax.pmean(x, axis_name='i')\n",
            _CENTRE_HINT_NAME,
        ),
    ),
    checker=_check_centre,
)

# --- lax.map with batch_size ----------------------------------------------------------------

_MAP_HINT_VMAP = (
    "vmap runs all 1000 examples at once, so every intermediate has the full batch in memory. "
    "Use `jax.lax.map(features, xs, batch_size=100)`: a loop over chunks of 100."
)
_MAP_HINT_NO_BATCH = (
    "Without batch_size, lax.map loops over the examples one at a time (a scan of length "
    "1000): small memory, but slow. Add `batch_size=100` to vmap within chunks."
)
_MAP_HINT_PY_LOOP = (
    "Your chunks are small enough, but a Python loop is unrolled while tracing: the program gets "
    "one copy of the work per chunk. `jax.lax.map(features, xs, batch_size=100)` compiles one "
    "loop body that runs on each chunk."
)
_MAP_HINT_TOO_BIG = (
    "Your chunks are too big: batch_size is the number of examples per chunk, so it must be at "
    "most 100 here, e.g. `jax.lax.map(features, xs, batch_size=100)`."
)


def _features(x):
    return jnp.tanh(jnp.outer(x, x)).sum(axis=0)


def _map_sizes(jaxpr: Any, in_scan: bool = False) -> list[tuple[str, bool, int]]:
    """(primitive, inside a scan body?, size of its biggest output) of every equation."""
    out = []
    for eqn in jaxpr.eqns:
        size = max((int(np.prod(v.aval.shape)) for v in eqn.outvars), default=0)
        out.append((eqn.primitive.name, in_scan, size))
        inner_scan = in_scan or eqn.primitive.name == "scan"
        for p in eqn.params.values():
            for item in p if isinstance(p, tuple | list) else (p,):
                inner = getattr(item, "jaxpr", item)
                if hasattr(inner, "eqns"):
                    out.extend(_map_sizes(inner, inner_scan))
    return out


def _check_chunked(answer: Any) -> None:
    fn = expect_function(answer, "chunked_features(xs)")
    n, d = 1000, 16
    xs = _normal(1, (n, d))
    label = f"chunked_features(xs: float32[{n},{d}])"
    same(jax.vmap(_features)(xs), attempt(fn, xs, label=label), label, rtol=1e-4)
    eqns = _map_sizes(jax.make_jaxpr(fn)(xs).jaxpr)
    examples = max(size for _, _, size in eqns) // (d * d)  # the biggest (chunk, d, d) array
    in_scan = [size // (d * d) for name, inside, size in eqns if name == "tanh" and inside]
    expected = "a scan over chunks of at most 100 examples (e.g. 10 chunks of 100)"
    if not in_scan and examples > 100:
        raise CheckFailure(
            f"chunked_features has no loop: all {n} examples are processed at once",
            hint=_MAP_HINT_VMAP,
            expected=expected,
            yours=f"no scan in the jaxpr; intermediates for {examples} examples at once",
        )
    if not in_scan:
        raise CheckFailure(
            "chunked_features has no scan: its loop over the chunks was unrolled while tracing",
            hint=_MAP_HINT_PY_LOOP,
            expected=expected,
            yours="no scan in the jaxpr: one copy of `features` per chunk",
        )
    if examples > 100:
        raise CheckFailure(
            f"chunked_features holds the intermediates of {examples} examples at once",
            hint=_MAP_HINT_TOO_BIG,
            expected=expected,
            yours=f"a (d, d) intermediate for {examples} examples at once",
        )
    if max(in_scan) <= 1:
        raise CheckFailure(
            f"chunked_features loops over the {n} examples one at a time",
            hint=_MAP_HINT_NO_BATCH,
            expected=expected,
            yours=f"a scan of length {n}, one example per step",
        )


_LAX_MAP = Exercise(
    id="t09-lax-map-1",
    concept="lax-map",
    title="Map over a big batch in chunks",
    prompt=(
        "`features(x) = jnp.tanh(jnp.outer(x, x)).sum(axis=0)` builds a `(d, d)` intermediate "
        "per example. Write `chunked_features(xs)` for `xs: (1000, d)` that returns the same "
        "as `jax.vmap(features)(xs)` but never holds more than **100** examples' intermediates: "
        "use `jax.lax.map` with a `batch_size` of at most 100, so that one compiled loop body "
        "runs on each chunk."
    ),
    difficulty=1,
    answer_name="chunked_features",
    stub=_stub("chunked_features(xs)"),
    reference=(
        "def features(x):\n"
        "    return jnp.tanh(jnp.outer(x, x)).sum(axis=0)\n\n"
        "def chunked_features(xs):\n"
        "    return jax.lax.map(features, xs, batch_size=100)\n"
    ),
    hints=("lax.map(f, xs, batch_size=k) is a scan over chunks of k, vmapped inside each.",),
    mistakes=(
        Mistake(
            "plain_vmap",
            "def features(x):\n"
            "    return jnp.tanh(jnp.outer(x, x)).sum(axis=0)\n\n"
            "def chunked_features(xs):\n"
            "    return jax.vmap(features)(xs)\n",
            _MAP_HINT_VMAP,
        ),
        Mistake(
            "no_batch_size",
            "def features(x):\n"
            "    return jnp.tanh(jnp.outer(x, x)).sum(axis=0)\n\n"
            "def chunked_features(xs):\n"
            "    return jax.lax.map(features, xs)\n",
            _MAP_HINT_NO_BATCH,
        ),
        Mistake(
            "python_loop_over_chunks",
            "def features(x):\n"
            "    return jnp.tanh(jnp.outer(x, x)).sum(axis=0)\n\n"
            "def chunked_features(xs):\n"
            "    chunks = [jax.vmap(features)(xs[i : i + 100]) for i in range(0, len(xs), 100)]\n"
            "    return jnp.concatenate(chunks)\n",
            _MAP_HINT_PY_LOOP,
        ),
        Mistake(
            "chunks_too_big",
            "def features(x):\n"
            "    return jnp.tanh(jnp.outer(x, x)).sum(axis=0)\n\n"
            "def chunked_features(xs):\n"
            "    return jax.lax.map(features, xs, batch_size=250)\n",
            _MAP_HINT_TOO_BIG,
        ),
    ),
    checker=_check_chunked,
    alternatives=(
        "def features(x):\n"
        "    return jnp.tanh(jnp.outer(x, x)).sum(axis=0)\n\n"
        "def chunked_features(xs):\n"
        "    return jax.lax.map(features, xs, batch_size=50)\n",
        "def features(x):\n"
        "    return jnp.tanh(jnp.outer(x, x)).sum(axis=0)\n\n"
        "def chunked_features(xs):\n"
        "    return jax.lax.map(features, xs, batch_size=64)  # 15 chunks and a remainder of 40\n",
        "def features(x):\n"
        "    return jnp.tanh(jnp.outer(x, x)).sum(axis=0)\n\n"
        "def chunked_features(xs):\n"
        "    chunks = xs.reshape(10, 100, xs.shape[1])\n"
        "    return jax.lax.map(jax.vmap(features), chunks).reshape(xs.shape)\n",
    ),
)

EXERCISES = (_IN_AXES, _NESTED, _PER_EXAMPLE, _AXIS_NAME, _LAX_MAP)
