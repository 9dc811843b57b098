"""The View base: display protocol in and out of a kernel."""

import re
from pathlib import Path
from types import SimpleNamespace

import jaxscope._view as view_module
from jaxscope._errors import ErrorPanel
from jaxscope._view import STATIC, WIDGET_MIME, View, esc


class Tiny(View):
    kind = "tiny"
    esm = "jaxpr.js"

    def text(self):
        return f"tiny {self.data['name']}"

    def html_body(self):
        return f"<b>{esc(self.data['name'])}</b>"


def test_text_and_html_outside_a_kernel():
    view = Tiny({"name": "<x>"})
    bundle = view._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}
    assert bundle["text/plain"] == "tiny <x>" == repr(view)
    assert "<b>&lt;x&gt;</b>" in bundle["text/html"]
    assert bundle["text/html"].startswith('<div class="jxs jxs-tiny"><style>')


def test_widget_view_is_added_inside_a_kernel(monkeypatch):
    monkeypatch.setattr(view_module, "in_kernel", lambda: True)
    view = Tiny({"name": "w"})
    bundle = view._repr_mimebundle_()
    assert bundle[WIDGET_MIME]["model_id"] == view.widget().model_id
    assert view.widget().html == view.html()
    assert repr(view.widget()) == "tiny w"


class Counter(Tiny):
    """A view whose widget talks back: the browser sets ``clicks``; the kernel answers."""

    kind = "counter"
    live = {"clicks": 0, "log": []}

    def widget_state(self):
        return {"clicks": self.data["start"]}

    def on_widget_change(self, widget, name, value):
        if name == "clicks":  # the kernel's own answer (log) comes back here too: ignore it
            widget.log = [*widget.log, f"{name}={value}"]
            widget.show(Counter({"name": f"after {value}", "start": value}))


def test_live_traits_start_from_the_view_and_reach_its_handler():
    widget = Counter({"name": "c", "start": 3}).widget()
    assert type(widget).__name__ == "CounterWidget" and widget.keys.count("clicks") == 1
    assert (widget.clicks, widget.log, repr(widget)) == (3, [], "tiny c")
    widget.clicks = 4  # as when the browser sets it
    assert widget.log == ["clicks=4"] and repr(widget) == "tiny after 4"
    assert "after 4" in widget.html and widget.view.data["start"] == 4
    assert type(Tiny({"name": "t"}).widget()).__name__ == "TinyWidget"  # no live traits
    assert not hasattr(Tiny({"name": "t"}).widget(), "clicks")


def test_views_without_interaction_have_no_widget(monkeypatch):
    monkeypatch.setattr(view_module, "in_kernel", lambda: True)
    panel = ErrorPanel(
        {"title": "t", "error_type": "E", "message": "m", "where": "", "explanation": ""}
    )
    assert WIDGET_MIME not in panel._repr_mimebundle_()


def test_in_kernel_false_in_plain_python(monkeypatch):
    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: SimpleNamespace())
    assert view_module.in_kernel() is False


def _top_level_selectors(css: str) -> list[str]:
    """The selectors of a stylesheet's top-level blocks (comments dropped)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found, depth, start = [], 0, 0
    for i, ch in enumerate(css):
        if ch == "{":
            if depth == 0:
                found.append(css[start:i].strip())
            depth += 1
        elif ch == "}":
            depth -= 1
            assert depth >= 0, "unbalanced braces"
            start = i + 1
    assert depth == 0, "unbalanced braces"
    return found


def test_every_view_rule_outranks_jupyterlab_rendered_html_rules():
    """JupyterLab's rendered-HTML rules (right-aligned table cells, break-all <pre>) have up to
    three classes; the stylesheet nests every rule in one id-weighted wrapper to win over them."""
    for view in _view_classes():
        css = view_module.stylesheet(*view.styles)
        assert _top_level_selectors(css) == [":not(#jxs-outrank)"], view
    from jaxscope._explorer import PRINT_CSS

    assert _top_level_selectors(PRINT_CSS)[-1] == ":not(#jxs-outrank)"
    assert all(".jxs" not in s for s in _top_level_selectors(PRINT_CSS)[:-1])


def _view_classes() -> list[type[View]]:
    import importlib
    import pkgutil

    import jaxscope

    for module in pkgutil.iter_modules(jaxscope.__path__):
        if module.name != "__main__":
            importlib.import_module(f"jaxscope.{module.name}")
    found, todo = [], [View]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("jaxscope."):
                found.append(sub)
    return found


def _classes(text: str) -> set[str]:
    return set(re.findall(r"jxs-[a-z_]+(?:-[a-z0-9_]+)*", text))


def test_each_view_inlines_base_and_its_own_rules_only():
    """A view's HTML carries base.css plus the files in its ``styles``: every jxs- class its module
    (and its ES module) writes that some stylesheet styles is styled by its own, and each file it
    names styles something it writes."""
    import sys

    every = {
        p.stem: _classes(re.sub(r"/\*.*?\*/", "", p.read_text(encoding="utf-8"), flags=re.S))
        for p in STATIC.glob("*.css")
    }
    styled = set().union(*every.values())
    views = _view_classes()
    assert {v.kind for v in views} >= {"check", "jaxpr", "trace", "pytree", "sharding", "explorer"}
    for view in views:
        source = Path(sys.modules[view.__module__].__file__).read_text(encoding="utf-8")
        if view.esm:
            source += (STATIC / view.esm).read_text(encoding="utf-8")
        own = _classes(view_module.stylesheet(*view.styles))
        missing = (_classes(source) & styled) - own
        assert not missing, f"{view.__name__} writes classes styled only elsewhere: {missing}"
        for name in view.styles:
            assert _classes(source) & (every[name] - every["base"]), f"{view.__name__}: {name}"
    check = view_module.stylesheet("check")
    assert len(check) < 3000, "a check mark carries the base and the check rules only"


def test_stylesheet_names_a_file():
    import pytest

    with pytest.raises(ValueError, match="no stylesheet 'nope'"):
        view_module.stylesheet("nope")
    with pytest.raises(ValueError, match="no stylesheet"):
        view_module.stylesheet("../base")


def test_views_name_a_function_the_same_way():
    """js.jaxpr, js.hlo and js.trace name the learner's function with one helper: a
    ``functools.partial`` is ``partial(f)``, a callable object its type's name."""
    import functools

    import jax.numpy as jnp

    import jaxscope as js
    from jaxscope._errors import fn_name

    def scale(x, k):
        return x * k

    class Doubler:
        def __call__(self, x):
            return 2 * x

    x = jnp.ones(3)
    part = functools.partial(scale, k=2.0)
    assert fn_name(part) == "partial(scale)"
    assert fn_name(Doubler()) == "Doubler" and fn_name(scale) == "scale"
    for make in (js.jaxpr, js.hlo, js.trace):
        assert make(part, x).data["name"] == "partial(scale)", make
        assert make(Doubler(), x).data["name"] == "Doubler", make
