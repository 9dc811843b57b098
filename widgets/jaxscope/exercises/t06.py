"""Table 6 exercises: make_jaxpr, trace-time side effects, leaked tracers, constants, eval_shape."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from jax.extend.core import Primitive

from . import Exercise, Mistake
from ._support import (
    CheckFailure,
    attempt,
    container_sizes,
    describe,
    expect_function,
    global_values,
    same,
)


def _stub(signature: str) -> str:
    return f"def {signature}:\n    ...  # your code here\n    raise NotImplementedError\n"


def _normal(seed: int, shape: tuple[int, ...], dtype=jnp.float32) -> jax.Array:
    return jax.random.normal(jax.random.key(seed), shape, dtype)


# --- make_jaxpr -----------------------------------------------------------------------------

_PRIM_HINT_CALLED = (
    "make_jaxpr takes the function, not its result: `jax.make_jaxpr(f)(*args)`, not "
    "`jax.make_jaxpr(f(*args))`."
)
_PRIM_HINT_OBJECTS = (
    "`eqn.primitive` is a Primitive object; its name is `eqn.primitive.name` (a string)."
)
_PRIM_HINT_TEXT = (
    "Searching the printed jaxpr finds names inside other names and parameters; walk "
    "`closed.jaxpr.eqns` and read `eqn.primitive.name` instead."
)


def _prim_ref(f, *args):
    return [e.primitive.name for e in jax.make_jaxpr(f)(*args).jaxpr.eqns]


def _prim_hint(exc: BaseException) -> str | None:
    if isinstance(exc, TypeError) and "callable" in str(exc):
        return _PRIM_HINT_CALLED
    return None


def _check_primitive_names(answer: Any) -> None:
    fn = expect_function(answer, "primitive_names(f, *args)")
    cases = (
        ("f(x) = sin(x) * 2 + 1", lambda x: jnp.sin(x) * 2 + 1, (jnp.ones(3),)),
        ("f(x, y) = (x @ y).sum()", lambda x, y: (x @ y).sum(), (jnp.ones((2, 3)), jnp.ones(3))),
        ("f(x) = exp(-x) (scalar)", lambda x: jnp.exp(-x), (1.0,)),
    )
    for label, f, args in cases:
        want = _prim_ref(f, *args)
        got = attempt(fn, f, *args, label=f"primitive_names for {label}", hint_for=_prim_hint)
        if isinstance(got, tuple):
            got = list(got)
        if not isinstance(got, list):
            raise CheckFailure(
                f"primitive_names for {label} returned {type(got).__name__}, not a list",
                hint="return a list of strings, one per top-level equation",
                expected=repr(want),
                yours=describe(got),
            )
        if got and all(isinstance(p, Primitive) for p in got):
            raise CheckFailure(
                f"primitive_names for {label} returned Primitive objects",
                hint=_PRIM_HINT_OBJECTS,
                expected=repr(want),
                yours=repr([str(p) for p in got]),
            )
        if got != want:
            raise CheckFailure(
                f"primitive_names for {label} differs",
                hint=_PRIM_HINT_TEXT,
                expected=repr(want),
                yours=repr(got) if all(isinstance(p, str) for p in got) else describe(got),
            )


_MAKE_JAXPR = Exercise(
    id="t06-make-jaxpr-1",
    concept="make-jaxpr",
    title="List a function's primitives",
    prompt=(
        "Write `primitive_names(f, *args)` returning the names (strings) of the primitives of "
        "`f`'s jaxpr for `args`, one per top-level equation, in order; e.g. "
        "`['sin', 'mul', 'add']` for `lambda x: jnp.sin(x) * 2 + 1`."
    ),
    difficulty=1,
    answer_name="primitive_names",
    stub=_stub("primitive_names(f, *args)"),
    reference=(
        "def primitive_names(f, *args):\n"
        "    closed = jax.make_jaxpr(f)(*args)\n"
        "    return [eqn.primitive.name for eqn in closed.jaxpr.eqns]\n"
    ),
    hints=("`jax.make_jaxpr(f)(*args).jaxpr.eqns` lists the equations; each has a `primitive`.",),
    mistakes=(
        Mistake(
            "passes_result",
            "def primitive_names(f, *args):\n"
            "    closed = jax.make_jaxpr(f(*args))()\n"
            "    return [eqn.primitive.name for eqn in closed.jaxpr.eqns]\n",
            _PRIM_HINT_CALLED,
        ),
        Mistake(
            "primitive_objects",
            "def primitive_names(f, *args):\n"
            "    return [eqn.primitive for eqn in jax.make_jaxpr(f)(*args).jaxpr.eqns]\n",
            _PRIM_HINT_OBJECTS,
        ),
        Mistake(
            "searches_text",
            "def primitive_names(f, *args):\n"
            "    text = str(jax.make_jaxpr(f)(*args))\n"
            "    known = ['sin', 'cos', 'exp', 'neg', 'mul', 'add', 'dot_general', 'reduce_sum']\n"
            "    return [p for p in known if p in text]\n",
            _PRIM_HINT_TEXT,
        ),
    ),
    checker=_check_primitive_names,
)

# --- side effects at trace time -------------------------------------------------------------

_COUNT_HINT_CALLS = (
    "You counted calls, not traces. Put the counter *inside* the function jit traces: its "
    "Python code runs only while tracing, so the count goes up once per trace."
)
_COUNT_HINT_LOOP_JIT = (
    "Calling jax.jit on a new function object in every iteration gives each one its own cache, "
    "so every call traces. Wrap the counting function in jax.jit once, before the loop."
)


def _check_count_traces(answer: Any) -> None:
    fn = expect_function(answer, "count_traces(f, inputs)")
    cases = (
        ([jnp.ones(3), jnp.zeros(3), jnp.ones(4), jnp.ones(3, jnp.int32)], 3),
        ([jnp.ones(2), jnp.ones(2) * 5, jnp.ones(2) * 7], 1),
        ([jnp.ones((2, 2)), jnp.ones(4), jnp.ones((2, 2)), jnp.ones(4)], 2),
    )
    for inputs, want in cases:
        shapes = ", ".join(f"{x.dtype}{list(x.shape)}" for x in inputs)
        label = f"count_traces(lambda x: x * 2, [{shapes}])"
        traced: list[bool] = []

        def f(x, traced=traced):
            traced.append(isinstance(x, jax.core.Tracer))
            return x * 2

        got = attempt(fn, f, inputs, label=label)
        if got != want:
            n_traced = sum(traced)
            hint = _COUNT_HINT_LOOP_JIT if n_traced == len(inputs) > want else _COUNT_HINT_CALLS
            raise CheckFailure(
                f"{label} returned {describe(got)}",
                hint=hint,
                expected=f"{want} traces",
                yours=f"{describe(got)} (JAX actually traced f {n_traced} times)",
            )


_SIDE = Exercise(
    id="t06-trace-time-side-effects-1",
    concept="trace-time-side-effects",
    title="Count traces with a side effect",
    prompt=(
        "Write `count_traces(f, inputs)`: call one jitted version of `f` on each array of the "
        "list `inputs`, in order, and return how many times JAX **traced** it (an int). Use a "
        "Python side effect that runs only while tracing."
    ),
    difficulty=2,
    answer_name="count_traces",
    stub=_stub("count_traces(f, inputs)"),
    reference=(
        "def count_traces(f, inputs):\n"
        "    count = 0\n\n"
        "    def counted(x):\n"
        "        nonlocal count\n"
        "        count += 1  # Python: runs while tracing only\n"
        "        return f(x)\n\n"
        "    jitted = jax.jit(counted)\n"
        "    for x in inputs:\n"
        "        jitted(x)\n"
        "    return count\n"
    ),
    hints=("A Python statement inside a jitted function runs once per trace, not once per call.",),
    mistakes=(
        Mistake(
            "counts_calls",
            "def count_traces(f, inputs):\n"
            "    jitted = jax.jit(f)\n"
            "    count = 0\n"
            "    for x in inputs:\n"
            "        jitted(x)\n"
            "        count += 1\n"
            "    return count\n",
            _COUNT_HINT_CALLS,
        ),
        Mistake(
            "jit_in_loop",
            "def count_traces(f, inputs):\n"
            "    count = 0\n"
            "    for x in inputs:\n"
            "        def counted(x):\n"
            "            nonlocal count\n"
            "            count += 1\n"
            "            return f(x)\n"
            "        jax.jit(counted)(x)\n"
            "    return count\n",
            _COUNT_HINT_LOOP_JIT,
        ),
    ),
    checker=_check_count_traces,
)


# --- leaked tracers -------------------------------------------------------------------------

_LEAK_HINT_GLOBAL = (
    "Storing an intermediate in a global saves a tracer, not numbers: it leaks out of the trace "
    "and is useless afterwards. Return it: `return out, hidden`."
)
_LEAK_HINT_ONLY_OUT = "Return both values as a tuple: `return out, hidden`."


def _forward_ref(x):
    hidden = jnp.tanh(2 * x)
    return hidden.sum(), hidden


def _check_forward(answer: Any) -> None:
    fn = expect_function(answer, "forward(x)")
    sizes = container_sizes(fn)
    jitted = jax.jit(fn)
    x = _normal(1, (4,))
    got = attempt(jitted, x, label="jax.jit(forward)(x)")
    for name, value in global_values(fn).items():
        grew = isinstance(value, list | dict | set) and len(value) != sizes.get(name, len(value))
        leaves = jax.tree.leaves(value) if isinstance(value, list | dict | tuple) else [value]
        if grew or any(isinstance(v, jax.core.Tracer) for v in leaves):
            raise CheckFailure(
                f"forward stored something in the global {name!r} while jit traced it",
                hint=_LEAK_HINT_GLOBAL,
                expected="nothing stored outside the function",
                yours=f"{name} = {describe(value)}",
            )
    if not isinstance(got, tuple | list) or len(got) != 2:
        raise CheckFailure(
            "jax.jit(forward)(x) should return (out, hidden)",
            hint=_LEAK_HINT_ONLY_OUT,
            expected=describe(_forward_ref(x)),
            yours=describe(got),
        )
    same(_forward_ref(x), tuple(got), "jax.jit(forward)(x)")
    x2 = _normal(2, (2, 3))
    same(_forward_ref(x2), tuple(attempt(fn, x2, label="forward(x2)")), "forward(x2)")


_LEAK = Exercise(
    id="t06-leaked-tracers-1",
    concept="leaked-tracers",
    title="Return an intermediate instead of leaking it",
    prompt=(
        "This function saves an intermediate for later inspection, which leaks a tracer under "
        "jit:\n\n```python\nSAVED = {}\n\ndef forward(x):\n    hidden = jnp.tanh(2 * x)\n"
        '    SAVED["hidden"] = hidden\n    return hidden.sum()\n```\n\n'
        "Write a leak-free `forward(x)` that returns `(out, hidden)`."
    ),
    difficulty=1,
    answer_name="forward",
    stub=_stub("forward(x)"),
    reference=("def forward(x):\n    hidden = jnp.tanh(2 * x)\n    return hidden.sum(), hidden\n"),
    hints=("Whatever you want out of a transformed function must leave through its return.",),
    mistakes=(
        Mistake(
            "stores_global",
            "SAVED = {}\n\ndef forward(x):\n    hidden = jnp.tanh(2 * x)\n"
            '    SAVED["hidden"] = hidden\n    return hidden.sum(), SAVED["hidden"]\n',
            _LEAK_HINT_GLOBAL,
        ),
        Mistake(
            "only_out",
            "def forward(x):\n    hidden = jnp.tanh(2 * x)\n    return hidden.sum()\n",
            _LEAK_HINT_ONLY_OUT,
        ),
    ),
    checker=_check_forward,
)

# --- closed-over constants ------------------------------------------------------------------

_CONST_HINT_GLOBAL = (
    "Your function reads a global weight matrix, so the jaxpr holds it as a constant and jit "
    "bakes its value in. Use the argument `w`."
)
_CONST_HINT_NUMPY = (
    "NumPy needs concrete numbers and `w` is a tracer under jit: use `x @ w` or `jnp.dot`."
)


def _check_predict(answer: Any) -> None:
    fn = expect_function(answer, "predict(w, x)")
    w, x = _normal(1, (3, 2)), _normal(2, (4, 3))

    def hint_for(exc: BaseException) -> str | None:
        if isinstance(exc, jax.errors.TracerArrayConversionError):
            return _CONST_HINT_NUMPY
        return None

    closed = attempt(
        jax.make_jaxpr(fn), w, x, label="jax.make_jaxpr(predict)(w, x)", hint_for=hint_for
    )
    if closed.consts:
        raise CheckFailure(
            f"the jaxpr of predict has {len(closed.consts)} closed-over constant(s)",
            hint=_CONST_HINT_GLOBAL,
            expected="no constants: every array comes in as an argument",
            yours=", ".join(describe(c) for c in closed.consts),
        )
    jitted = jax.jit(fn)
    for seed in (3, 4):
        w2 = _normal(seed, (3, 2))
        label = f"jax.jit(predict)(new w #{seed}, x)"
        same(
            x @ w2,
            attempt(jitted, w2, x, label=label, hint_for=hint_for),
            label,
            _CONST_HINT_GLOBAL,
        )


_CONST = Exercise(
    id="t06-closed-over-constants-1",
    concept="closed-over-constants",
    title="Pass weights in, don't close over them",
    prompt=(
        "`W = jax.random.normal(jax.random.key(0), (3, 2))` is a global, and "
        "`lambda x: x @ W` bakes it into the jaxpr as a constant. Write `predict(w, x)` "
        "returning `x @ w` whose jaxpr has **no** constants, so new weights need no recompile."
    ),
    difficulty=1,
    answer_name="predict",
    stub=_stub("predict(w, x)"),
    reference="def predict(w, x):\n    return x @ w\n",
    hints=("Arrays a function reads from outside become jaxpr constants; arguments do not.",),
    mistakes=(
        Mistake(
            "reads_global",
            "W = jax.random.normal(jax.random.key(0), (3, 2))\n\n"
            "def predict(w, x):\n    return x @ W\n",
            _CONST_HINT_GLOBAL,
        ),
        Mistake(
            "numpy_dot",
            "def predict(w, x):\n    return jnp.asarray(np.dot(x, w))\n",
            _CONST_HINT_NUMPY,
        ),
    ),
    checker=_check_predict,
)

# --- eval_shape -----------------------------------------------------------------------------

_BYTES_HINT_REAL = (
    "You ran init_fn for real, allocating every parameter just to count bytes. "
    "`jax.eval_shape(init_fn, key)` gives ShapeDtypeStructs without computing anything."
)
_BYTES_HINT_SIZE = (
    "That is the number of elements, not bytes: multiply each leaf's `size` by its "
    "`dtype.itemsize` (bfloat16 is 2 bytes, float32 4)."
)


def _make_init(sizes: tuple[int, int], ran_for_real: list[bool]):
    n_in, n_out = sizes

    def init_fn(key):
        if not isinstance(key, jax.core.Tracer):
            ran_for_real.append(True)
        k1, k2 = jax.random.split(key)
        return {
            "w": jax.random.normal(k1, (n_in, n_out), jnp.float32),
            "b": jnp.zeros((n_out,), jnp.bfloat16),
            "scale": jax.random.uniform(k2, (), jnp.float32),
        }

    return init_fn


def _check_param_bytes(answer: Any) -> None:
    fn = expect_function(answer, "param_bytes(init_fn, key)")
    for sizes in ((3, 5), (64, 10)):
        ran: list[bool] = []
        init_fn = _make_init(sizes, ran)
        label = f"param_bytes(init_fn for w: float32{list(sizes)}, key)"
        got = attempt(fn, init_fn, jax.random.key(0), label=label)
        want = sizes[0] * sizes[1] * 4 + sizes[1] * 2 + 4
        if ran:
            raise CheckFailure(f"{label} ran init_fn on a real key", hint=_BYTES_HINT_REAL)
        try:
            value = int(got)
        except (TypeError, ValueError):
            raise CheckFailure(
                f"{label} returned {describe(got)}, not a number",
                hint="return an int: the sum of size * itemsize over the leaves",
            ) from None
        if value != want:
            n_elems = sizes[0] * sizes[1] + sizes[1] + 1
            raise CheckFailure(
                f"{label} returned {value}",
                hint=_BYTES_HINT_SIZE if value == n_elems else "",
                expected=f"{want} bytes",
                yours=str(value),
            )


_EVAL_SHAPE = Exercise(
    id="t06-eval-shape-1",
    concept="eval-shape",
    title="Count parameter bytes without allocating",
    prompt=(
        "`init_fn(key)` returns a pytree of parameters (mixed dtypes). Write "
        "`param_bytes(init_fn, key)` returning their total size in bytes as an int **without "
        "running** `init_fn` on real data (for a large model that would allocate everything)."
    ),
    difficulty=2,
    answer_name="param_bytes",
    stub=_stub("param_bytes(init_fn, key)"),
    reference=(
        "def param_bytes(init_fn, key):\n"
        "    shapes = jax.eval_shape(init_fn, key)\n"
        "    return sum(s.size * s.dtype.itemsize for s in jax.tree.leaves(shapes))\n"
    ),
    hints=("`jax.eval_shape(init_fn, key)` returns the same pytree with ShapeDtypeStructs.",),
    mistakes=(
        Mistake(
            "runs_init",
            "def param_bytes(init_fn, key):\n"
            "    return sum(p.nbytes for p in jax.tree.leaves(init_fn(key)))\n",
            _BYTES_HINT_REAL,
        ),
        Mistake(
            "counts_elements",
            "def param_bytes(init_fn, key):\n"
            "    shapes = jax.eval_shape(init_fn, key)\n"
            "    return sum(s.size for s in jax.tree.leaves(shapes))\n",
            _BYTES_HINT_SIZE,
        ),
    ),
    checker=_check_param_bytes,
)

EXERCISES = (_MAKE_JAXPR, _SIDE, _LEAK, _CONST, _EVAL_SHAPE)
