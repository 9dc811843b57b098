"""Tests of js.trace: source lines annotated with tracers, static versus traced, tracer errors."""

import functools
import operator
import os
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import pytest

import jaxscope as js
from jaxscope._trace_view import TraceView, trace_model

HERE = os.path.basename(__file__)


def line_of(fn, offset: int) -> int:
    return fn.__code__.co_firstlineno + offset


# --- small learner functions (their line offsets matter to the tests) -------------------------
def scale(x, n):
    y = jnp.sin(x) * n
    return y.sum()


def branchy(x):
    y = x * 2
    if y > 0:
        return y
    return -y


def masked(x):
    return x[x > 0]


def loopy(x):
    for _ in range(x):
        pass
    return x


def to_int(x):
    return jnp.zeros(int(x))


def to_numpy(x):
    import numpy as np

    return np.asarray(x) + 1


def model(params, x):
    return jnp.tanh(params["w"] @ x + params["b"][0])


def shapes_clash(x):
    y = jnp.ones(4)
    return x + y


# --- static versus traced ---------------------------------------------------------------------
def test_static_argnums_marks_static_and_traced():
    view = js.trace(scale, jnp.ones(3), 3, static_argnums=1)
    assert isinstance(view, TraceView) and view.kind == "trace"
    rows = {a["name"]: a for a in view.data["args"]}
    assert rows["n"] == {"name": "n", "static": True, "value": "3"}
    assert rows["x"]["static"] is False and rows["x"]["aval"] == "f32[3]"
    assert rows["x"]["tracer"] == "JitTracer" and rows["x"]["cls"] == "DynamicJaxprTracer"
    text = view.text()
    assert "  x  traced  f32[3]  JitTracer" in text
    assert "  n  static  3" in text
    html = view.html()
    assert 'class="jxs-badge jxs-trace-static"' in html
    assert 'class="jxs-badge jxs-trace-traced"' in html


def test_kwargs_static_by_name_and_traced():
    static = js.trace(scale, jnp.ones(3), n=2, static_argnames="n")
    assert {a["name"]: a["static"] for a in static.data["args"]} == {"x": False, "n": True}
    traced = js.trace(scale, jnp.ones(3), n=2)
    n = next(a for a in traced.data["args"] if a["name"] == "n")
    assert n["static"] is False and n["aval"] == "i32[]~weak"
    # a traced n adds a conversion on the line that uses it
    line = next(ln for ln in traced.data["lines"] if ln["n"] == line_of(scale, 1))
    assert [e["prim"] for e in line["eqns"]] == ["sin", "convert_element_type", "mul"]


def test_annotations_on_the_right_lines_exact_text():
    view = js.trace(scale, jnp.ones(3), 2.0, static_argnums=(1,))
    first = line_of(scale, 0)
    note = (
        "`n` is static, but its value only changes constants in the trace: each new value "
        "traces and compiles the same program again."
    )
    fix = (
        "Pass n traced (remove it from static_argnums / static_argnames); keep static only "
        "what decides shapes or Python control flow. (cheat sheet: retracing)"
    )
    expected = textwrap.dedent(
        f"""\
        trace of scale  ({HERE}:{first})
        arguments:
          x  traced  f32[3]  JitTracer
          n  static  2.0
        outputs: out: f32[]
           {first} | def scale(x, n):
           {first + 1} |     y = jnp.sin(x) * n  # sin → f32[3]; mul → f32[3]
                ! sharp bit (static): {note}
                  Fix: {fix}
           {first + 2} |     return y.sum()      # reduce_sum → f32[]"""
    )
    assert view.text() == expected


# --- tracer errors: explained at their line, never raised -------------------------------------
@pytest.mark.parametrize(
    ("fn", "arg", "error", "offset", "concept", "words"),
    [
        (branchy, 1.0, "TracerBoolConversionError", 2, "python-control-flow", "lax.cond"),
        (masked, jnp.arange(3.0), "NonConcreteBooleanIndexError", 1, "masking-where", "size="),
        (loopy, 3, "TracerIntegerConversionError", 1, "static-args", "static_argnums"),
        (to_int, 3, "ConcretizationTypeError", 1, "static-args", "static_argnums"),
        (to_numpy, 1.0, "TracerArrayConversionError", 3, "jax-numpy", "jnp.asarray"),
    ],
)
def test_tracer_errors_are_explained_at_their_line(fn, arg, error, offset, concept, words):
    view = js.trace(fn, arg)
    err = view.data["error"]
    line = line_of(fn, offset)
    assert err["type"] == error
    assert err["line"] == line
    assert err["concept"] == concept
    assert words in err["fix"]
    assert err["explanation"]
    assert err["where"] == f"{HERE}:{line}"
    text = view.text()
    assert f">> {line} |" in text
    assert f"Cheat sheet: {concept}" in text
    html = view.html()
    assert f'class="jxs-trace-line jxs-trace-errline" data-line="{line}"' in html
    assert "jxs-trace-explain" in html


def test_bool_error_names_the_argument_and_keeps_annotations_before_the_failure():
    view = js.trace(branchy, 1.0)
    err = view.data["error"]
    assert err["explanation"].startswith("x is a tracer: under jit only its shape and dtype")
    assert "static_argnums" in err["fix"] and "jnp.where" in err["fix"]
    lines = {ln["n"]: ln["eqns"] for ln in view.data["lines"]}
    assert lines[line_of(branchy, 1)] == [{"prim": "mul", "avals": "f32[]~weak"}]
    assert lines[line_of(branchy, 2)] == [{"prim": "gt", "avals": "bool[]~weak"}]
    assert "d_args" not in view.text() and " _trace_view.py" not in view.text()


def test_static_argument_fixes_the_branch():
    view = js.trace(branchy, 1.0, static_argnums=0)
    assert view.data["error"] is None
    assert view.data["args"][0]["static"] is True


def test_leaked_tracer_used_later_is_reported():
    leaked = []

    def store(x):
        leaked.append(x * 2)
        return x

    stored = js.trace(store, 1.0)
    assert stored.data["error"]["concept"] == "leaked-tracers"
    assert stored.data["lines"][1]["eqns"] == [{"prim": "mul", "avals": "f32[]~weak"}]

    def use(x):
        return x + leaked[0]

    view = js.trace(use, 1.0)
    err = view.data["error"]
    assert err["type"] == "UnexpectedTracerError"
    assert err["concept"] == "leaked-tracers"
    assert err["line"] == line_of(use, 1)
    assert "Return the value" in err["fix"]


def test_generic_learner_error_becomes_an_explained_view():
    view = js.trace(shapes_clash, jnp.ones(3))
    err = view.data["error"]
    assert err["type"] == "TypeError"
    assert err["line"] == line_of(shapes_clash, 2)
    assert "shapes" in err["explanation"]
    assert "TypeError at line" in view.text()


# --- transformed callables, pytrees, no source ------------------------------------------------
def test_jit_wrapped_function_shows_its_source_and_own_static_args():
    jitted = jax.jit(scale, static_argnums=1)
    view = js.trace(jitted, jnp.ones(2), 4)
    assert view.data["name"] == "scale" and view.data["has_source"]
    assert view.data["error"] is None
    assert {a["name"]: a["static"] for a in view.data["args"]} == {"x": False, "n": True}
    lines = {ln["n"]: [e["prim"] for e in ln["eqns"]] for ln in view.data["lines"]}
    assert lines[line_of(scale, 1)] == ["sin", "mul"]
    bad = js.trace(jax.jit(branchy), 1.0)
    assert bad.data["error"]["line"] == line_of(branchy, 2)
    fixed = js.trace(jax.jit(branchy), 1.0, static_argnums=0)  # jit's own statics do not say so
    assert fixed.data["error"] is None and fixed.data["note"]
    assert fixed.data["args"][0]["static"] is True
    default_static = jax.jit(lambda x, k=2: x * k, static_argnums=1)
    assert js.trace(default_static, 1.0).data["error"] is None


def test_grad_and_vmap_show_the_tracer_the_body_sees():
    view = js.trace(jax.grad(scale), jnp.ones(3), 2.0)
    x = view.data["args"][0]
    assert x["tracer"] == "GradTracer" and x["aval"] == "f32[3]"
    assert view.data["outs"] == [{"name": "out", "aval": "f32[3]"}]
    lines = {ln["n"]: [e["prim"] for e in ln["eqns"]] for ln in view.data["lines"]}
    assert "cos" in lines[line_of(scale, 1)]  # the derivative of sin is on sin's line
    batched = js.trace(jax.vmap(scale, in_axes=(0, None)), jnp.ones((4, 3)), 2.0)
    assert batched.data["args"][0]["tracer"] == "VmapTracer"
    assert batched.data["outs"][0]["aval"] == "f32[4]"


def test_pytree_arguments_show_key_paths_and_shape_dtype_structs():
    params = {"w": jnp.ones((2, 3)), "b": [jnp.zeros(2)]}
    x = jax.ShapeDtypeStruct((3,), jnp.float32)
    view = js.trace(model, params, x)
    rows = [(a["name"], a["aval"]) for a in view.data["args"]]
    assert rows == [("params['b'][0]", "f32[2]"), ("params['w']", "f32[2,3]"), ("x", "f32[3]")]
    assert "params['w']     traced  f32[2,3]" in view.text()


def test_functions_without_source_still_render():
    view = js.trace(jnp.sin, jnp.ones(3))
    assert view.data["has_source"] is False and view.data["lines"] == []
    assert view.data["other"] == [{"prim": "sin", "avals": "f32[3]"}]
    assert "equations:\n  sin → f32[3]" in view.text()
    assert "jxs-trace-other" in view.html()
    part = js.trace(functools.partial(scale, n=3.0), jnp.ones(3))
    assert part.data["name"] == "partial(scale)" and part.data["has_source"]
    neg = js.trace(operator.neg, 1.0)
    assert neg.data["other"][0]["prim"] == "neg"
    namespace: dict = {"jnp": jnp}
    exec("f = lambda x: jnp.cos(x) + 1", namespace)  # no file behind it, like a REPL lambda
    repl = js.trace(namespace["f"], 1.0)
    assert repl.data["has_source"] is False
    assert repl.data["lines"][0]["code"] is None
    assert [e["prim"] for e in repl.data["lines"][0]["eqns"]] == ["cos", "add"]
    assert "source not available" in repl.text()


def test_hostile_names_and_strings_are_escaped():
    def hostile(x):
        """<script>alert(1)</script>"""
        s = "<script>alert(1)</script>"
        return x * len(s)

    hostile.__name__ = '"><img onerror=x>'
    html = js.trace(hostile, 1.0).html()
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img onerror=x&gt;" in html


# --- bad input --------------------------------------------------------------------------------
def test_bad_input_raises_clear_errors():
    with pytest.raises(TypeError, match="fn must be a function"):
        js.trace(jnp.ones(3), 1.0)
    with pytest.raises(TypeError, match=r"scale\(x, n\)"):
        js.trace(scale, jnp.ones(3))
    with pytest.raises(TypeError, match=r"static_argnums=\(1,\)"):
        js.trace(scale, jnp.ones(3), "two")
    with pytest.raises(TypeError, match="static_argnames"):
        js.trace(scale, jnp.ones(3), n="two")
    with pytest.raises(ValueError, match="out of range"):
        trace_model(scale, (jnp.ones(3), 2), {}, static_argnums=5)


# --- determinism --------------------------------------------------------------------------------
def test_text_and_html_are_deterministic_across_processes(tmp_path):
    script = tmp_path / "det.py"
    script.write_text(
        "import sys, hashlib, jax.numpy as jnp, jaxscope as js\n"
        "def f(p, n):\n"
        "    y = {'b': p['a'] * 2, 'a': jnp.sin(p['a'])}\n"
        "    if n > 0:\n"
        "        return y\n"
        "    return p\n"
        "v = js.trace(f, {'z': 1.0, 'a': jnp.ones(3)}, 2)\n"
        "sys.stdout.write(hashlib.sha256((v.text() + v.html()).encode()).hexdigest())\n"
    )
    outs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        res = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=60
        )
        assert res.returncode == 0, res.stderr
        outs.append(res.stdout)
    assert outs[0] == outs[1]
