"""Tests of js.jaxpr: the model, the text, the static HTML and bad input."""

import re
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax
from jax.sharding import PartitionSpec as P

import jaxscope as js
from jaxscope._errors import ErrorPanel
from jaxscope._jaxpr_view import LAZY_EQN_LIMIT, JaxprView, jaxpr_model
from jaxscope._view import stylesheet

X = jnp.ones(3)


def sub_labels(rec):
    """All sub-jaxpr labels in a record, depth first."""
    out = []
    for e in rec["eqns"]:
        for s in e["subs"]:
            out.append(s["label"])
            if "eqns" in s:
                out.extend(sub_labels(s))
    return out


def find_eqn(rec, prim):
    for e in rec["eqns"]:
        if e["primitive"] == prim:
            return e
        for s in e["subs"]:
            if "eqns" in s:
                found = find_eqn(s, prim)
                if found:
                    return found
    return None


def check_sub(view, prim, labels):
    """The primitive's equation carries sub-jaxprs with exactly these labels, in text and HTML."""
    assert isinstance(view, JaxprView)
    eqn = find_eqn(view.data["jaxpr"], prim)
    assert eqn is not None, prim
    assert [s["label"] for s in eqn["subs"]] == labels
    text, html = view.text(), view.html()
    for label in labels:
        assert f"{label}={{ lambda" in text
        assert f"<summary><code>{label}</code>" in html
    assert '<details class="jxs-jaxpr-sub"' in html
    return eqn


def test_simple_model_and_text():
    view = js.jaxpr(lambda x: jnp.sin(x) * 2, X)
    d = view.data
    top = d["jaxpr"]
    assert [v["aval"] for v in top["invars"]] == ["f32[3]"]
    assert [e["primitive"] for e in top["eqns"]] == ["sin", "mul"]
    mul = top["eqns"][1]
    assert mul["invars"][0]["name"] == "b"
    assert mul["invars"][1] == {"literal": "2.0", "aval": "f32[]"}
    assert d["counts"] == [["mul", 1], ["sin", 1]]
    assert d["n_eqns"] == 2
    assert "test_jaxpr_view.py:" in top["eqns"][0]["source"]
    assert view.text() == (
        "{ lambda ; a:f32[3]. let\n"
        "    b:f32[3] = sin a\n"
        "    c:f32[3] = mul b 2.0:f32[]\n"
        "  in (c,) }\n"
        "2 equations, primitives: mul×1 sin×1"
    )
    html = view.html()
    assert html.count('data-var="v0"') >= 2  # definition and use
    assert 'title="source: test_jaxpr_view.py:' in html
    assert '<span class="jxs-jaxpr-src">test_jaxpr_view.py:' in html
    ids = re.findall(r'class="jxs-jaxpr-var jxs-jaxpr-def" data-var="(v\d+)"', html)
    assert len(ids) == len(set(ids)) == 3


def test_constvars_and_weak_type():
    c = jnp.arange(5.0)
    view = js.jaxpr(lambda x, s: x * s + c, jnp.ones(5), 2.0)
    top = view.data["jaxpr"]
    assert len(top["constvars"]) == 1
    const = top["constvars"][0]
    assert const["aval"] == "f32[5]"
    assert const["value"].startswith("f32[5] [0., 1., 2., 3., 4.]")
    assert top["invars"][1]["aval"] == "f32[]~weak"
    text = view.text()
    assert text.startswith("{ lambda a:f32[5] ; b:f32[5] c:f32[]~weak. let")
    assert "~weak" in view.html() and "weakly typed" in view.html()
    big = jnp.zeros(1000)
    v2 = js.jaxpr(lambda x: x + big, jnp.ones(1000))
    assert v2.data["jaxpr"]["constvars"][0]["value"] == "f32[1000] 3.9 KiB: 0., 0., 0., 0., …"


def test_jit_nested():
    view = js.jaxpr(jax.jit(lambda x: jnp.sin(x) * 2), X)
    eqn = check_sub(view, "jit", ["jaxpr"])
    assert ["name", "<lambda>"] in eqn["params"]
    assert not any(k in ("in_shardings", "donated_invars") for k, _ in eqn["params"])
    assert view.data["counts"] == [["jit", 1], ["mul", 1], ["sin", 1]]
    assert view.data["n_eqns"] == 3 and view.data["n_top_eqns"] == 1


def test_cond_and_switch():
    view = js.jaxpr(lambda x: lax.cond(x[0] > 0, jnp.sin, jnp.cos, x), X)
    check_sub(view, "cond", ["branches[0]", "branches[1]"])
    view = js.jaxpr(lambda i, x: lax.switch(i, [jnp.sin, jnp.cos, jnp.tan], x), 1, X)
    check_sub(view, "cond", ["branches[0]", "branches[1]", "branches[2]"])


def test_while_and_fori_loop():
    view = js.jaxpr(lambda x: lax.while_loop(lambda c: c[0] < 10, lambda c: c + 1, x), X)
    check_sub(view, "while", ["body_jaxpr", "cond_jaxpr"])
    # a dynamic trip count lowers fori_loop to while, a static one to scan
    view = js.jaxpr(lambda n, x: lax.fori_loop(0, n, lambda i, c: c + i, x), 3, X)
    check_sub(view, "while", ["body_jaxpr", "cond_jaxpr"])
    view = js.jaxpr(lambda x: lax.fori_loop(0, 3, lambda i, c: c + i, x), X)
    check_sub(view, "scan", ["jaxpr"])


def test_scan():
    view = js.jaxpr(lambda x: lax.scan(lambda c, y: (c + y, c * y), 0.0, x), X)
    eqn = check_sub(view, "scan", ["jaxpr"])
    assert ["length", "3"] in eqn["params"]
    assert len(eqn["outvars"]) == 2


def test_custom_jvp():
    @jax.custom_jvp
    def f(x):
        return jnp.sin(x)

    f.defjvp(lambda p, t: (f(p[0]), jnp.cos(p[0]) * t[0]))
    eqn = check_sub(js.jaxpr(f, X), "custom_jvp_call", ["call_jaxpr"])
    assert ["name", "f"] in eqn["params"]
    assert eqn["subs"][0]["eqns"][0]["primitive"] == "sin"  # the primal


def test_custom_vjp():
    @jax.custom_vjp
    def g(x):
        return jnp.sin(x)

    g.defvjp(lambda x: (jnp.sin(x), x), lambda r, t: (jnp.cos(r) * t,))
    eqn = check_sub(js.jaxpr(g, X), "custom_vjp_call", ["call_jaxpr"])
    assert ["name", "g"] in eqn["params"]
    assert all(" at 0x" not in v for _, v in eqn["params"])


def test_checkpoint():
    view = js.jaxpr(jax.checkpoint(lambda x: jnp.sin(jnp.sin(x))), X)
    check_sub(view, "remat2", ["jaxpr"])
    assert ["sin", 2] in view.data["counts"]


def test_pure_callback():
    view = js.jaxpr(
        lambda x: jax.pure_callback(np.sin, jax.ShapeDtypeStruct((3,), "float32"), x), X
    )
    eqn = find_eqn(view.data["jaxpr"], "pure_callback")
    assert ["callback", "sin"] in eqn["params"]
    assert "pure_callback[callback=sin" in view.text()
    assert '<span class="jxs-jaxpr-param">callback=sin</span>' in view.html()


def test_shard_map():
    # make_mesh defaults to Explicit axes, where shard_map checks the input's actual sharding:
    # an Auto mesh accepts a plain array; an Explicit one wants it placed on the mesh first.
    auto = jax.make_mesh((1,), ("x",), axis_types=(jax.sharding.AxisType.Auto,))
    f = jax.shard_map(lambda x: x * 2, mesh=auto, in_specs=P("x"), out_specs=P("x"))
    eqn = check_sub(js.jaxpr(f, X), "shard_map", ["jaxpr"])
    params = dict(eqn["params"])
    assert params["in_specs"] == "(P('x',),)" and params["out_specs"] == "(P('x',),)"
    assert params["mesh"].startswith("Mesh('x': 1")
    mesh = jax.make_mesh((1,), ("x",))
    g = jax.shard_map(lambda x: x * 2, mesh=mesh, in_specs=P("x"), out_specs=P("x"))
    x = jax.device_put(X, jax.NamedSharding(mesh, P("x")))
    check_sub(js.jaxpr(g, x), "shard_map", ["jaxpr"])


def test_primitive_counts_include_nested():
    def f(x):
        y = jnp.sin(x) + jnp.sin(x)
        return lax.cond(y[0] > 0, lambda z: jnp.sin(z) * 2, lambda z: z * 3, y)

    view = js.jaxpr(f, X)
    counts = dict(view.data["counts"])
    assert counts["sin"] == 3 and counts["mul"] == 2 and counts["cond"] == 1
    assert view.data["n_eqns"] == sum(counts.values())
    assert f"{view.data['n_eqns']} equations, primitives: sin×3 mul×2" in view.text()
    assert "<th>total</th>" in view.html()


def test_transformed_functions():
    grad = js.jaxpr(jax.grad(lambda x: jnp.sum(jnp.sin(x))), X)
    assert {"sin", "cos"} <= dict(grad.data["counts"]).keys()
    vm = js.jaxpr(jax.vmap(jnp.sin), jnp.ones((2, 3)))
    assert vm.data["jaxpr"]["invars"][0]["aval"] == "f32[2,3]"
    jt = js.jaxpr(jax.jit(jax.grad(lambda x: x**2)), 1.0)
    assert sub_labels(jt.data["jaxpr"]) == ["jaxpr"]


def test_pytree_args_and_kwargs():
    def f(params, x, *, scale):
        return params["w"] @ x * scale + params["b"]

    view = js.jaxpr(f, {"w": jnp.ones((2, 3)), "b": jnp.ones(2)}, X, scale=2.0)
    ins = view.data["jaxpr"]["invars"]
    assert [v["arg"] for v in ins] == ["params['b']", "params['w']", "x", "scale"]
    assert [v["aval"] for v in ins] == ["f32[2]", "f32[2,3]", "f32[3]", "f32[]~weak"]
    assert "f(params[&#x27;b&#x27;]: f32[2]" in view.html()


def test_static_args():
    view = js.jaxpr(lambda x, n: x * len(n), X, [1, 2], static_argnums=1)  # unhashable is fine
    assert view.text().splitlines()[1].endswith("mul a 2.0:f32[]")
    view = js.jaxpr(lambda x, n: x * n, X, 3, static_argnums=(1,))
    assert len(view.data["jaxpr"]["invars"]) == 1
    view = js.jaxpr(lambda x, mode: x if mode == "a" else -x, X, mode="b", static_argnames="mode")
    assert view.data["counts"] == [["neg", 1]]
    view = js.jaxpr(lambda x, mode: x if mode == "a" else -x, X, "b", static_argnames=("mode",))
    assert view.data["counts"] == [["neg", 1]]
    with pytest.raises(ValueError, match="static_argnums"):
        js.jaxpr(lambda x: x, X, static_argnums=3)


def test_shape_dtype_struct_args():
    big = jax.ShapeDtypeStruct((100_000, 100_000), jnp.float32)
    view = js.jaxpr(lambda a: jnp.sum(a @ a.T), big)
    assert view.data["jaxpr"]["invars"][0]["aval"] == "f32[100000,100000]"


def test_closed_jaxpr_input():
    closed = jax.make_jaxpr(lambda x: jnp.cos(x) + 1)(X)
    view = js.jaxpr(closed)
    assert view.data["counts"] == [["add", 1], ["cos", 1]]
    assert view.text().startswith("{ lambda ; a:f32[3]. let")
    with pytest.raises(TypeError, match="takes no arguments"):
        js.jaxpr(closed, X)


def test_html_escaping():
    def f(x):
        return jnp.sin(x)

    f.__name__ = "<script>x</script>"

    def cb(x):
        return np.sin(x)

    cb.__name__ = cb.__qualname__ = '"><img onerror=x>'
    view = js.jaxpr(f, X)
    html = view.html()
    assert "<script" not in html and "&lt;script&gt;" in html
    view = js.jaxpr(lambda x: jax.pure_callback(cb, jax.ShapeDtypeStruct((3,), "float32"), x), X)
    html = view.html()
    assert "<img" not in html and "&lt;img onerror=x&gt;" in html
    assert 'callback="><img' in view.text()  # the text shows it raw


def test_deterministic_across_processes(tmp_path):
    script = tmp_path / "build.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys, jax, jax.numpy as jnp
            from jax import lax
            import jaxscope as js
            c = jnp.arange(3.0)
            def f(x, n):
                y = lax.fori_loop(0, n, lambda i, a: a * 2 + c, x)
                return lax.cond(y[0] > 0, jnp.sin, jnp.cos, y), {"s": jnp.sum(y)}
            v = js.jaxpr(jax.jit(f), jnp.ones(3), 2)
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
    assert b"<svg" in outs[0] and b" at 0x" not in outs[0]


def test_graph_small_and_omitted_for_big():
    view = js.jaxpr(lambda x, y: jnp.sin(x) * y + x, X, X)
    g = view.data["graph"]
    kinds = [n["kind"] for n in g["nodes"]]
    assert kinds == ["in", "in", "eqn", "eqn", "eqn", "out"]
    assert [n["layer"] for n in g["nodes"]] == [0, 0, 1, 2, 3, 4]
    assert all("var" in e for e in g["edges"]) and len(g["edges"]) == 6
    html = view.html()
    assert '<svg class="jxs-jaxpr-graph"' in html and 'class="jxs-jaxpr-gedge" data-var=' in html

    def long(x):
        for _ in range(80):
            x = x + 1.0
        return x

    big = js.jaxpr(long, 1.0)
    assert "graph" not in big.data
    assert "<svg" not in big.html() and "Dataflow graph omitted: 80 top-level" in big.html()


def test_ten_thousand_equations():
    def f(x):
        for _ in range(10_000):
            x = x + 1.0
        return x

    view = js.jaxpr(f, 1.0)
    text = view.text()
    assert text.count(" = add ") == 10_000
    assert text.endswith("10000 equations, primitives: add×10000")
    html = view.html()
    # every equation is in the static HTML, compact, folded in chunks of 500
    assert html.count("<em>add</em>") == 10_000 and "jxs-jaxpr-compact" in html
    assert html.count('<details class="jxs-jaxpr-group"') == 20
    assert "<code>equations 9501–10000</code>" in html
    assert (len(html) - len(stylesheet())) / 10_000 <= 300
    # the widget starts from the folded groups alone and inserts a group's body when opened
    assert 10_000 > LAZY_EQN_LIMIT
    page, chunks = view.widget_html(), view.widget_data()["chunks"]
    assert len(chunks) == 20 and page.count("<em>add</em>") == 0
    assert sum(c.count("<em>add</em>") for c in chunks) == 10_000
    assert 'data-chunk="19"' in page and len(page) < 50_000


def test_error_panel_for_failing_function():
    def bad(x):
        if x > 0:  # a tracer in a Python if
            return x
        return -x

    view = js.jaxpr(bad, 1.0)
    assert isinstance(view, ErrorPanel)
    assert "Could not trace fn" in view.text() and "TracerBoolConversionError" in view.text()

    def raises(x):
        raise ValueError("learner bug")

    assert isinstance(js.jaxpr(raises, X), ErrorPanel)
    with pytest.raises(TypeError, match=r"<lambda>\(x, y\) cannot be called"):  # wrong arity
        js.jaxpr(lambda x, y: x, X)


def test_bad_input():
    with pytest.raises(TypeError, match="fn"):
        js.jaxpr(jnp.sin(X), X)
    with pytest.raises(TypeError, match=r"argument 1 \(mode\).*static_argnums=\(1,\)"):
        js.jaxpr(lambda x, mode: x, X, "fast")
    with pytest.raises(TypeError, match="static_argnames"):
        js.jaxpr(lambda x, mode: x, X, mode="fast")


def test_model_is_plain_data():
    import json

    closed = jax.make_jaxpr(lambda x: lax.cond(x[0] > 0, jnp.sin, jnp.cos, x))(X)
    model = jaxpr_model(closed, name="f")
    assert json.loads(json.dumps(model)) == model
    assert js.jaxpr(lambda x: x, X).esm == "jaxpr.js"


def test_source_file_names_are_stable():
    from jaxscope._explain import short_path as _short_file

    assert _short_file("/tmp/ipykernel_4242/1234567.py") == "<cell>"
    assert _short_file("/home/me/project/model.py") == "model.py"
    assert _short_file("<stdin>") == "<stdin>"


def test_widget_carries_html():
    view = js.jaxpr(lambda x: x * 2, X)
    widget = view.widget()
    assert widget.html == view.html() and widget.data == {}
    assert "jxs-jaxpr-hl" in widget._esm and "save_changes" in widget._esm
