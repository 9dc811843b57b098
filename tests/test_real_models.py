"""The jaxpr view on real models (Flax NNX and Linen, Equinox, Haiku, Optax, scan): every
equation reachable, grouped by module, with counts, shapes and flops; and js.trace on them."""

import functools

import jax
import jax.numpy as jnp
import real_models

import jaxscope as js
from jaxscope._jaxpr_groups import eqn_flops, group_tree
from jaxscope._view import stylesheet


def groups(items, depth=0):
    """(depth, label, group) of every group, depth first."""
    out = []
    for it in items:
        if isinstance(it, dict):
            out.append((depth, it["label"], it))
            out.extend(groups(it["items"], depth + 1))
    return out


def top_labels(view):
    return [label for d, label, _ in groups(view.data["jaxpr"]["tree"]) if d == 0]


@functools.cache
def view_of(name):
    fn, args, _ = real_models.MODELS[name]("small")
    return js.jaxpr(fn, *args)


def test_linen_resnet_grouped_by_module_with_flops_and_shapes():
    view = view_of("linen_resnet")
    assert top_labels(view) == ["Conv_0", "Res_0", "Res_1", "Res_2", "Res_3", "Dense_0"]
    found = {(d, label): g for d, label, g in groups(view.data["jaxpr"]["tree"])}
    conv = found[(0, "Conv_0")]
    # 2 * output elements * (3*3*3 kernel taps) for the convolution, plus the bias add
    assert conv["flops"] == 2 * (2 * 8 * 8 * 8) * 27 + 2 * 8 * 8 * 8
    assert conv["ins"][0] == "f32[2,8,8,3]" and conv["outs"] == ["f32[2,8,8,8]"]
    res = found[(0, "Res_2")]
    inner = [label for d, label, _ in groups(res["items"])]
    assert inner == ["Conv_0", "BatchNorm_0", "Conv_1", "BatchNorm_1", "Conv_2"]
    eqns = view.data["jaxpr"]["eqns"]
    assert res["n"] == sum(
        it["n"] if isinstance(it, dict) else eqns[it]["n"] for it in res["items"]
    )
    html = view.html()
    assert "<code>Res_2</code>" in html and "36 equations · f32[2,8,8,8]" in html
    assert html.count('class="jxs-jaxpr-eqn"') == view.data["n_eqns"]


def test_haiku_groups_and_exact_flops():
    view = view_of("haiku_mlp")
    assert top_labels(view) == ["linear_0", "linear_1", "linear_2"]
    first = groups(view.data["jaxpr"]["tree"])[0][2]
    assert first["flops"] == 2 * 8 * 16 * 32 + 8 * 32  # matmul, then the bias add
    assert first["outs"] == ["f32[8,32]"]


def test_nnx_blocks_split_by_call_stack():
    """NNX pushes no name scopes: the call stack groups equations, one group per block call."""
    view = view_of("nnx_transformer")
    labels = top_labels(view)
    assert labels.count("Block") == 2 and labels[-2:] == ["LayerNorm", "Linear"]
    block = groups(view.data["jaxpr"]["tree"])[0]
    inner = [label for d, label, _ in groups(block[2]["items"]) if d == 0]
    assert inner == ["LayerNorm", "make_causal_mask", "MultiHeadAttention", "LayerNorm"] + [
        "Linear",
        "Linear",
    ]


def test_equinox_and_named_scope_groups():
    assert any("MultiheadAttention" in label for label in top_labels(view_of("equinox_attention")))

    def f(x):
        with jax.named_scope("encoder"):
            x = jnp.sin(x) * 2
        with jax.named_scope("decoder"):
            x = jnp.cos(x) + 1
        return x

    view = js.jaxpr(f, jnp.ones(3))
    assert top_labels(view) == ["encoder", "decoder"]
    html = view.html()
    assert "<code>encoder</code> <span" in html and "<code>decoder</code> <span" in html


def test_every_equation_of_a_training_step_in_compact_html():
    fn, args, _ = real_models.optax_step("small")
    view = js.jaxpr(fn, *args)
    n = view.data["n_eqns"]
    assert n > 1000
    html = view.html()
    assert "jxs-jaxpr-compact" in html and html.count("<em>") == n
    assert (len(html) - len(stylesheet())) / n <= 300


def test_scan_flops_count_every_step():
    fn, args, _ = real_models.scan_rnn("small")
    top = view_of("scan_rnn").data["jaxpr"]
    steps, dim = args[0].shape
    assert top["flops"] >= steps * 2 * (2 * dim * dim)


def test_group_tree_restarts_when_a_function_is_called_again():
    paths = [(("f", 1),), (("f", 2),), (("f", 1),), (("f", 2),), ()]
    tree = group_tree(paths, 5)
    assert [(g["label"], g["start"], g["end"]) for g in tree[:2]] == [("f", 0, 2), ("f", 2, 4)]
    assert tree[2] == 4


def test_eqn_flops_of_a_matmul():
    closed = jax.make_jaxpr(lambda a, b: a @ b)(jnp.ones((4, 5)), jnp.ones((5, 6)))
    assert eqn_flops(closed.jaxpr.eqns[0]) == 2 * 4 * 5 * 6


def test_group_headers_escape_labels():
    def f(x):
        with jax.named_scope("<b>x</b>"):
            x = jnp.sin(x) * 2
        return x + 1

    html = js.jaxpr(f, jnp.ones(3)).html()
    assert "<code>&lt;b&gt;x&lt;/b&gt;</code>" in html and "<code><b>x" not in html


def test_trace_leak_check_collects_only_new_objects():
    """js.trace freezes existing objects out of the leak check's garbage collection (the cost
    of a Haiku MLP's trace: 0.78 s -> 0.07 s) and thaws them after; a leak is still found."""
    import gc

    fn, args, _ = real_models.haiku_mlp("small")
    view = js.trace(fn, *args)
    assert view.data["error"] is None and gc.get_freeze_count() == 0
    leaked = []

    def leaky(x):
        leaked.append(x * 2)
        return x

    assert js.trace(leaky, jnp.ones(3)).data["error"]["concept"] == "leaked-tracers"
    assert gc.get_freeze_count() == 0


def test_hlo_fusions_lead_back_to_modules_and_source_lines():
    """Each compiled fusion names the module scopes and source lines of what it fused, in the
    same words as the jaxpr view's groups and equation sources."""
    fn, args, _ = real_models.linen_resnet("small")
    view = js.hlo(fn, *args)
    scopes = {s for f in view.fusions for s in f["scopes"]}
    assert "ResNet/Res_0/BatchNorm_0" in scopes
    sources = {s for f in view.fusions for s in f["sources"]}
    jaxpr_sources = {e.get("source") for e in view_of("linen_resnet").data["jaxpr"]["eqns"]}
    assert sources & jaxpr_sources  # the same "file.py:line (function)" strings
    assert "<th>from (scopes; source lines)</th>" in view.html()
    assert "    from ResNet/" in view.text()
