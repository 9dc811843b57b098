"""Tests for js.pytree: structure, key paths, leaf summaries, totals, caps and escaping."""

import collections
import dataclasses
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxscope as js
from jaxscope._errors import ErrorPanel
from jaxscope._pytree_view import PytreeView, fmt_bytes, pytree_model

Point = collections.namedtuple("Point", "x y")


@dataclasses.dataclass
class Layer:
    w: jax.Array
    b: jax.Array
    act: str = "relu"


jax.tree_util.register_dataclass(Layer, data_fields=["w", "b"], meta_fields=["act"])


@jax.tree_util.register_pytree_node_class
class Scaled:
    def __init__(self, value, scale):
        self.value, self.scale = value, scale

    def tree_flatten(self):
        return (self.value,), {"scale": self.scale}

    @classmethod
    def tree_unflatten(cls, aux, children):
        return cls(children[0], aux["scale"])


class Pair:
    def __init__(self, a, b):
        self.a, self.b = a, b


jax.tree_util.register_pytree_node(Pair, lambda p: ((p.a, p.b), "pair-aux"), lambda a, c: Pair(*c))


def _leaves(rec):
    if rec["node"] == "leaf":
        yield rec
    for child in rec.get("children", []):
        yield from _leaves(child)


def _by_path(view, path):
    def walk(rec):
        if rec["path"] == path:
            return rec
        for child in rec.get("children", []):
            found = walk(child)
            if found is not None:
                return found
        return None

    return walk(view.data["root"])


def test_model_dict_totals_and_paths():
    params = {"dense": {"w": jnp.ones((3, 4)), "b": jnp.zeros(4)}, "scale": jnp.ones(())}
    view = js.pytree(params)
    assert isinstance(view, PytreeView)
    t = view.data["totals"]
    assert (t["leaves"], t["params"], t["bytes"]) == (3, 17, 68)
    assert view.data["dtypes"] == [("float32", 17)]
    w = _by_path(view, "['dense']['w']")
    assert w["shape"] == [3, 4] and w["dtype"] == "float32" and w["bytes"] == 48
    assert _by_path(view, "['dense']")["totals"]["params"] == 16
    # the same key paths as JAX's own
    ours = sorted(r["path"] for r in _leaves(view.data["root"]))
    theirs = sorted(jax.tree_util.keystr(p) for p, _ in jax.tree_util.tree_leaves_with_path(params))
    assert ours == theirs
    text = view.text()
    assert text.splitlines()[0].startswith("pytree (dict): 3 leaves, 17 parameters, 68 B")
    assert "├─ ['dense']  dict  (2 leaves, 16 parameters, 64 B)" in text
    assert "└─ ['w']  (3, 4) float32  48 B" in text


def test_containers_none_and_empty_subtrees_shown():
    tree = {"l": [1, None, (2.0, "s")], "nt": Point(jnp.ones(2), None), "e": {}, "t": ()}
    view = js.pytree(tree)
    text = view.text()
    assert "[1]  None (empty subtree: no leaves)" in text
    assert "['e']  dict (empty subtree: no leaves)" in text
    assert "['t']  tuple (empty subtree" in text
    assert "['nt']  Point (namedtuple)" in text and ".y  None" in text
    assert "int 1" in text and "str 's'" in text and "float 2.0" in text
    t = view.data["totals"]
    assert t["leaves"] == 4 and t["other"] == 3 and t["params"] == 2
    assert "jxs-pytree-empty" in view.html()


def test_dataclass_static_fields_and_custom_nodes():
    tree = {
        "layer": Layer(jnp.ones((2, 2)), jnp.zeros(2), "gelu"),
        "scaled": Scaled(jnp.arange(3.0), 0.5),
        "pair": Pair(1, jnp.ones(1)),
    }
    view = js.pytree(tree)
    layer = _by_path(view, "['layer']")
    assert layer["node"] == "dataclass" and layer["static"] == [["act", "'gelu'"]]
    scaled = _by_path(view, "['scaled']")
    assert scaled["node"] == "custom" and scaled["type"] == "Scaled"
    assert "scale" in scaled["aux"]
    pair = _by_path(view, "['pair']")
    assert pair["aux"] == "'pair-aux'" and len(pair["children"]) == 2
    text = view.text()
    assert "Layer (dataclass) static act='gelu'" in text
    assert "Scaled (custom node) aux={'scale': 0.5}" in text
    assert view.data["totals"]["params"] == 4 + 2 + 3 + 1


def test_keys_shape_dtype_structs_numpy_and_tracers():
    tree = {
        "key": jax.random.key(0),
        "keys": jax.random.split(jax.random.key(1), 4),
        "legacy": jax.random.PRNGKey(0),
        "spec": jax.ShapeDtypeStruct((1000, 10), jnp.bfloat16),
        "np": np.zeros((2, 3), np.int8),
    }
    view = js.pytree(tree)
    key = _by_path(view, "['key']")
    assert key["kind"] == "key" and key["dtype"] == "key<fry>" and "stats" not in key
    assert _by_path(view, "['keys']")["shape"] == [4]
    spec = _by_path(view, "['spec']")
    assert spec["kind"] == "abstract" and spec["bytes"] == 20_000 and "stats" not in spec
    assert _by_path(view, "['np']")["kind"] == "numpy"
    t = view.data["totals"]
    assert t["keys"] == 2 and t["params"] == 2 + 10_000 + 6  # keys are not parameters
    assert "PRNG key array" in view.text() and "[ShapeDtypeStruct]" in view.text()

    seen = []

    @jax.jit
    def f(tree):
        seen.append(js.pytree(tree).text())
        return tree

    f({"a": jnp.ones(3), "b": 2.0})
    assert "[tracer]" in seen[0] and "() float32 (weak)" in seen[0]


def test_values_never_copied():
    secret = jnp.full((3,), 123456.0)
    big = jnp.arange(10_000.0) + 987654
    view = js.pytree({"small": secret, "big": big})
    html, text = view.html(), view.text()
    small = _by_path(view, "['small']")
    assert small["stats"] == "min 1.235e+05, max 1.235e+05, mean 1.235e+05"
    assert "987654" not in html and "987654" not in text
    assert "stats" not in _by_path(view, "['big']")
    assert "123456.0" not in html and "123456.0" not in text
    assert "stats" not in js.pytree(secret, stats=False).data["root"]


def test_single_leaf_and_none_root():
    view = js.pytree(jnp.ones((2, 3)))
    assert view.data["root"]["node"] == "leaf"
    assert view.text().startswith("pytree (a single leaf): 1 leaf, 6 parameters, 24 B")
    none = js.pytree(None)
    assert none.data["totals"]["leaves"] == 0
    assert "None (empty subtree: no leaves)" in none.text()
    assert "pytree (a single leaf)" in js.pytree("just a string").text()


def test_escaping_hostile_keys_and_values():
    hostile = '"><img onerror=x>'
    tree = {"<script>": 1, hostile: "<b>x</b>", "ok": Layer(jnp.ones(1), jnp.ones(1), hostile)}
    html = js.pytree(tree).html()
    assert "<script>" not in html.replace("<style>", "").replace("</style>", "")
    assert "<img" not in html and "<b>x</b>" not in html
    assert "&lt;script&gt;" in html and "&lt;img onerror=x&gt;" in html


def test_html_structure_open_levels_and_totals():
    tree = {"a": {"b": {"c": {"d": jnp.ones(2)}}}}
    html = js.pytree(tree).html()
    assert html.count("<details") == 4
    assert html.count('<details class="jxs-pytree-node" open>') == 2
    assert "1 leaf, 2 parameters, 8 B" in html
    assert 'class="jxs-pytree-leaf jxs-pytree-array"' in html


def test_cap_big_tree():
    tree = {f"layer{i:04d}": {"w": np.zeros((2, 2)), "b": np.zeros(2)} for i in range(1500)}
    view = js.pytree(tree)
    assert view.data["totals"]["leaves"] == 3000
    assert view.data["n_nodes"] == 1 + 1500 * 3
    text = view.text()
    assert len(text.splitlines()) < 2010 and "more nodes not shown (max_leaves=2000)" in text
    html = view.html()
    assert html.count("jxs-pytree-leaf ") <= 2000 and "more nodes not shown" in html
    small = js.pytree(tree, max_leaves=10)
    assert "4,491 more nodes not shown (max_leaves=10)" in small.text()
    with pytest.raises(TypeError, match="max_leaves"):
        js.pytree(tree, max_leaves=0)


def test_unflattenable_structures_give_error_panels():
    cyc = []
    cyc.append(cyc)
    panel = js.pytree(cyc)
    assert isinstance(panel, ErrorPanel) and "cycle" in panel.text()
    mixed = js.pytree({1: 2, "a": 3})
    assert isinstance(mixed, ErrorPanel) and "Fix:" in mixed.text()


def test_treescope_optional():
    view = js.pytree({"a": jnp.ones(2)}, treescope=True)
    try:
        import treescope  # noqa: F401
    except ImportError:
        assert "treescope is not installed" in view.text()
        assert "treescope is not installed" in view.html()
    else:
        assert "treescope view" in view.html()


def test_widget_and_data_paths():
    view = js.pytree({"a": {"<b>": jnp.ones(2)}, "n": None})
    html = view.html()
    assert 'data-path="[&#x27;a&#x27;][&#x27;&lt;b&gt;&#x27;]"' in html
    assert 'data-path="[&#x27;n&#x27;]"' in html and 'data-path=""' in html
    widget = view.widget()
    assert widget is not None and widget.html == html and "data-path" in widget._esm
    assert repr(widget) == view.text()


def test_fmt_bytes():
    assert [fmt_bytes(n) for n in (0, 1023, 1024, 1536, 10 * 2**20, 3 * 2**30)] == [
        "0 B",
        "1023 B",
        "1 KiB",
        "1.5 KiB",
        "10 MiB",
        "3 GiB",
    ]


def test_model_is_plain_data():
    import json

    model = pytree_model({"a": [jnp.ones(2), None], "b": Layer(jnp.ones(1), jnp.ones(1))})
    json.dumps(model)


def test_equinox_module():
    eqx = pytest.importorskip("equinox")
    model = eqx.nn.Linear(3, 2, key=jax.random.key(0))
    view = js.pytree(model)
    assert view.data["totals"]["params"] == 3 * 2 + 2
    assert ".weight" in view.text()


def test_flax_nnx_module():
    nnx = pytest.importorskip("flax.nnx")
    model = nnx.Linear(3, 2, rngs=nnx.Rngs(0))
    view = js.pytree(model)
    assert view.data["totals"]["params"] == 3 * 2 + 2
    assert "kernel" in view.text()
    state = js.pytree(nnx.state(model))
    assert state.data["totals"]["params"] == 8


def test_deterministic_across_processes():
    code = textwrap.dedent(
        """
        import collections, jax, jax.numpy as jnp, jaxscope as js
        P = collections.namedtuple("P", "x y")
        t = {"b": P(jnp.ones(2), None), "a": [1, "s", jax.random.key(0)], "z": {"<k>": 2.0}}
        v = js.pytree(t)
        print(v.text()); print(v.html())
        """
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**__import__("os").environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in (1, 2)
    }
    assert len(outs) == 1
