"""Table 6 exercises: make_jaxpr, trace-time side effects, leaked tracers, constants, eval_shape."""

from __future__ import annotations

import inspect
import types
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.extend.core import Primitive

from . import Exercise
from ._support import (
    CheckFailure,
    OnError,
    OnResult,
    Spec,
    attempt,
    describe,
    expect_function,
    global_values,
    message_has,
    normal,
    primitive_names,
)

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
_PRIM_HINT_JIT = (
    "You traced a jitted version of f: its jaxpr is a single `jit` equation holding all the "
    "work. Trace f itself: `jax.make_jaxpr(f)(*args)`."
)
_PRIM_HINT_NESTED = (
    "Only the top-level equations count: a nested `jax.jit` is one equation named 'jit'; "
    "don't walk into the sub-jaxpr it holds."
)
_PRIM_HINT_REPEATS = (
    "Keep one name per equation, repeats included: f computes `sin` twice, so 'sin' appears twice."
)
_PRIM_HINT_ORDER = (
    "The names are right but the order is not: keep the equations in the order of "
    "`closed.jaxpr.eqns`, without sorting or reversing them."
)


def _prim_ref(f, *args):
    return [e.primitive.name for e in jax.make_jaxpr(f)(*args).jaxpr.eqns]


def _prim_mismatch_hint(want: list[str], got: list[Any], f, args) -> str:
    """The hint for a list of names that differs from ``want``: only the one that fits."""
    if not all(isinstance(p, str) for p in got):
        return ""
    if got in (["jit"], ["pjit"]):
        return _PRIM_HINT_JIT
    if got == primitive_names(jax.make_jaxpr(f)(*args).jaxpr):
        return _PRIM_HINT_NESTED
    if got == list(dict.fromkeys(want)):
        return _PRIM_HINT_REPEATS
    if sorted(got) == sorted(want):
        return _PRIM_HINT_ORDER
    if set(got) - set(want):
        return _PRIM_HINT_TEXT
    return ""


def _prim_hint(exc: BaseException) -> str | None:
    if isinstance(exc, TypeError) and "callable" in str(exc):
        return _PRIM_HINT_CALLED
    return None


def _check_primitive_names(answer: Any) -> None:
    fn = expect_function(answer, "primitive_names(f, *args)")
    cases = (
        ("f(x) = sin(x) * 2 + 1", lambda x: jnp.sin(x) * 2 + 1, (jnp.ones(3),)),
        ("f(x, y) = (x @ y).sum()", lambda x, y: (x @ y).sum(), (jnp.ones((2, 3)), jnp.ones(3))),
        (
            "f(x) = sin(x) * sin(x) + jax.jit(jnp.cos)(x)",
            lambda x: jnp.sin(x) * jnp.sin(x) + jax.jit(jnp.cos)(x),
            (jnp.ones(3),),
        ),
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
                hint=_prim_mismatch_hint(want, got, f, args),
                expected=repr(want),
                yours=repr(got) if all(isinstance(p, str) for p in got) else describe(got),
            )


_MAKE_JAXPR = Exercise(
    id="t06-make-jaxpr-1",
    title="List a function's primitives",
    signature="primitive_names(f, *args)",
    reference=(
        "def primitive_names(f, *args):\n"
        "    closed = jax.make_jaxpr(f)(*args)\n"
        "    return [eqn.primitive.name for eqn in closed.jaxpr.eqns]\n"
    ),
    hints=("`jax.make_jaxpr(f)(*args).jaxpr.eqns` lists the equations; each has a `primitive`.",),
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

_COUNT_HINT_NOT_TRACED = (
    "The number is right, but it doesn't come from tracing: JAX traced f a different number of "
    "times. Call one jitted version of f on every input, in order, and count with a Python side "
    "effect inside the function jit traces."
)
_COUNT_HINT_OFF_BY_ONE = (
    "Your count is one too many: start the counter at 0, so that each trace adds exactly one."
)


def _count_hint(got: Any, want: int, n_traced: int, n_inputs: int) -> str:
    """The hint for a wrong count: only the one whose situation it describes."""
    if n_traced == n_inputs > want:
        return _COUNT_HINT_LOOP_JIT
    if got == n_inputs:
        return _COUNT_HINT_CALLS
    if got == n_traced + 1:
        return _COUNT_HINT_OFF_BY_ONE
    return ""


def _check_count_traces(answer: Any) -> None:
    fn = expect_function(answer, "count_traces(f, inputs)")
    # the first cases have want + 1 != len(inputs): counting calls and starting at 1 differ
    cases = (
        ([jnp.ones(2), jnp.ones(2) * 5, jnp.ones(2) * 7], 1),
        ([jnp.ones((2, 2)), jnp.ones(4), jnp.ones((2, 2)), jnp.ones(4)], 2),
        ([jnp.ones(3), jnp.zeros(3), jnp.ones(4), jnp.ones(3, jnp.int32)], 3),
    )
    for inputs, want in cases:
        shapes = ", ".join(f"{x.dtype}{list(x.shape)}" for x in inputs)
        label = f"count_traces(lambda x: x * 2, [{shapes}])"
        traced: list[bool] = []

        def f(x, traced=traced):
            traced.append(isinstance(x, jax.core.Tracer))
            return x * 2

        got = attempt(fn, f, inputs, label=label)
        n_traced = sum(traced)
        if got != want:
            raise CheckFailure(
                f"{label} returned {describe(got)}",
                hint=_count_hint(got, want, n_traced, len(inputs)),
                expected=f"{want} traces",
                yours=f"{describe(got)} (JAX actually traced f {n_traced} times)",
            )
        if n_traced != want:
            raise CheckFailure(
                f"{label} returned {want}, but JAX traced f {n_traced} times",
                hint=_COUNT_HINT_NOT_TRACED,
                expected=f"{want} traces of f, counted while tracing",
                yours=f"{describe(got)}, with f traced {n_traced} times",
            )


_SIDE = Exercise(
    id="t06-trace-time-side-effects-1",
    title="Count traces with a side effect",
    signature="count_traces(f, inputs)",
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
    checker=_check_count_traces,
)


# --- leaked tracers -------------------------------------------------------------------------

_LEAK_HINT_GLOBAL = (
    "Storing an intermediate outside the function (in a global, an object's attribute or a "
    "closed-over dict) saves a tracer, not numbers: it leaks out of the trace and is useless "
    "afterwards. Return it: `return out, hidden`."
)
_LEAK_HINT_ONLY_OUT = "Return both values as a tuple: `return out, hidden`."


def _as_tuple(value: Any) -> Any:
    """A list read as the tuple it stands for: `[out, hidden]` is a fine answer too."""
    return tuple(value) if isinstance(value, list) else value


def _leak_hint(exc: BaseException) -> str | None:
    return _LEAK_HINT_GLOBAL if message_has(exc, "Leaked trace", "leaked tracer") else None


def _holds_tracer(value: Any, depth: int = 3) -> bool:
    """Whether ``value``, its items or its attributes (``depth`` levels down) hold a tracer."""
    if isinstance(value, jax.core.Tracer):
        return True
    if depth == 0 or isinstance(value, str | bytes | types.ModuleType | type) or callable(value):
        return False
    if isinstance(value, dict):
        items = list(value.values())
    elif isinstance(value, list | tuple | set | frozenset):
        items = list(value)
    else:
        items = list(getattr(value, "__dict__", {}).values())
    return any(_holds_tracer(item, depth - 1) for item in items)


def _kept_outside(fn: Any) -> dict[str, Any]:
    """The globals ``fn`` reads and the variables it closes over, by name."""
    places = dict(global_values(fn))
    try:
        fn = inspect.unwrap(fn)
    except ValueError:
        pass
    code = getattr(fn, "__code__", None)
    for name, cell in zip(getattr(code, "co_freevars", ()), fn.__closure__ or (), strict=False):
        try:
            places[name] = cell.cell_contents
        except ValueError:  # a cell not filled yet
            continue
    return places


def _no_tracer_kept(fn: Any) -> None:
    x = normal(1, (4,))
    label = "jax.jit(forward)(x)"
    # a new function each time, so that jit traces afresh instead of reusing a cached trace
    attempt(jax.jit(lambda x: fn(x)), x, label=label)
    for name, value in _kept_outside(fn).items():
        if _holds_tracer(value):
            raise CheckFailure(
                f"forward stored a tracer in {name!r} while jit traced it",
                hint=_LEAK_HINT_GLOBAL,
                expected="nothing stored outside the function",
                yours=f"{name} = {describe(value)}",
            )
    with jax.checking_leaks():  # any other way out (slow to explain, so checked last)
        attempt(
            jax.jit(lambda x: fn(x)),
            x,
            label=f"{label} under jax.checking_leaks()",
            hint_for=_leak_hint,
        )


_LEAK = Exercise(
    id="t06-leaked-tracers-1",
    title="Return an intermediate instead of leaking it",
    signature="forward(x)",
    reference=("def forward(x):\n    hidden = jnp.tanh(2 * x)\n    return hidden.sum(), hidden\n"),
    hints=("Whatever you want out of a transformed function must leave through its return.",),
    spec=Spec(
        cases=lambda: [(normal(1, (4,)),), (normal(2, (2, 3)),)],
        jit={},
        on_result=(
            OnResult(
                _LEAK_HINT_ONLY_OUT,
                when=lambda got, x: not isinstance(got, tuple | list) or len(got) != 2,
            ),
        ),
        wrap=lambda f: lambda x: _as_tuple(f(x)),
        before=_no_tracer_kept,
    ),
)

# --- closed-over constants ------------------------------------------------------------------

_CONST_HINT_GLOBAL = (
    "Your function reads a global weight matrix, so the jaxpr holds it as a constant and jit "
    "bakes its value in. Use the argument `w`."
)
_CONST_HINT_NUMPY = (
    "NumPy needs concrete numbers and `w` is a tracer under jit: use `x @ w` or `jnp.dot`."
)

_CONST_HINT_TRANSPOSED = (
    "Your result is transposed: `x @ w` multiplies x of shape (n, 3) by w of shape (3, 2), "
    "giving (n, 2)."
)
_CONST_HINT_DTYPE = (
    "Keep the dtype: `x @ w` of float32 arrays is float32, so there is nothing to convert."
)


def _all_consts(closed: Any) -> list[Any]:
    """The constants of a closed jaxpr, those of its sub-jaxprs (a nested jit) included."""
    found = list(closed.consts)

    def walk(jaxpr: Any) -> None:
        for eqn in jaxpr.eqns:
            for p in eqn.params.values():
                for item in p if isinstance(p, tuple | list) else (p,):
                    found.extend(getattr(item, "consts", ()))
                    inner = getattr(item, "jaxpr", item)
                    if hasattr(inner, "eqns"):
                        walk(inner)

    walk(closed.jaxpr)
    return found


_NUMPY_ERROR = OnError(_CONST_HINT_NUMPY, (jax.errors.TracerArrayConversionError,))


def _no_constants(fn: Any) -> None:
    closed = attempt(
        jax.make_jaxpr(fn),
        normal(1, (3, 2)),
        normal(2, (4, 3)),
        label="jax.make_jaxpr(predict)(w, x)",
        hint_for=lambda exc: _NUMPY_ERROR.hint if _NUMPY_ERROR.matches(exc, fn) else None,
    )
    consts = _all_consts(closed)
    if consts:
        raise CheckFailure(
            f"the jaxpr of predict has {len(consts)} closed-over constant(s)",
            hint=_CONST_HINT_GLOBAL,
            expected="no constants: every array comes in as an argument",
            yours=", ".join(describe(c) for c in consts),
        )


_CONST = Exercise(
    id="t06-closed-over-constants-1",
    title="Pass weights in, don't close over them",
    signature="predict(w, x)",
    reference="def predict(w, x):\n    return x @ w\n",
    hints=("Arrays a function reads from outside become jaxpr constants; arguments do not.",),
    spec=Spec(
        cases=lambda: [(normal(seed, (3, 2)), normal(2, (4, 3))) for seed in (3, 4)],
        jit={},
        on_error=(_NUMPY_ERROR,),
        on_result=(
            OnResult(
                _CONST_HINT_TRANSPOSED,
                when=lambda got, w, x: getattr(got, "shape", None) == (w.shape[1], x.shape[0]),
            ),
            OnResult(
                _CONST_HINT_DTYPE,
                when=lambda got, w, x: getattr(got, "dtype", jnp.float32) != jnp.float32,
            ),
        ),
        before=_no_constants,
    ),
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

_BYTES_HINT_INT = (
    "Return an int: the sum of `s.size * s.dtype.itemsize` over the leaves (sizes and itemsizes "
    "are ints already; don't convert to float)."
)


def _make_init(sizes: tuple[int, int], ran_for_real: list[bool]):
    n_in, n_out = sizes

    def init_fn(key):
        k1, k2 = jax.random.split(key)
        params = {
            "w": jax.random.normal(k1, (n_in, n_out), jnp.float32),
            "b": jnp.zeros((n_out,), jnp.bfloat16),
            "scale": jax.random.uniform(k2, (), jnp.float32),
        }
        # a concrete key alone allocates nothing (eval_shape of `lambda: init_fn(key)` traces
        # with it); concrete results of the work inside do
        if not all(isinstance(v, jax.core.Tracer) for v in (k1, *params.values())):
            ran_for_real.append(True)
        return params

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
        integer = isinstance(got, int | np.integer) and not isinstance(got, bool)
        if not integer and np.shape(got) == () and hasattr(got, "dtype"):
            integer = jnp.issubdtype(got.dtype, jnp.integer)
        if not integer:
            raise CheckFailure(
                f"{label} returned {describe(got)}, not an int",
                hint=_BYTES_HINT_INT,
                expected=f"int {want}",
                yours=describe(got),
            )
        value = int(got)
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
    title="Count parameter bytes without allocating",
    signature="param_bytes(init_fn, key)",
    reference=(
        "def param_bytes(init_fn, key):\n"
        "    shapes = jax.eval_shape(init_fn, key)\n"
        "    return sum(s.size * s.dtype.itemsize for s in jax.tree.leaves(shapes))\n"
    ),
    hints=("`jax.eval_shape(init_fn, key)` returns the same pytree with ShapeDtypeStructs.",),
    checker=_check_param_bytes,
)

EXERCISES = (_MAKE_JAXPR, _SIDE, _LEAK, _CONST, _EVAL_SHAPE)
