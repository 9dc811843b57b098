"""Hostile names and strings are escaped in every view: nothing from them becomes markup.

Each view is built with payloads in every place a learner (or the cheat-sheet data) controls:
function names, pytree keys, class names, static fields, string literals in the source, error
messages, timing labels, mesh axis names, cheat-sheet text and exercise hints. The HTML is then
parsed with :class:`html.parser.HTMLParser`: no ``<script>`` or ``<img>`` element, no ``on*``
attribute, no ``javascript:`` URL and no element or attribute from a payload may appear.
"""

import dataclasses
import functools
from collections import namedtuple
from html.parser import HTMLParser

import jax
import jax.numpy as jnp
import pytest
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P

import jaxscope as js
from jaxscope import _cheatsheet, _device_info, _exercises, _explorer, exercises
from jaxscope._errors import error_panel

PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "</style><script>alert(2)</script>",
    "<jxsevil jxsattr=1 onclick=alert(3)>",
    "javascript:alert(1)",
)
EVIL = "".join(PAYLOADS)
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "background", "poster"}
X = jnp.arange(3.0)


class _Audit(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(name, value or "") for name, value in attrs]

    handle_startendtag = handle_starttag


def assert_inert(html: str) -> None:
    """The parsed HTML holds no element, attribute or URL a payload could have created."""
    audit = _Audit()
    audit.feed(html)
    audit.close()
    for tag in ("script", "img", "jxsevil", "iframe", "object", "embed"):
        assert tag not in audit.tags, f"<{tag}> in the HTML"
    assert audit.tags.count("style") == 1, "only the shared stylesheet may be a <style>"
    for name, value in audit.attrs:
        assert not name.startswith("on"), f"event handler attribute {name}={value!r}"
        assert name not in ("jxsattr", "src"), f"payload attribute {name}"
        cleaned = "".join(value.split()).lower()
        if name in URL_ATTRS or name.endswith("href"):
            assert not cleaned.startswith("javascript:"), f"{name}={value!r}"
    assert "<jxsevil" not in html and "<script>" not in html


def assert_shown(html: str) -> None:
    """The payload did reach the page (escaped), so the audit is not vacuous."""
    assert "&lt;script&gt;" in html or "&lt;jxsevil" in html


def named(name: str, fn):
    fn.__name__ = fn.__qualname__ = name
    return fn


def hostile_fn(x):
    label = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'  # shown by js.trace
    note = "' onmouseover='alert(1)</style><script>"
    return x * len(label) + len(note)


def raising(x):
    x = x * 2
    raise ValueError(EVIL)


# --- the views, each built with payloads ---------------------------------------------------
def _fn_views():
    f = named(EVIL, lambda t: t[EVIL] * 2)
    bad = named(EVIL, raising)
    return {
        "jaxpr": js.jaxpr(f, {EVIL: X}),
        "jaxpr-static": js.jaxpr(lambda x, s: x * len(s), X, EVIL, static_argnums=1),
        "jaxpr-error": js.jaxpr(bad, X),
        "trace": js.trace(hostile_fn, X),
        "trace-named": js.trace(f, {EVIL: X}),
        "trace-static": js.trace(lambda x, s: x * len(s), X, EVIL, static_argnums=1),
        "trace-error": js.trace(bad, X),
        "hlo": js.hlo(f, {EVIL: X}),
        "hlo-error": js.hlo(bad, X),
        "key_tree": js.key_tree(
            named(EVIL, lambda k: jax.random.normal(k[EVIL], (2,))), {EVIL: jax.random.key(0)}
        ),
        "key_tree-error": js.key_tree(bad, X),
        "transforms": js.transforms(named(EVIL, lambda t: (t[EVIL] ** 2).sum()), {EVIL: X}),
        "transforms-error": js.transforms(bad, X),
        "timeit": js.timeit(
            {EVIL: named(EVIL, lambda x: x + 1), "b": bad},
            args=(X,),
            repeat=1,
            number=1,
            baseline=EVIL,
        ),
        "timeit-names": js.timeit(
            named(EVIL, lambda x: x), args=(X,), repeat=1, number=1, names=[EVIL]
        ),
        "error-panel": error_panel(EVIL, ValueError(EVIL), bad),
    }


@pytest.mark.parametrize("name", sorted(_fn_views()))
def test_function_views_escape_payloads(name):
    view = _fn_views()[name]
    html = view.html()
    assert_inert(html)
    if name not in ("jaxpr-static", "transforms"):  # these do not show the payload at all
        assert_shown(html)
    assert isinstance(view.text(), str)


Point = namedtuple("Point", ["a", "b"])
Point.__name__ = Point.__qualname__ = EVIL


@functools.partial(jax.tree_util.register_dataclass, data_fields=["w"], meta_fields=["tag"])
@dataclasses.dataclass
class Layer:
    w: jax.Array
    tag: str


Layer.__name__ = Layer.__qualname__ = EVIL


class Node:
    def __init__(self, kids, aux):
        self.kids, self.aux = kids, aux


jax.tree_util.register_pytree_with_keys(
    Node,
    lambda n: ([(jax.tree_util.GetAttrKey(EVIL), k) for k in n.kids], n.aux),
    lambda aux, kids: Node(list(kids), aux),
)
Node.__name__ = Node.__qualname__ = EVIL


def test_pytree_escapes_keys_class_names_fields_and_leaves():
    tree = {
        EVIL: [X, None, (EVIL, 3)],
        "point": Point(X, EVIL),
        "layer": Layer(X, EVIL),
        "node": Node([X], EVIL),
        "key": jax.random.key(0),
    }
    for view in (js.pytree(tree), js.pytree(tree, max_leaves=2)):
        assert_inert(view.html())
        assert_shown(view.html())


def test_sharding_escapes_axis_names():
    mesh = jax.make_mesh((1,), (EVIL,), axis_types=(jax.sharding.AxisType.Explicit,))
    arr = jax.device_put(jnp.zeros((4, 2)), NamedSharding(mesh, P(EVIL)))
    assert_inert(js.sharding(arr).html())
    assert_shown(js.sharding(arr).html())
    assert_inert(js.sharding(NamedSharding(mesh, P(None, EVIL)), shape=(2, 4)).html())


def test_device_info_escapes_reported_strings(monkeypatch):
    real = _device_info.collect()
    fake = {k: (EVIL if isinstance(v, str) else v) for k, v in real.items()}
    fake["names"], fake["kinds"] = [EVIL], [(EVIL, 1)]
    monkeypatch.setattr(_device_info, "collect", lambda: dict(fake))
    assert_inert(js.device_info().html())
    assert_shown(js.device_info().html())
    assert_inert(js.device_info(short=True).html())


@pytest.fixture
def hostile_sheet(monkeypatch):
    """Table 1 of the cheat sheet replaced by one whose every string is a payload."""
    real = _cheatsheet.load()
    bad = _cheatsheet.Concept(
        id=EVIL,
        title=EVIL,
        apis=(EVIL,),
        example=f"x = {EVIL!r}\nprint(x)",
        description=(EVIL, "`code` " + EVIL),
        table=1,
        requires=(EVIL,),
        devices=2,
    )
    table = dataclasses.replace(
        real[0], slug=EVIL, title=EVIL, focus=EVIL, notebook="javascript:alert(1)", concepts=(bad,)
    )
    monkeypatch.setattr(_cheatsheet, "load", lambda path=None: [table, *real[1:]])

    class Hit:
        concept, table, score, why = bad, 1, 1.0, EVIL  # "why it matched" is escaped too

    monkeypatch.setattr(_explorer, "search", lambda *a, **k: [Hit()])
    return bad


def test_cheatsheet_table_and_explorer_escape_concept_text(hostile_sheet):
    for view in (js.cheatsheet.table(1), js.cheatsheet.explorer(EVIL)):
        assert_inert(view.html())
        assert_shown(view.html())
    assert_inert(js.cheatsheet.explorer("", table=1).html())
    page = _explorer.export_page()
    for payload in PAYLOADS[:2]:
        assert payload not in page


def test_check_escapes_messages_and_hints(monkeypatch):
    monkeypatch.setattr(exercises.Exercise, "title", property(lambda self: EVIL))
    monkeypatch.setattr(exercises.Exercise, "hint", property(lambda self: EVIL))
    monkeypatch.delenv(_exercises.STRICT_ENV, raising=False)
    monkeypatch.delenv(_exercises.PROGRESS_ENV, raising=False)

    def answer(*args, **kwargs):
        raise ValueError(EVIL)

    assert_inert(js.check("t01-pure-functions-1", answer).html())
    result = _exercises.evaluate("t01-pure-functions-1", answer)
    result.update(status="failed", expected=EVIL, yours=EVIL, hint=EVIL, message=EVIL)
    assert_inert(_exercises.CheckView(result).html())
    assert_shown(_exercises.CheckView(result).html())


def test_the_audit_itself_catches_unescaped_payloads():
    def caught(raw: str) -> bool:
        try:
            assert_inert(f'<div class="jxs"><style>p{{}}</style>{raw}</div>')
        except AssertionError:
            return True
        return False

    for payload in PAYLOADS[:5]:
        unescaped = (f'<span title="{payload}">', f"<span title='{payload}'>", payload)
        assert any(caught(raw) for raw in unescaped), payload
    assert caught('<a href=" JavaScript:alert(1)">x</a>')
    assert not caught("<span title='&lt;script&gt;'>&lt;img src=x onerror=alert(1)&gt;</span>")
