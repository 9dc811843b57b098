"""js.hlo's linked chain: source line -> jaxpr equations -> StableHLO lines -> compiled HLO."""

from __future__ import annotations

import re

import chain_programs
import jax
import jax.numpy as jnp
import pytest
import real_models

import jaxscope as js
from jaxscope._hlo_chain import _scope_parts, chain_model, stablehlo_links


def mlp(w, b, x):
    h = jnp.dot(x, w) + b
    h = jax.nn.relu(h)
    return jnp.sum(jnp.tanh(h) ** 2)


MLP_ARGS = (jnp.ones((8, 16)), jnp.zeros(16), jnp.ones((4, 8)))


def rnn(xs):
    def body(c, x):
        with jax.named_scope("cell"):
            c = jnp.tanh(c * x)
        return c, c

    return jax.lax.scan(body, 0.0, xs)[1].sum()


def _row(view, code_part):
    return next(r for r in view.data["chain"] if code_part in r["code"])


def _listing(view):
    return view.stablehlo.rstrip("\n").split("\n")


def test_each_line_reaches_its_ops_and_fusions():
    view = js.hlo(mlp, *MLP_ARGS)
    lines = _listing(view)
    dot = _row(view, "jnp.dot(x, w)")
    assert [p for p, _ in dot["eqns"]] == ["dot_general", "broadcast_in_dim", "add"]
    assert dot["where"].endswith("(mlp)") and "test_hlo_chain.py:" in dot["where"]
    ops = " ".join(lines[n - 1] for n in dot["stablehlo"])
    assert "stablehlo.dot_general" in ops and "stablehlo.add" in ops
    assert "stablehlo.tanh" not in ops  # another line's op
    fused = {f["name"]: f for f in view.fusions}
    held = [fused[c] for c in dot["compiled"] if c in fused]
    assert any(op in ("dot", "convolution") for f in held for op, _ in f["ops"]) or any(
        "dot" in c or "custom-call" in c for c in dot["compiled"]
    )
    tail = _row(view, "jnp.tanh(h)")
    assert {p for p, _ in tail["eqns"]} == {"tanh", "integer_pow", "reduce_sum"}
    assert any("stablehlo.tanh" in lines[n - 1] for n in tail["stablehlo"])
    assert tail["compiled"]
    # the reduction's initial value is a constant with no line of its own: it joins its user
    assert any("stablehlo.constant" in lines[n - 1] for n in tail["stablehlo"])


def test_a_private_function_belongs_to_the_line_that_calls_it():
    """``jax.nn.relu`` lowers to ``call @relu``; the ops of ``@relu`` carry no line of their own
    and join the row of the call."""
    view = js.hlo(mlp, *MLP_ARGS)
    lines = _listing(view)
    relu = _row(view, "jax.nn.relu")
    texts = [lines[n - 1] for n in relu["stablehlo"]]
    assert any("call @relu" in t for t in texts)
    assert any("stablehlo.maximum" in t for t in texts)


def test_scopes_agree_across_transformations_and_lowering():
    """Under grad, checkpoint and scan the lowering adds ``while/body``, ``checkpoint``,
    ``transpose(jvp(...))``; the chain still files the ops under the scope the learner named."""
    view = js.hlo(jax.grad(jax.checkpoint(rnn)), jnp.ones(3))
    cell = _row(view, "jnp.tanh(c * x)")
    assert cell["scope"] == "cell"
    prims = {p for p, _ in cell["eqns"]}
    assert {"mul", "tanh"} <= prims  # forward and backward equations alike
    lines = _listing(view)
    assert any("stablehlo.tanh" in lines[n - 1] for n in cell["stablehlo"])
    assert cell["compiled"]
    assert _scope_parts("jit(f)/transpose(jvp(Block_0))/checkpoint/while/body/cell/mul", True) == [
        "Block_0",
        "cell",
    ]


def test_text_lists_the_chain_and_numbers_the_stablehlo():
    text = js.hlo(mlp, *MLP_ARGS).text()
    assert "linked chain (source line -> jaxpr -> StableHLO lines -> compiled HLO):" in text
    assert re.search(r"    StableHLO: lines \d+(-\d+)?", text)
    assert re.search(r"^\s+\d+  .*stablehlo\.dot_general", text, re.M)


def test_every_cross_reference_has_its_target_and_back():
    view = js.hlo(mlp, *MLP_ARGS)
    html = view.html()
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    hrefs = set(re.findall(r'href="#([^"]+)"', html))
    assert hrefs and hrefs <= set(ids)
    chain = view.data["chain"]
    prefix = view._anchor()
    for i, r in enumerate(chain):
        assert f'id="{prefix}-r{i}"' in html
        for n in r["stablehlo"]:
            assert re.search(rf'id="{prefix}-s{n}" data-chain="[^"]*\b{i}\b', html)
    # from each fusion back to the lines it holds
    for k, f in enumerate(view.fusions):
        rows = [i for i, r in enumerate(chain) if f["name"] in r["compiled"]]
        row_html = re.search(rf'<tr id="{prefix}-f{k}".*?</tr>', html).group(0)
        for i in rows:
            assert f'href="#{prefix}-r{i}"' in row_html
    # the fusion cost sits on the chain's link to it
    costly = next(f for f in view.fusions if f["cost"])
    assert f'title="{js._hlo_view.fusion_cost_text(costly["cost"])}"' in html


def test_ids_are_the_same_in_every_process_and_differ_between_programs():
    a, b = js.hlo(mlp, *MLP_ARGS), js.hlo(mlp, *MLP_ARGS)
    assert a.html() == b.html()
    other = js.hlo(lambda x: jnp.sin(x) * 2, jnp.ones(3))
    assert a._anchor() != other._anchor() and re.fullmatch(r"jxh[0-9a-f]{8}", a._anchor())


def test_the_widget_walks_the_chain():
    view = js.hlo(mlp, *MLP_ARGS)
    widget = view.widget()
    assert widget is not None and "data-chain" in widget.html
    assert "data-chain" in widget._esm and "scrollIntoView" in widget._esm


def test_broken_inputs_give_rows_without_links_not_errors():
    traced = jax.jit(mlp).trace(*MLP_ARGS)
    rows = chain_model(traced.jaxpr, "", {}, {})
    assert rows and all(not r["stablehlo"] and not r["compiled"] for r in rows)
    assert stablehlo_links("#loc1 = loc(#loc1)\n%0 = stablehlo.add %a, %b loc(#loc1)") == [
        (1, "", None, "")
    ]  # a cyclic location resolves to nothing


MODELS = [
    "nnx_transformer",
    "linen_resnet",
    "equinox_attention",
    "haiku_mlp",
    "optax_step",
    "scan_rnn",
]


@pytest.mark.parametrize("name", MODELS)
def test_real_models_link_nearly_every_op_and_fusion(name):
    """On real models, every StableHLO op (``return`` aside, which points at the caller) and
    every fusion is reachable from a source line: all but one, or at least 95%, of each.
    Closed-over weights are constants that point at the caller too: they join their users."""
    fn, args, _ = getattr(real_models, name)("small")
    view = js.hlo(fn, *args)
    chain = view.data["chain"]
    op = re.compile(r"\s*(%\S+ = |stablehlo\.)")
    ops = [n for n, line in enumerate(_listing(view), start=1) if op.match(line)]
    linked = {n for r in chain for n in r["stablehlo"]}
    assert len(set(ops) - linked) <= max(1, 0.05 * len(ops)), name
    fusions = {f["name"] for f in view.fusions}
    reached = {c for r in chain for c in r["compiled"]}
    assert len(fusions - reached) <= max(1, 0.05 * len(fusions)), name
    if name in ("linen_resnet", "haiku_mlp", "equinox_attention"):
        assert any("/" in r["scope"] for r in chain)  # grouped by module


@pytest.mark.parametrize("name", [*chain_programs.TUNED, *chain_programs.HELD_OUT])
def test_doc_style_programs_link_every_op_and_fusion(name):
    """Control flow, custom rules, transformations, convolutions, PRNG, linear algebra: every
    StableHLO op that computes is reached from a source line, and so is every compiled fusion."""
    fn, args = {**chain_programs.TUNED, **chain_programs.HELD_OUT}[name]
    view = js.hlo(fn, *args)
    chain = view.data["chain"]
    assert chain
    listing = _listing(view)
    op = re.compile(r"\s*(%\S+ = |stablehlo\.)")
    skip = ("sdy.sharding_constraint",)  # an annotation: it computes nothing
    computing = [op.match(line) and not any(s in line for s in skip) for line in listing]
    ops = {n for n, yes in enumerate(computing, start=1) if yes}
    assert ops <= {n for r in chain for n in r["stablehlo"]}, name
    assert {f["name"] for f in view.fusions} <= {c for r in chain for c in r["compiled"]}, name


STALE_SCRIPT = """
import sys
import jax, jax.numpy as jnp
jax.config.update("jax_compilation_cache_dir", sys.argv[1])
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
import jaxscope as js
PAD
f = jax.jit(lambda x: jnp.tanh(x) * 2)
f(jnp.ones(3))  # compiled (from the cache, on the second run) before the view is asked for
view = js.hlo(f, jnp.ones(3))
print(view.fusions[0]["sources"], view.data["chain"][0]["where"])
"""


def test_a_program_from_the_compile_cache_keeps_its_own_lines(tmp_path):
    """JAX's persistent cache keys programs without their source lines by default, so the same
    program written on other lines would come back with the first one's metadata, even when the
    learner's own call loaded it before the view was asked for."""
    import subprocess
    import sys

    lines = []
    for pad in ("", "\n\n\n"):
        script = tmp_path / "prog.py"
        script.write_text(STALE_SCRIPT.replace("PAD", pad), encoding="utf-8")
        out = subprocess.run(
            [sys.executable, str(script), str(tmp_path / "cache")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        lines.append(out.strip())
    assert list((tmp_path / "cache").iterdir())  # the cache was used
    first, second = lines
    assert "prog.py:9 (<lambda>)" in first and first.count("prog.py:9") == 2
    assert "prog.py:12 (<lambda>)" in second and second.count("prog.py:12") == 2


def test_a_helper_jax_traced_elsewhere_first_still_links_to_this_program(tmp_path):
    """JAX keeps the lowering of its own jitted helpers (``_threefry_split``, ``_where``) with the
    lines of whoever called them first; their ops belong to the line that calls them here."""

    def elsewhere(key, x):
        k1, k2 = jax.random.split(key)
        keep = jax.random.bernoulli(k2, 0.5, x.shape)
        return jnp.where(keep, x + jax.random.normal(k1, x.shape), 0.0)

    jax.jit(elsewhere)(jax.random.key(3), jnp.ones(6))
    fn, args = chain_programs.TUNED["random"]
    view = js.hlo(fn, *args)
    listing = _listing(view)
    linked = {n for r in view.data["chain"] for n in r["stablehlo"]}
    op = re.compile(r"\s*(%\S+ = |stablehlo\.)")
    unlinked = [
        line
        for n, line in enumerate(listing, start=1)
        if op.match(line) and "sdy." not in line and n not in linked
    ]
    assert unlinked == []
    assert all("chain_programs.py" in r["where"] for r in view.data["chain"])
    reached = {c for r in view.data["chain"] for c in r["compiled"]}
    assert {f["name"] for f in view.fusions} <= reached  # loop bodies take their loop's lines
