"""The View base: display protocol in and out of a kernel."""

import re
from types import SimpleNamespace

import jaxscope._view as view_module
from jaxscope._errors import ErrorPanel
from jaxscope._view import WIDGET_MIME, View, esc


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
    assert _top_level_selectors(view_module.stylesheet()) == [":not(#jxs-outrank)"]
    from jaxscope._explorer import PRINT_CSS

    assert _top_level_selectors(PRINT_CSS)[-1] == ":not(#jxs-outrank)"
    assert all(".jxs" not in s for s in _top_level_selectors(PRINT_CSS)[:-1])
