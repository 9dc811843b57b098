"""The base of every view: plain data in; text, static HTML and a live widget out.

A view is built by a pure *model* function (jaxpr -> dict, tracer -> dict, ...) and rendered by
three renderers: ``text()`` for terminals and nbval, ``html()`` for static pages (self-contained,
deterministic, escaped) and, inside a Jupyter kernel, an anywidget that starts from the same HTML
and adds interaction with the JavaScript file named by ``esm``.
"""

from __future__ import annotations

import html as _html
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

STATIC = Path(__file__).parent / "static"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def esc(value: object) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return _html.escape(str(value), quote=True)


@cache
def stylesheet() -> str:
    """The shared CSS of every view (JupyterLab theme variables, light fallbacks)."""
    return (STATIC / "jaxscope.css").read_text(encoding="utf-8")


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

    Subclasses set ``kind`` (the CSS/JS name), implement ``text()`` and ``html_body()``, and may
    name an ES module in ``esm`` (a file in ``static/``) that adds interaction to the HTML.
    """

    kind: ClassVar[str] = "view"
    esm: ClassVar[str | None] = None

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

    def widget_html(self) -> str:
        """The HTML the live widget starts from (default: the static HTML)."""
        return self.html()

    def html(self) -> str:
        """Self-contained HTML: one root ``div`` with the shared stylesheet inlined."""
        return (
            f'<div class="jxs jxs-{self.kind}"><style>{stylesheet()}</style>'
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

            self._widget = make_widget(self)
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
