"""The live side of a view: one anywidget class per view kind, built on first use.

The widget receives the view's static HTML and its data; the view's ES module (in ``static/``)
renders that HTML and adds interaction. ``selected`` syncs back to the kernel, so a notebook can
read what the learner clicked.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import anywidget
import traitlets


class ViewWidget(anywidget.AnyWidget):
    """Base widget: the view's HTML, its data, and what the learner selected."""

    html = traitlets.Unicode("").tag(sync=True)
    data = traitlets.Dict().tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)
    view_text = ""

    def __repr__(self) -> str:
        return self.view_text


@cache
def widget_class(kind: str, esm: Path) -> type[ViewWidget]:
    """One subclass per view kind, carrying that kind's ES module (the file ``esm``)."""
    name = "".join(part.title() for part in kind.split("_")) + "Widget"
    return type(name, (ViewWidget,), {"_esm": esm.read_text(encoding="utf-8")})


def make_widget(view: Any, esm: Path) -> ViewWidget:
    """Build the live widget of ``view`` (a ``jaxscope._view.View``) with the ES module ``esm``."""
    cls = widget_class(view.kind, esm)
    widget = cls(html=view.widget_html(), data=view.widget_data())
    widget.view_text = view.text()
    return widget
