"""The live side of a view: one anywidget class per view kind, built on first use.

The widget receives the view's static HTML and its data; the view's ES module (in ``static/``)
renders that HTML and adds interaction. ``selected`` syncs back to the kernel, so a notebook can
read what the learner clicked. A view that talks back (the explorer, the transforms toolbar)
declares its extra synced traits in ``View.live``; a change from the browser reaches
``View.on_widget_change``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import anywidget
import traitlets

# the traitlet for each type of default value a view's ``live`` traits may have
_TRAITS = {str: traitlets.Unicode, int: traitlets.Int, list: traitlets.List, dict: traitlets.Dict}


class ViewWidget(anywidget.AnyWidget):
    """Base widget: the view's HTML, its data, and what the learner selected."""

    html = traitlets.Unicode("").tag(sync=True)
    data = traitlets.Dict().tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)
    view_text = ""
    view: Any = None  # the view whose state the widget shows (replaced when it recomputes)

    def __repr__(self) -> str:
        return self.view_text

    def show(self, view: Any) -> None:
        """Show ``view`` (the same kind, recomputed) in place of the current one."""
        self.view, self.view_text, self.html = view, view.text(), view.widget_html()

    def _on_live_change(self, change: dict) -> None:
        self.view.on_widget_change(self, change["name"], change["new"])


@cache
def widget_class(kind: str, esm: Path, live: tuple[tuple[str, type], ...] = ()) -> type[ViewWidget]:
    """One subclass per view kind, carrying that kind's ES module (the file ``esm``) and a synced
    trait for each ``(name, type of its default)`` in ``live``."""
    name = "".join(part.title() for part in kind.split("_")) + "Widget"
    body: dict[str, Any] = {"_esm": esm.read_text(encoding="utf-8")}
    for trait, kind_of in live:
        body[trait] = _TRAITS[kind_of]().tag(sync=True)
    return type(name, (ViewWidget,), body)


def make_widget(view: Any, esm: Path) -> ViewWidget:
    """Build the live widget of ``view`` (a ``jaxscope._view.View``) with the ES module ``esm``."""
    live = view.live
    cls = widget_class(view.kind, esm, tuple((k, type(v)) for k, v in live.items()))
    widget = cls(html=view.widget_html(), data=view.widget_data(), **(live | view.widget_state()))
    widget.view, widget.view_text = view, view.text()
    if live:
        widget.observe(widget._on_live_change, names=list(live))
    return widget
