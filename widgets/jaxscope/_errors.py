"""Argument checking shared by every public call, and the error panel a view shows instead of
crashing when the learner's function fails."""

from __future__ import annotations

import functools
import weakref
from typing import Any

from ._view import View, esc


def require_callable(fn: Any, name: str = "fn") -> None:
    """Raise a ``TypeError`` naming ``name`` when ``fn`` is not callable."""
    if not callable(fn):
        raise TypeError(
            f"{name} must be a function (a callable), got {type(fn).__name__} {short_repr(fn)}; "
            f"pass the function itself, e.g. js.jaxpr(f, x), not f(x)"
        )


def fn_name(fn: Any) -> str:
    """The name a view gives the learner's function: its ``__name__`` (or ``__qualname__``),
    ``partial(name)`` for a ``functools.partial``, else its type's name (a callable object)."""
    if isinstance(fn, functools.partial):
        return f"partial({fn_name(fn.func)})"
    for attr in ("__name__", "__qualname__"):
        name = getattr(fn, attr, None)
        if isinstance(name, str) and name:
            return name
    return type(fn).__name__


def jittable(fn: Any) -> Any:
    """``fn``, wrapped in a plain function when it refuses a weak reference (NumPy ufuncs): jax.jit
    keeps one, and jitting such a callable twice crashes the interpreter."""
    try:
        weakref.ref(fn)
    except TypeError:

        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> Any:
            return fn(*args, **kwargs)

        return call
    return fn


def short_repr(value: Any, limit: int = 60) -> str:
    """A one-line, bounded, address-free repr for error messages."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not hide the real error
        text = f"<{type(value).__name__}>"
    text = " ".join(text.split())
    if " at 0x" in text:
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ErrorPanel(View):
    """Shown in place of a view when the learner's function raised: what, where, and the fix."""

    kind = "error"
    styles = ("error",)

    def text(self) -> str:
        d = self.data
        lines = [f"{d['title']}: {d['error_type']}"]
        if d.get("where"):
            lines.append(f"  at {d['where']}")
        lines.append(f"  {d['message']}")
        if d.get("explanation"):
            lines.append(f"  What happened: {d['explanation']}")
        if d.get("fix"):
            lines.append(f"  Fix: {d['fix']}")
        if d.get("concept"):
            lines.append(f"  Cheat sheet: {d['concept']}")
        return "\n".join(lines)

    def html_body(self) -> str:
        d = self.data
        parts = [
            f'<div class="jxs-error"><div class="jxs-error-title">{esc(d["title"])}: '
            f"<code>{esc(d['error_type'])}</code></div>"
        ]
        if d.get("where"):
            parts.append(f'<div class="jxs-error-where">at {esc(d["where"])}</div>')
        parts.append(f'<pre class="jxs-error-msg">{esc(d["message"])}</pre>')
        if d.get("explanation"):
            parts.append(f"<p><b>What happened:</b> {esc(d['explanation'])}</p>")
        if d.get("fix"):
            parts.append(f"<p><b>Fix:</b> {esc(d['fix'])}</p>")
        if d.get("concept"):
            parts.append(f"<p><b>Cheat sheet:</b> <code>{esc(d['concept'])}</code></p>")
        parts.append("</div>")
        return "".join(parts)


def error_panel(title: str, exc: BaseException, fn: Any = None) -> ErrorPanel:
    """An :class:`ErrorPanel` for ``exc`` raised by the learner's ``fn``, in plain words."""
    from ._explain import clean_message, explain, safe_str

    info = explain(exc, fn)
    return ErrorPanel(
        {
            "title": title,
            "error_type": info.get("name") or type(exc).__name__,
            "message": first_lines(clean_message(safe_str(exc))),
            "where": info.get("where", ""),
            "explanation": info.get("explanation", ""),
            "fix": info.get("fix", ""),
            "concept": info.get("concept", ""),
        }
    )


def first_lines(message: str, limit: int = 6) -> str:
    """The first lines of an error message, without JAX's long trailer of links."""
    lines = [ln for ln in message.strip().splitlines() if ln.strip()]
    text = "\n".join(lines[:limit])
    return text or "(no message)"
