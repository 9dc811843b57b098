"""A corpus of erroneous and surprising JAX snippets, written for jaxscope's error coach.

Each module registers its snippets with :func:`case` (an error JAX raises, with the line and the
fix expected) or :func:`sharp` (code JAX runs silently, with the sharp-bit note expected). The
snippets were written after reading the JAX documentation's error pages, "sharp bits", control
flow, jit and key-reuse pages and questions on the issue tracker; none is copied.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

CASES: list[Case] = []


@dataclass(frozen=True)
class Case:
    """One snippet: ``fn(*args())`` is traced by js.trace (``via="trace"``) or called
    (``via="call"``, for errors raised when a jitted function is called) and must raise ``error``
    at the source line containing ``line``; the coach's own fix must contain every phrase of
    ``fix`` (``"a|b"``: either) and name ``concept``; ``error`` may list alternatives the same
    way where JAX raises either class, depending on its dispatch path. A ``sharp`` case raises
    nothing: js.trace must note ``kind`` at ``line``."""

    name: str
    fn: Callable
    args: Callable[[], tuple]
    line: str
    concept: str
    error: str = ""
    fix: tuple[str, ...] = ()
    kind: str = ""
    via: str = "trace"
    static_argnums: tuple[int, ...] = ()
    static_argnames: tuple[str, ...] = ()
    context: Callable[[], Any] | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def half(self) -> str:
        """``tune`` or ``held``: a fixed split by a hash of the name, made before tuning."""
        return "tune" if hashlib.sha256(self.name.encode()).digest()[0] % 2 == 0 else "held"


def case(error: str, line: str, fix: str | tuple[str, ...], concept: str, args=(), **opts):
    """Register the decorated function as a snippet that raises ``error`` at ``line``."""
    return _register(
        error=error,
        line=line,
        fix=(fix,) if isinstance(fix, str) else fix,
        concept=concept,
        args=args,
        **opts,
    )


def sharp(kind: str, line: str, concept: str, args=(), **opts):
    """Register the decorated function as a silent sharp bit of ``kind`` noted at ``line``."""
    return _register(kind=kind, line=line, concept=concept, args=args, **opts)


def _register(args: Any, **fields: Any):
    def deco(fn: Callable) -> Callable:
        make = args if callable(args) else (lambda: tuple(args))
        CASES.append(
            Case(
                name=f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}", fn=fn, args=make, **fields
            )
        )
        return fn

    return deco


def line_of(fn: Callable, text: str) -> set[int]:
    """The numbers of the lines of ``fn``'s source that contain ``text`` (``"a|b"``: either)."""
    import inspect

    lines, start = inspect.getsourcelines(fn)
    return {start + i for i, ln in enumerate(lines) if phrase_in(text, ln)}


def phrase_in(phrase: str, text: str) -> bool:
    """True when one of the ``|``-separated alternatives of ``phrase`` is in ``text``."""
    return any(alt.lower() in text.lower() for alt in phrase.split("|"))


def load() -> list[Case]:
    """Every case of the corpus, in a fixed order."""
    from . import (  # noqa: F401
        calls,
        control_flow,
        keys,
        round2,
        round3,
        round4,
        round5,
        round6,
        round7,
        round8,
        round9,
        round10,
        round11,
        round12,
        round13,
        round14,
        round15,
        round16,
        round17,
        round18,
        round19,
        round20,
        shapes_dtypes,
        silent,
        tracer_values,
    )

    return sorted(CASES, key=lambda c: c.name)
