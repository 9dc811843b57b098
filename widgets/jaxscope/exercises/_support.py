"""Building blocks of exercise checks: run the learner's answer safely and compare behaviour.

A check raises :class:`CheckFailure` (what differed, expected vs yours, and a hint) or
:class:`NotAttempted` (the stub is still there); returning normally means passed.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import types
from collections.abc import Callable, Iterator
from typing import Any

import jax
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


def attempt(fn: Callable, *args: Any, label: str, hint_for: HintFor | None = None) -> Any:
    """Call ``fn(*args)``; a ``NotImplementedError`` means not attempted, any other error fails
    the check with the hint ``hint_for`` gives for it."""
    try:
        return fn(*args)
    except NotImplementedError:
        raise NotAttempted() from None
    except Exception as exc:  # noqa: BLE001 - the learner's code may raise anything
        hint = (hint_for(exc) if hint_for else None) or coach_hint(exc, fn)
        raise CheckFailure(
            f"{label} raised {type(exc).__name__}: {first_lines(str(exc), 2)}", hint=hint
        ) from None


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
    rtol: float = 1e-5,
) -> None:
    """Fail unless ``yours`` matches ``expected``: pytree structure, array types, shapes, dtypes
    and values (to ``rtol``). ``hint`` may be a function, called only on a failure, for hints
    that work out which mistake was made."""

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
        if not isinstance(y, jax.Array | np.ndarray | np.generic | int | float | bool):
            fail(f"expected an array, got {type(y).__name__}")
        e_arr, y_arr = np.asarray(e), np.asarray(y)
        if e_arr.shape != y_arr.shape:
            fail(f"shape {y_arr.shape} instead of {e_arr.shape}")
        if isinstance(e, jax.Array) and e_arr.dtype != y_arr.dtype:
            fail(f"dtype {y_arr.dtype} instead of {e_arr.dtype}")
        if not np.allclose(e_arr, y_arr, rtol=rtol, atol=rtol, equal_nan=True):
            fail("the values differ")


@contextlib.contextmanager
def captured_stdout() -> Iterator[io.StringIO]:
    """Collect what is printed while the block runs."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        yield buf


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
