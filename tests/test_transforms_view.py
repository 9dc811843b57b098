"""Tests for js.transforms: stages of a transformation chain, errors, plot and the widget."""

import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxscope as js
from jaxscope._transforms_view import TransformsView


def f(x):
    return jnp.sin(x) * x


def total(x):
    return jnp.sum(jnp.sin(x) * x)


X = jnp.arange(3.0)


def test_grad_then_jit_matches_jax():
    view = js.transforms(f, 1.5, chain=("grad", "jit"))
    assert isinstance(view, TransformsView)
    exprs = [s["expr"] for s in view.data["stages"]]
    assert exprs == ["f", "grad(f)", "jit(grad(f))"]
    want = np.array2string(np.asarray(jax.jit(jax.grad(f))(1.5)), precision=4)
    assert view.data["stages"][2]["value"] == want
    assert view.data["stages"][2]["diff"]["added"] == ["jit"]
    assert "jit(grad(f))" in view.text() and "left to right" in view.text()


def test_jacfwd_jacrev_same_values_different_counts():
    fwd = js.transforms(f, X, chain=("jacfwd",)).data["stages"][1]
    rev = js.transforms(f, X, chain=("jacrev",)).data["stages"][1]
    assert fwd["value"] == rev["value"] and fwd["shape"] == rev["shape"] == "f32[3,3]"
    assert fwd["counts"] != rev["counts"]


def test_hessian_and_vmap_shapes():
    h = js.transforms(total, X, chain=("hessian",)).data["stages"][1]
    assert h["ok"] and h["shape"] == "f32[3,3]"
    assert h["diff"]["shape_change"] == ["f32[]", "f32[3,3]"]
    v = js.transforms(f, jnp.ones((4, 2)), chain=("vmap",)).data["stages"][1]
    assert v["ok"] and v["shape"] == "f32[4,2]"
    # grad fails on a vector, but vmap(grad(f)) gives per-element gradients
    stages = js.transforms(f, X, chain=("grad", "vmap")).data["stages"]
    assert not stages[1]["ok"] and stages[2]["ok"] and stages[2]["shape"] == "f32[3]"


def test_checkpoint_adds_remat():
    s = js.transforms(f, 1.0, chain=("checkpoint",)).data["stages"][1]
    assert any("remat" in p or "checkpoint" in p for p in s["diff"]["added"])


def test_grad_of_non_scalar_explains_fix():
    view = js.transforms(f, X, chain=("grad",))
    err = view.data["stages"][1]["error"]
    assert err["type"] == "TypeError" and ".sum()" in err["fix"] and "jacrev" in err["fix"]
    assert "vmap(grad" in err["fix"]
    assert "fix:" in view.text() and "jxs-transforms-error" in view.html()
    vm = js.transforms(f, 1.0, chain=("vmap",)).data["stages"][1]["error"]
    assert "axis 0" in vm["fix"]


def test_plot_for_scalar_function_only():
    view = js.transforms(f, 1.0, chain=("grad",))
    plot = view.data["plot"]
    assert [c["label"] for c in plot["curves"]] == ["f", "f′", "f″"]
    assert len(plot["xs"]) == 200 and plot["xs"][0] == pytest.approx(-2.0)
    assert "<svg" in view.html() and "jxs-transforms-plot" in view.html()
    assert "plot" not in js.transforms(f, X, chain=("jit",)).data
    assert "<svg" not in js.transforms(f, X, chain=("jit",)).html()


def test_plot_matplotlib_figure():
    fig = js.transforms(f, 1.0, chain=()).plot()
    assert type(fig).__name__ == "Figure" and len(fig.axes[0].lines) >= 3
    with pytest.raises(ValueError, match="scalar function"):
        js.transforms(f, X, chain=()).plot()


def test_argument_errors():
    with pytest.raises(ValueError, match="valid ones are: jit, grad, vmap"):
        js.transforms(f, 1.0, chain=("grad", "pmap"))
    with pytest.raises(TypeError, match="fn must be a function"):
        js.transforms(f(1.0), 1.0)
    with pytest.raises(TypeError, match="sequence of transformation names"):
        js.transforms(f, 1.0, chain=("grad", 3))
    with pytest.raises(TypeError, match="sequence of transformation names"):
        js.transforms(f, 1.0, chain=42)


def test_widget_chain_change_recomputes_html():
    view = js.transforms(f, 1.0, chain=("grad",))
    w = view.widget()
    assert w.chain == ["grad"] and w.data["valid"][0] == "jit"
    before = w.html
    w.chain = ["grad", "grad", "jit"]  # the observer runs in Python, as when the JS sets it
    assert w.html != before and "jit(grad(grad(f)))" in w.html
    assert "jit(grad(grad(f)))" in w.view_text
    w.chain = ["nope"]
    assert w.selected.startswith("error:") and "jit(grad(grad(f)))" in w.html


def test_hostile_names_escaped():
    def evil(x):
        raise ValueError('"><img onerror=x><script>')

    evil.__name__ = '"><img onerror=x>'
    view = js.transforms(evil, 1.0, chain=("jit",))
    html = view.html()
    assert "<img" not in html and "<script>" not in html.split("</style>", 1)[1]
    assert "&lt;img onerror=x&gt;" in html and "<img onerror=x>" in view.text()


def test_deterministic_across_processes(tmp_path):
    script = tmp_path / "build.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys, jax.numpy as jnp
            import jaxscope as js
            f = lambda x: jnp.sin(x) * x
            a = js.transforms(f, 0.5, chain=("grad", "vmap", "jit"))
            sys.stdout.write(a.text() + "\\n====\\n" + a.html())
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
