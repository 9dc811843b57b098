"""The base of every view: plain data in; text, static HTML and a live widget out.

A view is built by a pure *model* function (jaxpr -> dict, tracer -> dict, ...) and rendered by
three renderers: ``text()`` for terminals and nbval, ``html()`` for static pages (self-contained,
deterministic, escaped) and, inside a Jupyter kernel, an anywidget that starts from the same HTML
and adds interaction with the JavaScript file named by ``esm``.
"""

from __future__ import annotations

import html as _html
import re
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

STATIC = Path(__file__).parent / "static"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def esc(value: object) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return _html.escape(str(value), quote=True)


# The wrapper matches any ancestor, so it changes no match, but it adds an id's weight to every
# selector: JupyterLab styles rendered HTML with class selectors of up to three classes
# (right-aligned, padded, zebra-striped table cells; `pre` that breaks words anywhere; `code` with
# its own background), which would otherwise win over the views' own rules.
OUTRANK = ":not(#jxs-outrank)"


@cache
def stylesheet(*names: str) -> str:
    """The CSS a view inlines: ``static/base.css`` then ``static/<name>.css`` for each name.

    Comments and layout whitespace are dropped (the copy is stored in every notebook output),
    and every rule is nested in one ``:not(#jxs-outrank) { ... }`` wrapper.
    """
    parts = []
    for name in ("base", *names):
        path = STATIC / f"{name}.css"
        if not re.fullmatch(r"[a-z_]+", name) or not path.is_file():
            raise ValueError(f"no stylesheet {name!r}: expected a file static/<name>.css")
        parts.append(path.read_text(encoding="utf-8"))
    css = re.sub(r"/\*.*?\*/", "", "\n".join(parts), flags=re.S)
    css = re.sub(r"\s*([{};,])\s*", r"\1", re.sub(r"\s+", " ", css)).strip()
    return f"{OUTRANK}{{{css}}}"


def in_kernel() -> bool:
    """True inside a running IPython kernel, where a live widget can be shown."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with jupyterlab
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class View:
    """A rendered view: ``text()``, ``html()`` and, in a kernel, a live widget.

    Subclasses set ``kind`` (the root's CSS class), implement ``text()`` and ``html_body()``,
    list in ``styles`` the stylesheets of ``static/`` their HTML uses beyond ``base.css``, and may
    name an ES module in ``esm`` (a file in ``static/``) that adds interaction to the HTML. A view
    whose widget talks back lists in ``live`` its extra synced traits (name -> default value: a
    str, int, list or dict) and answers changes in ``on_widget_change``.
    """

    kind: ClassVar[str] = "view"
    styles: ClassVar[tuple[str, ...]] = ()
    esm: ClassVar[str | None] = None
    live: ClassVar[dict[str, Any]] = {}

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self._widget = None

    # --- renderers ---------------------------------------------------------------------------
    def text(self) -> str:
        raise NotImplementedError

    def html_body(self) -> str:
        raise NotImplementedError

    def widget_data(self) -> dict[str, Any]:
        """JSON-safe data the live widget needs beyond the HTML (default: none)."""
        return {}

    def widget_state(self) -> dict[str, Any]:
        """Starting values of the ``live`` traits (default: their defaults)."""
        return {}

    def on_widget_change(self, widget: Any, name: str, value: Any) -> None:
        """React to the browser changing the ``live`` trait ``name`` of ``widget``."""

    def widget_html(self) -> str:
        """The HTML the live widget starts from (default: the static HTML)."""
        return self.html()

    def html(self) -> str:
        """Self-contained HTML: one root ``div`` with the view's stylesheet inlined."""
        return (
            f'<div class="jxs jxs-{self.kind}"><style>{stylesheet(*self.styles)}</style>'
            f"{self.html_body()}</div>"
        )

    # --- display protocol ------------------------------------------------------------------
    def __repr__(self) -> str:
        return self.text()

    def __str__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        return self.html()

    def widget(self):
        """The live anywidget for this view (``None`` when the view has no interaction)."""
        if self.esm is None:
            return None
        if self._widget is None:
            from ._widget import make_widget

            self._widget = make_widget(self, STATIC / self.esm)
        return self._widget

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": self.text(), "text/html": self.html()}
        if in_kernel():
            widget = self.widget()
            if widget is not None:
                shown = widget._repr_mimebundle_()
                # ipywidgets returns a dict; anywidget returns (data, metadata)
                data = shown[0] if isinstance(shown, tuple) else shown
                bundle[WIDGET_MIME] = data[WIDGET_MIME]
        return bundle
