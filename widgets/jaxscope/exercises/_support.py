"""Building blocks of exercise checks, and :func:`run_record`, the one runner of exercise records.

A check raises :class:`CheckFailure` (what differed, expected vs yours, and a hint) or
:class:`NotAttempted` (the stub is still there); returning normally means passed.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import io
import re
import tomllib
import types
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._errors import first_lines, short_repr
from .._explain import coach_hint

HintFor = Callable[[BaseException], str | None]
NONE_HINT = "Your function returned None: did you forget the `return`?"


class CheckFailure(Exception):
    """The answer ran but behaved differently from the reference."""

    def __init__(self, message: str, hint: str = "", expected: str = "", yours: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.expected = expected
        self.yours = yours


class NotAttempted(Exception):
    """The answer is still the stub (``...`` or ``raise NotImplementedError``)."""


def expect_function(answer: Any, signature: str, returned_by: str = "") -> Callable:
    """``answer`` itself when it is a function; otherwise not attempted (``...``) or failed.
    ``returned_by`` names the learner's factory that produced ``answer``: ``None`` from it is a
    forgotten ``return``, not an untouched stub."""
    if answer is None and returned_by:
        raise CheckFailure(
            f"{returned_by} returned None",
            hint=NONE_HINT,
            expected=f"a function {signature}",
            yours="None",
        )
    if answer is Ellipsis or answer is None:
        raise NotAttempted()
    if not callable(answer):
        raise CheckFailure(
            f"expected a function {signature}, got {type(answer).__name__} {short_repr(answer)}",
            hint="pass the function itself (its name, without calling it)",
            expected=f"a function {signature}",
            yours=f"{type(answer).__name__} {short_repr(answer)}",
        )
    return answer


_OWN_FRAME = re.compile(
    r"The error occurred while tracing the function \S+ at "
    + re.escape(str(Path(__file__).resolve().parent.parent))
    + r"\S* for \w+\.\s*"
)


def attempt(fn: Callable, *args: Any, label: str, hint_for: HintFor | None = None) -> Any:
    """Call ``fn(*args)``; a ``NotImplementedError`` means not attempted, the verdict of a check
    run inside (a ``wrap`` calling :func:`expect_function`) passes through, any other error fails
    the check with the hint ``hint_for`` gives for it."""
    try:
        return fn(*args)
    except NotImplementedError:
        raise NotAttempted() from None
    except (CheckFailure, NotAttempted):
        raise
    except Exception as exc:  # noqa: BLE001 - the learner's code may raise anything
        hint = (hint_for(exc) if hint_for else None) or coach_hint(exc, fn)
        said = re.sub(_OWN_FRAME, "", str(exc))  # JAX naming the check's own wrapper, not yours
        text = re.sub(r" at 0x[0-9a-fA-F]+", "", first_lines(said, 2))  # no addresses
        raise CheckFailure(f"{label} raised {type(exc).__name__}: {text}", hint=hint) from None


def describe(value: Any) -> str:
    """A short, deterministic description of a value: dtype, shape and (a few) numbers."""
    if isinstance(value, jax.core.Tracer):
        return f"a tracer {type(value).__name__}({value.aval.str_short()}) (leaked from tracing)"
    if isinstance(value, jax.Array | np.ndarray | np.generic):
        arr = value
        if jax.dtypes.issubdtype(arr.dtype, jax.dtypes.prng_key):
            return f"a PRNG key {arr.dtype}{list(arr.shape)}"
        host = np.asarray(arr)
        kind = "NumPy array" if isinstance(value, np.ndarray | np.generic) else "array"
        return f"{kind} {aval(host)} {_numbers(host)}"
    if isinstance(value, dict):
        inner = ", ".join(f"{k!r}: {describe(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, tuple | list):
        inner = ", ".join(describe(v) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    return f"{type(value).__name__} {short_repr(value)}"


def aval(value: Any) -> str:
    """``dtype[shape]`` of an array, e.g. ``float32[2,3]``."""
    arr = value if hasattr(value, "dtype") else np.asarray(value)
    return f"{arr.dtype}[{','.join(str(d) for d in arr.shape)}]"


def _numbers(host: np.ndarray, limit: int = 6) -> str:
    flat = host.ravel()
    if host.dtype == np.bool_:
        items = ["True" if v else "False" for v in flat[:limit]]
    elif np.issubdtype(host.dtype, np.number):
        items = [f"{v:.4g}" for v in flat[:limit].tolist()]
    else:
        items = [str(v) for v in flat[:limit]]
    more = ", …" if flat.size > limit else ""
    return ("[" + ", ".join(items) + more + "]") if host.ndim else (items[0] if items else "")


def same(
    expected: Any,
    yours: Any,
    label: str,
    hint: str | Callable[[], str] = "",
    rtol: float | None = 1e-5,
    atol: float | None = None,
) -> None:
    """Fail unless ``yours`` matches ``expected``: pytree structure, array types, shapes, dtypes
    and values (to ``rtol``, and to ``atol``, by default ``rtol``; no values when ``rtol`` is
    None); string leaves must be equal. ``hint`` may be a function, called only on a failure,
    for hints that work out which mistake was made."""

    def fail(what: str) -> None:
        raise CheckFailure(
            f"{label}: {what}",
            hint=hint() if callable(hint) else hint,
            expected=describe(expected),
            yours=describe(yours),
        )

    if yours is None and expected is not None:
        raise CheckFailure(
            f"{label}: the result is None",
            hint=NONE_HINT,
            expected=describe(expected),
            yours="None",
        )
    e_leaves, e_tree = jax.tree.flatten(expected)
    y_leaves, y_tree = jax.tree.flatten(yours)
    if e_tree != y_tree:
        fail("the result has a different structure")
    for e, y in zip(e_leaves, y_leaves, strict=True):
        if isinstance(y, jax.core.Tracer):
            fail("the result holds a leaked tracer")
        if isinstance(e, str):  # names, e.g. of primitives: equal or not
            if not isinstance(y, str) or y != e:
                fail("the values differ")
            continue
        if not isinstance(y, jax.Array | np.ndarray | np.generic | int | float | bool):
            fail(f"expected an array, got {type(y).__name__}")
        e_arr, y_arr = np.asarray(e), np.asarray(y)
        if e_arr.shape != y_arr.shape:
            fail(f"shape {y_arr.shape} instead of {e_arr.shape}")
        if isinstance(e, jax.Array) and e_arr.dtype != y_arr.dtype:
            fail(f"dtype {y_arr.dtype} instead of {e_arr.dtype}")
        atol = rtol if atol is None else atol
        if rtol is not None and not np.allclose(e_arr, y_arr, rtol=rtol, atol=atol, equal_nan=True):
            fail("the values differ")


@contextlib.contextmanager
def captured_stdout() -> Iterator[io.StringIO]:
    """Collect what is printed while the block runs."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        yield buf


def quietly(fn: Callable) -> Callable:
    """``fn`` with what it prints (``print`` and ``jax.debug.print``) captured and dropped."""

    @functools.wraps(fn)
    def run(*args: Any) -> Any:
        with captured_stdout():
            out = fn(*args)
            jax.block_until_ready(out)
            jax.effects_barrier()
        return out

    return run


def _names_used(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names_used(const)
    return names


def global_values(fn: Callable) -> dict[str, Any]:
    """The module-level values (not modules, functions or classes) that ``fn``'s code reads."""
    try:
        fn = inspect.unwrap(fn)  # see through jax.jit and functools.wraps
    except ValueError:
        pass
    code = getattr(fn, "__code__", None)
    glb = getattr(fn, "__globals__", None)
    if code is None or glb is None:
        return {}
    out = {}
    for name in sorted(_names_used(code)):
        if name in glb:
            value = glb[name]
            if not isinstance(value, types.ModuleType | type) and not callable(value):
                out[name] = value
    return out


def container_sizes(fn: Callable) -> dict[str, int]:
    """Sizes of the global lists, dicts and sets ``fn`` can reach by name (to spot appends)."""
    return {
        name: len(value)
        for name, value in global_values(fn).items()
        if isinstance(value, list | dict | set)
    }


def _contents(value: Any) -> Any:
    """Identities of what a list, dict or set holds (``None`` for anything else)."""
    if isinstance(value, dict):
        return [(key, id(item)) for key, item in value.items()]
    if isinstance(value, list | set):
        return sorted(id(item) for item in value)
    return None


def globals_state(fn: Callable) -> dict[str, tuple[int, Any]]:
    """The identity of each global value ``fn`` reads, and of what its containers hold: compare
    two states with :func:`changed_globals` to spot rebinding (``global n; n += 1``), appends and
    writes into a dict."""
    return {name: (id(value), _contents(value)) for name, value in global_values(fn).items()}


def changed_globals(fn: Callable, before: dict[str, tuple[int, Any]]) -> list[str]:
    """Names of ``fn``'s globals that were rebound or whose contents changed since ``before``."""
    now = globals_state(fn)
    return [name for name, state in now.items() if name in before and state != before[name]]


def all_eqns(jaxpr: Any) -> list[Any]:
    """Every equation of ``jaxpr`` (a Jaxpr or ClosedJaxpr), each followed by the equations of
    its sub-jaxprs (jit, cond branches, loop bodies...)."""
    from jax.extend import core as jax_core

    out = []
    for eqn in getattr(jaxpr, "jaxpr", jaxpr).eqns:
        out.append(eqn)
        for sub in jax_core.jaxprs_in_params(eqn.params):
            out.extend(all_eqns(sub))
    return out


def primitive_names(jaxpr: Any) -> list[str]:
    """The primitive of every equation in :func:`all_eqns` order."""
    return [eqn.primitive.name for eqn in all_eqns(jaxpr)]


def message_has(exc: BaseException, *words: str) -> bool:
    """True when the error message contains any of ``words``."""
    text = str(exc)
    return any(w in text for w in words)


def stub_for(signature: str) -> str:
    """The learner's starting cell for a function ``signature`` such as ``set_first(x, v)``."""
    return f"def {signature}:\n    ...  # your code here\n    raise NotImplementedError\n"


def normal(seed: int, shape: tuple[int, ...], dtype: Any = jnp.float32) -> jax.Array:
    """Standard normal test input drawn from ``jax.random.key(seed)``."""
    return jax.random.normal(jax.random.key(seed), shape, dtype)


@cache
def words_of(table: str) -> dict[str, Any]:
    """The prose of ``tNN.toml`` (``table`` is ``"t07"``), each text's whitespace collapsed:
    ``{exercise_id: {"title": ..., "hint": ...}, "mistakes": {key: hint}}``."""
    path = Path(__file__).with_name(f"{table}.toml")
    with path.open("rb") as f:
        data = tomllib.load(f)
    return {
        name: {key: " ".join(text.split()) for key, text in texts.items()}
        for name, texts in data.items()
    }


def hints_of(module: str) -> dict[str, str]:
    """The ``[mistakes]`` hints of a table module (``__name__``), by key."""
    return words_of(module.rpartition(".")[2]).get("mistakes", {})


# --- exercise records and their runner ----------------------------------------------------------


@dataclass(frozen=True)
class OnError:
    """A hint for an error the answer raises: one of ``types`` whose message holds any of
    ``words`` (any message when there are none)."""

    hint: str
    types: tuple[type[BaseException], ...] = (Exception,)
    words: tuple[str, ...] = ()
    answer: Callable[[Callable], bool] | None = None  # only for answers this is true of

    def matches(self, exc: BaseException, fn: Callable) -> bool:
        if not isinstance(exc, self.types) or (self.words and not message_has(exc, *self.words)):
            return False
        return self.answer is None or self.answer(fn)


@dataclass(frozen=True)
class OnResult:
    """A hint for a wrong result: the one that ``wrong(reference, *args)`` computes for that
    mistake (compared by :func:`close`), or one for which ``when(result, *args)`` is true, or
    (with neither) any wrong result; with ``answer``, only for answers this is true of (e.g.
    those that read a global)."""

    hint: str
    wrong: Callable[..., Any] | None = None
    when: Callable[..., bool] | None = None
    answer: Callable[[Callable], bool] | None = None

    def matches(self, ref: Callable, args: tuple, got: Any, rtol: float, fn: Any = None) -> bool:
        if self.answer is not None and not self.answer(fn):
            return False
        if self.when is not None:
            return bool(self.when(got, *args))
        if self.wrong is None:
            return True
        return close(self.wrong(ref, *args), got, rtol)


def hints_from(pick: Callable[..., str], *hints: str) -> tuple[OnResult, ...]:
    """One :class:`OnResult` per hint, each given when ``pick(result, *args)`` returns it: for
    hints worked out together from one look at the result."""
    return tuple(OnResult(h, when=lambda got, *args, h=h: pick(got, *args) == h) for h in hints)


def close(expected: Any, got: Any, rtol: float = 1e-5) -> bool:
    """Whether ``got`` has the structure, shapes and values (to ``rtol``) of ``expected``,
    whatever its dtypes."""
    e_leaves, e_tree = jax.tree.flatten(expected)
    g_leaves, g_tree = jax.tree.flatten(got)
    if e_tree != g_tree:
        return False
    try:
        pairs = [(np.asarray(e), np.asarray(g)) for e, g in zip(e_leaves, g_leaves, strict=True)]
        return all(e.shape == g.shape and np.allclose(e, g, rtol=rtol, atol=rtol) for e, g in pairs)
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Also:
    """A transformed call the answer must also get right: ``transform(answer)`` against
    ``transform(reference)``, e.g. ``Also("jax.vmap({})", jax.vmap, cases=...)``, on ``cases()``
    (default: the record's own cases)."""

    label: str
    transform: Callable[[Callable], Callable]
    cases: Callable[[], Sequence[tuple]] | None = None
    rtol: float | None = None


@dataclass(frozen=True)
class Spec:
    """What :func:`run_record` checks, in this order:

    - on every case of ``cases()`` (tuples of arguments) the answer, seen through ``wrap`` when
      given (e.g. ``lambda f: jax.vmap(f, axis_name="i")``), returns what the reference returns:
      called as it is (unless ``eager`` is false), under ``jax.jit(answer, **jit)`` when ``jit``
      is given, and under each transform in ``also``; errors get the first matching ``on_error``
      hint, wrong results the first matching ``on_result`` one; changing the containers it was
      given fails with ``mutated_hint``;
    - ``key_reuse``: the answer, traced under jit on the first case, passes JAX's key-reuse
      checker (a ``KeyReuseError`` gets the first matching ``on_error`` hint);
    - ``keyed``: the answer is a function of its keys: on the first case, called again and under
      ``jit`` it returns the same draw, and with each typed key argument replaced by another key
      something else (else the hint ``keyed``);
    - ``compiles_once``: the jitted answer compiles no more often than the jitted reference
      (else ``compiles_hint``);
    - ``flat()``: two argument tuples, small and big, for which the answer's jaxpr must be as
      long (a Python loop over the data unrolls: else ``flat_hint``);
    - the jaxpr of the first case holds every primitive in ``present`` and none in ``absent``
      (each maps to its hint);
    - ``extra(answer, reference)``: what a record cannot say;
    - ``arrays``: every result must be made of jax.Arrays, not NumPy arrays or Python numbers
      (hint: the first matching ``on_result`` one).

    Values match to ``rtol``, and to ``atol`` when given (else ``rtol`` too).
    ``before(answer)``, when given, runs first, on the answer as it is: a bespoke check whose
    failure must come before the values are compared (e.g. that the answer is jitted).
    ``rtol=None`` compares no values, only structure, array types, shapes and dtypes (for answers
    that may rightly differ from the reference, e.g. random draws).
    """

    cases: Callable[[], Sequence[tuple]]
    jit: dict[str, Any] | None = None
    eager: bool = True
    compiles_once: bool = False
    compiles_hint: str = "the compiled code may depend on shapes, dtypes and static arguments only"
    also: tuple[Also, ...] = ()
    flat: Callable[[], tuple[tuple, tuple]] | None = None
    flat_hint: str = ""
    present: dict[str, str] = field(default_factory=dict)
    absent: dict[str, str] = field(default_factory=dict)
    on_error: tuple[OnError, ...] = ()
    on_result: tuple[OnResult, ...] = ()
    rtol: float | None = 1e-5
    atol: float | None = None
    mutated_hint: str = (
        "Leave the arguments alone and return new values: under jit a function gets copies, so "
        "changes to its inputs are lost."
    )
    wrap: Callable[[Callable], Callable] | None = None
    extra: Callable[[Callable, Callable], None] | None = None
    arrays: bool = False
    key_reuse: bool = False
    keyed: str = ""
    before: Callable[[Callable], None] | None = None


@cache
def reference_function(code: str, name: str) -> Callable:
    """The function ``name`` defined by a reference solution ``code``."""
    ns: dict[str, Any] = {"jax": jax, "jnp": jnp, "np": np}
    exec(compile(code, f"<reference {name}>", "exec"), ns)
    return ns[name]


def call_label(name: str, signature: str, args: tuple) -> str:
    """``name(x: float32[3], n: 2)``: a call of ``signature``'s parameters on ``args``."""
    params = [p.split("=")[0].strip() for p in signature.partition("(")[2].rstrip(")").split(",")]
    parts = []
    for i, value in enumerate(args):
        if isinstance(value, jax.Array | np.ndarray):
            shown = aval(value)
        elif isinstance(value, dict | list | tuple):
            shown = type(value).__name__
        elif isinstance(value, types.FunctionType):
            shown = value.__name__
        else:
            shown = short_repr(value)
        named = i < len(params) and params[i].isidentifier()  # not `...`, as in MLP(...)
        parts.append(f"{params[i]}: {shown}" if named else shown)
    return f"{name}({', '.join(parts)})"


def _result_hint(spec: Spec, ref: Callable, args: tuple, got: Any, answer: Any = None) -> str:
    """The hint of the first known wrong result that ``got`` (``answer``'s) is, else ''."""
    hints = spec.on_result
    return next((h.hint for h in hints if h.matches(ref, args, got, spec.rtol, answer)), "")


def _leaf_ids(tree: Any) -> tuple:
    """The identity of every leaf, and the bytes of NumPy ones (written to in place)."""
    leaves, treedef = jax.tree.flatten(tree)
    return treedef, [
        (id(leaf), leaf.tobytes() if isinstance(leaf, np.ndarray) else None) for leaf in leaves
    ]


_SAME_KEY_HINT = (
    "The same key must give the same draw, with or without jit: take every random number from "
    "jax.random and the key you are given, not from NumPy's or Python's hidden global state."
)


def _is_key(value: Any) -> bool:
    return isinstance(value, jax.Array) and jax.dtypes.issubdtype(value.dtype, jax.dtypes.prng_key)


def _another_key(key: jax.Array) -> jax.Array:
    """A different key of the same shape (each key of a batch folded with 1)."""
    flat = jax.vmap(lambda k: jax.random.fold_in(k, 1))(key.reshape(-1))
    return flat.reshape(key.shape)


def _passes_key_reuse_checker(
    fn: Callable, args: tuple, jit: dict[str, Any], name: str, hint_for: HintFor
) -> None:
    """Fail when ``jax.jit(fn, **jit)`` does not trace under JAX's key-reuse checker."""

    def traced(*args: Any) -> Any:
        with jax.debug_key_reuse(True):
            return jax.jit(fn, **jit).trace(*args)

    label = f"jax.jit({name}) traced under JAX's key-reuse checker"
    attempt(traced, *args, label=label, hint_for=hint_for)  # hints are found outside the checker


def _follows_its_keys(
    fn: Callable, args: tuple, jit: dict[str, Any] | None, label: str, spec: Spec
) -> None:
    """Fail unless ``fn(*args)`` is the same draw every time and another draw for other keys."""
    first = attempt(fn, *args, label=label)
    same(first, attempt(fn, *args, label=label), f"{label} called twice", _SAME_KEY_HINT, 1e-4)
    if jit is not None:
        jitted = attempt(jax.jit(fn, **jit), *args, label=f"jax.jit of {label}")
        same(first, jitted, f"{label} with and without jit", _SAME_KEY_HINT, 1e-4)
    others = tuple(_another_key(a) if _is_key(a) else a for a in args)
    other = attempt(fn, *others, label=f"{label} with another key")
    if close(first, other):
        raise CheckFailure(
            f"{label}: another key gave the same result",
            hint=spec.keyed,
            expected="a different draw for a different key",
            yours=describe(other),
        )


def run_record(ex: Any, answer: Any) -> None:
    """Check ``answer`` against the record ``ex`` (an :class:`~jaxscope.exercises.Exercise`
    with a ``spec``)."""
    spec: Spec = ex.spec
    fn = expect_function(answer, ex.signature)
    ref = reference_function(ex.reference, ex.answer_name)

    def hint_for(exc: BaseException) -> str | None:
        return next((h.hint for h in spec.on_error if h.matches(exc, answer)), None)

    name = ex.answer_name
    if spec.before is not None:
        spec.before(fn)
    if spec.wrap is not None:
        fn, ref = spec.wrap(fn), spec.wrap(ref)
    runs = [(fn, ref, name, spec.cases, spec.rtol)] if spec.eager else []
    if spec.jit is not None:
        jitted, ref_jitted = jax.jit(fn, **spec.jit), jax.jit(ref, **spec.jit)
        runs.append((jitted, ref_jitted, f"jax.jit({name})", spec.cases, spec.rtol))
    for more in spec.also:
        t = more.transform
        runs.append(
            (
                t(fn),
                t(ref),
                more.label.format(name),
                more.cases or spec.cases,
                more.rtol or spec.rtol,
            )
        )
    cases = spec.cases()
    for f, r, label, case_fn, rtol in runs:
        for args in case_fn() if case_fn is not spec.cases else cases:
            want = r(*args)
            call = call_label(label, ex.signature, args)
            before = _leaf_ids(args)
            got = attempt(f, *args, label=call, hint_for=hint_for)
            if _leaf_ids(args) != before:
                raise CheckFailure(
                    f"{call} changed the arguments it was given",
                    hint=spec.mutated_hint,
                    expected="its arguments unchanged",
                    yours=f"afterwards: {describe(args)}",
                )

            def hint(got: Any = got, args: tuple = args) -> str:
                return _result_hint(spec, ref, args, got, answer)

            same(want, got, call, hint, rtol, spec.atol)
            if spec.arrays and not all(isinstance(v, jax.Array) for v in jax.tree.leaves(got)):
                raise CheckFailure(
                    f"{call} returned {type(got).__name__}, not a jax.Array",
                    hint=hint() or "compute the result with jax.numpy and return it",
                    expected=describe(want),
                    yours=describe(got),
                )
    if spec.key_reuse:
        _passes_key_reuse_checker(fn, cases[0], spec.jit or {}, name, hint_for)
    if spec.keyed:
        _follows_its_keys(fn, cases[0], spec.jit, call_label(name, ex.signature, cases[0]), spec)
    if spec.compiles_once:
        for args in cases:
            ref_jitted(*args)
        if jitted._cache_size() > ref_jitted._cache_size():
            raise CheckFailure(
                f"jax.jit({name}) compiled {jitted._cache_size()} times for {len(cases)} calls",
                hint=spec.compiles_hint,
                expected=f"{ref_jitted._cache_size()} compilation(s)",
                yours=f"{jitted._cache_size()}",
            )
    if spec.flat is not None:
        small, big = spec.flat()
        sizes = [len(all_eqns(jax.make_jaxpr(fn)(*args))) for args in (small, big)]
        if sizes[1] > sizes[0]:
            raise CheckFailure(
                f"the jaxpr of {name} grows with the size of its input",
                hint=spec.flat_hint,
                expected=f"{sizes[0]} equations for both sizes",
                yours=f"{sizes[0]} equations for the small input, {sizes[1]} for the big one",
            )
    if spec.present or spec.absent:
        static = (spec.jit or {}).get("static_argnums", ())
        prims = set(primitive_names(jax.make_jaxpr(fn, static_argnums=static)(*cases[0])))
        for prim, hint in spec.present.items():
            if prim not in prims:
                raise CheckFailure(
                    f"the jaxpr of {name} has no {prim}", hint=hint, yours=", ".join(sorted(prims))
                )
        for prim, hint in spec.absent.items():
            if prim in prims:
                raise CheckFailure(f"the jaxpr of {name} holds {prim}", hint=hint)
    if spec.extra is not None:
        spec.extra(fn, ref)
