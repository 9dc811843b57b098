"""The View base: display protocol in and out of a kernel."""

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
