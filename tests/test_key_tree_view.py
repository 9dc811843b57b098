"""Tests for js.key_tree: key lineage through split / fold_in, draws, and reuse detection."""

import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import pytest
from jax import lax

import jaxscope as js
from jaxscope._errors import ErrorPanel
from jaxscope._key_tree_view import KeyTreeView

KEY = jax.random.key(0)


def _by_name(view, name):
    return next(n for n in view.data["nodes"] if n["name"] == name)


def _draws(view):
    return [u["sampler"] for n in view.data["nodes"] for u in n["uses"] if u["kind"] == "draw"]


def test_split_chain():
    def f(key):
        k1, k2 = jax.random.split(key)
        k3, k4 = jax.random.split(k2)
        return jax.random.normal(k1), jax.random.normal(k3), jax.random.normal(k4)

    view = js.key_tree(f, KEY)
    assert isinstance(view, KeyTreeView)
    assert view.data["reused"] == []
    assert _by_name(view, "key/1/0")["parent"] is not None
    text = view.text()
    assert "split into 2" in text and "key/1/1" in text and "├─" in text and "└─" in text
    assert "No key is used twice" in text
    assert view.data["n_draws"] == 3


def test_fold_in_with_loop_index():
    def py_loop(key):
        return sum(jax.random.normal(jax.random.fold_in(key, i)) for i in range(3))

    view = js.key_tree(py_loop, KEY)
    assert view.data["reused"] == []
    for i in range(3):
        assert _by_name(view, f"key/fold({i})")["kind"] == "fold_in"

    def lax_loop(key):
        body = lambda i, acc: acc + jax.random.normal(jax.random.fold_in(key, i))
        return lax.fori_loop(0, 4, body, 0.0)

    view = js.key_tree(lax_loop, KEY)
    assert view.data["reused"] == [] and "key/fold(i)" in view.text()


def test_sampler_leaves_named():
    def f(key):
        ks = jax.random.split(key, 4)
        return (
            jax.random.normal(ks[0], (3,)),
            jax.random.uniform(ks[1]),
            jax.random.bernoulli(ks[2]),
            jax.random.choice(ks[3], 5),
        )

    view = js.key_tree(f, KEY)
    assert _draws(view) == ["normal", "uniform", "bernoulli", "choice"]
    text = view.text()
    assert "● normal → f32[3]" in text and "test_key_tree_view.py:" in text


def test_reuse_flagged_and_explained():
    def bad(key):
        a = jax.random.normal(key)
        b = jax.random.uniform(key)
        return a + b

    view = js.key_tree(bad, KEY)
    node = _by_name(view, "key")
    assert view.data["reused"] == [node["id"]] and node["times"] == 2
    expl = node["explanation"]
    assert "normal" in expl and "uniform" in expl and "jax.random.split(key)" in expl
    assert view.data["concept"] == "key-reuse"
    html = view.html()
    assert "jxs-key_tree-reused" in html and "jxs-key_tree-explain" in html
    assert "REUSED" in view.text() and "key-reuse" in view.text()


def test_split_and_sample_same_key_flagged():
    def f(key):
        x = jax.random.normal(key)
        k1, _ = jax.random.split(key)
        return x + jax.random.normal(k1)

    view = js.key_tree(f, KEY)
    assert len(view.data["reused"]) == 1


def test_same_subkey_twice_flagged_proper_split_not():
    def bad(key):
        ks = jax.random.split(key, 2)
        return jax.random.normal(ks[0]) + jax.random.normal(ks[0])

    assert [_by_name(js.key_tree(bad, KEY), "key/0")["id"]] == js.key_tree(bad, KEY).data["reused"]

    def good(key):
        ks = jax.random.split(key, 2)
        return jax.random.normal(ks[0]) + jax.random.normal(ks[1])

    assert js.key_tree(good, KEY).data["reused"] == []


def test_key_made_outside_loop_flagged():
    def f(key):
        return lax.fori_loop(0, 3, lambda i, acc: acc + jax.random.normal(key), 0.0)

    view = js.key_tree(f, KEY)
    assert len(view.data["reused"]) == 1
    assert "loop" in _by_name(view, "key")["explanation"]


def test_inside_jit_and_cond_branches():
    def f(key):
        k1, k2 = jax.random.split(key)
        return jax.random.normal(k1), jax.random.uniform(k2)

    view = js.key_tree(jax.jit(f), KEY)
    assert _draws(view) == ["normal", "uniform"] and view.data["reused"] == []

    def g(key, p):
        return lax.cond(p, jax.random.normal, jax.random.uniform, key)

    view = js.key_tree(g, KEY, True)  # one branch runs: not a reuse
    assert view.data["reused"] == [] and "cond branch" in view.text()


def test_legacy_prngkey():
    def f(key):
        k1, k2 = jax.random.split(key)
        return jax.random.normal(k1) + jax.random.normal(k1)

    for fn in (f, jax.jit(f)):
        view = js.key_tree(fn, jax.random.PRNGKey(0))
        root = _by_name(view, "key")
        assert "legacy u32[2]" in root["aval"]
        assert len(view.data["reused"]) == 1


def test_key_made_inside_and_single_key():
    view = js.key_tree(lambda: jax.random.normal(jax.random.key(7)))
    assert _by_name(view, "key(7)")["kind"] == "seed" and _draws(view) == ["normal"]
    single = js.key_tree(jax.random.key(3))
    assert "key<fry>[]" in single.text() and "data [0 3]" in single.text()


def test_errors_and_no_keys():
    with pytest.raises(TypeError, match="fn must be a function"):
        js.key_tree(3)
    with pytest.raises(TypeError, match="fn must be a function"):
        js.key_tree(jnp.ones(3), KEY)
    view = js.key_tree(lambda x: x * 2, jnp.ones(3))
    assert "No PRNG key found" in view.text() and "No PRNG key found" in view.html()

    def broken(key):
        return jax.random.normal(key, (3,)) + jnp.ones(4)

    assert isinstance(js.key_tree(broken, KEY), ErrorPanel)


def test_hostile_names_escaped():
    evil = '"><img onerror=x><script>'

    def f(key):
        return jax.random.normal(key)

    view = js.key_tree(f, key=KEY)
    view.data["nodes"][0]["name"] = evil
    view.data["name"] = evil
    html = view.html()
    assert "<script>" not in html.split("</style>", 1)[1] and "<img" not in html
    assert "&lt;img onerror=x&gt;" in html
    kw = js.key_tree(lambda **kw: jax.random.normal(kw[evil]), **{evil: KEY})
    assert "<img" not in kw.html() and evil in kw.text()


def test_deterministic_across_processes(tmp_path):
    script = tmp_path / "build.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys, jax
            from jax import lax
            import jaxscope as js
            def f(key):
                ks = jax.random.split(key, 3)
                a = jax.random.normal(ks[0], (2,))
                b = jax.random.uniform(ks[0])
                c = lax.fori_loop(0, 2, lambda i, s: s + jax.random.normal(
                    jax.random.fold_in(ks[1], i)), 0.0)
                return a, b, c
            v = js.key_tree(jax.jit(f), jax.random.key(0))
            sys.stdout.write(v.text() + "\\n====\\n" + v.html())
            """
        )
    )
    outs = []
    for seed in ("1", "2"):
        env = {"PYTHONHASHSEED": seed, "JAX_PLATFORMS": "cpu", "PATH": "/usr/bin:/bin"}
        res = subprocess.run(
            [sys.executable, str(script)], capture_output=True, env=env, check=True, timeout=120
        )
        outs.append(res.stdout)
    assert outs[0] == outs[1]
    assert b"jxs-key_tree-reused" in outs[0] and b" at 0x" not in outs[0]
