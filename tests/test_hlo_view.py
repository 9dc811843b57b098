"""js.hlo: StableHLO, compiled HLO, fusions, cost, determinism and errors."""

import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import pytest

import jaxscope as js
from jaxscope._errors import ErrorPanel
from jaxscope._hlo_view import (
    HloView,
    clean_hlo,
    find_fusions,
    fusion_cost_text,
    intensity,
    normalise_cost,
    parse_computations,
)


def f(x):
    return jnp.sin(x) * 2 + 1


def test_basic_view():
    view = js.hlo(f, jnp.ones((4, 3)))
    assert isinstance(view, HloView)
    assert "stablehlo.sine" in view.stablehlo
    assert "fusion(" in view.compiled_hlo
    assert view.fusions and view.fusions[0]["kind"].startswith("k")
    ops = [op for op, _ in view.fusions[0]["ops"]]
    assert "sine" in ops and "parameter" not in ops
    assert view.flops and view.flops > 0
    assert view.bytes_accessed and view.bytes_accessed > 0
    assert set(view.cost) <= {"flops", "bytes_accessed", "transcendentals"}
    text = view.text()
    assert "arithmetic intensity:" in text and "memory-bound" in text
    assert "fusions:" in text and "stablehlo.sine" in text
    assert "metadata=" not in view.compiled_hlo
    assert "stack_frame_id" not in view.compiled_hlo
    assert "FileNames" not in view.compiled_hlo


def test_html_uses_details_and_escapes():
    def weird(x):
        return jnp.cos(x)

    weird.__name__ = '<script>"><img onerror=x>'
    html = js.hlo(weird, jnp.ones(3)).html()
    assert "<details" in html and "stablehlo.cosine" in html
    assert "<script>" not in html.replace("<style>", "") and "<img" not in html


def test_static_args_and_jitted_input():
    view = js.hlo(lambda x, n: x * n, jnp.ones(3), 4, static_argnums=1)
    assert "constant dense<4" in view.stablehlo
    view = js.hlo(lambda x, n=1: x * n, jnp.ones(3), n=5, static_argnames="n")
    assert "constant dense<5" in view.stablehlo
    jitted = jax.jit(f)
    assert js.hlo(jitted, jnp.ones(3)).stablehlo == js.hlo(f, jnp.ones(3)).stablehlo


def test_errors():
    with pytest.raises(TypeError, match="fn"):
        js.hlo(f(jnp.ones(3)), jnp.ones(3))

    def bad(x):
        return x[x > 0]

    panel = js.hlo(bad, jnp.ones(3))
    assert isinstance(panel, ErrorPanel)
    assert panel.text().startswith("Could not lower fn")


def test_cost_shapes_and_intensity():
    assert normalise_cost([{"flops": 10.0, "bytes accessed": 5.0}]) == {
        "flops": 10.0,
        "bytes_accessed": 5.0,
    }
    assert normalise_cost(None) == {} and normalise_cost([]) == {}
    assert normalise_cost({"flops": 3}) == {"flops": 3.0}
    assert intensity({"flops": 1.0, "bytes_accessed": 4.0}) == (0.25, "memory-bound")
    assert intensity({"flops": 400.0, "bytes_accessed": 4.0})[1] == "likely compute-bound"
    assert intensity({"flops": 1.0}) == (None, "unknown")


def test_parser_on_handwritten_hlo():
    text = textwrap.dedent(
        """\
        HloModule m, is_scheduled=true

        FileNames
        1 "/tmp/ipykernel_123/456.py"

        StackFrames
        1 {file_location_id=1 parent_frame_id=1}

        fused_computation.3 {
        }

        %fc (p: f32[8], q: f32[8]) -> (f32[8], f32[]) {
          %p = f32[8]{0} parameter(0), metadata={op_name="a{b}" source_file="/x.py"}
          %q = f32[8]{0} parameter(1)
          %e = f32[8]{0} exponential(%p)
          %r = f32[] reduce(%e, %q), dimensions={0}, to_apply=%add
          ROOT %t = (f32[8]{0}, f32[]) tuple(%e, %r)
        }

        ENTRY %main.7 (a: f32[8]) -> (f32[8], f32[]) {
          %a = f32[8]{0} parameter(0)
          ROOT %fu = (f32[8]{0}, f32[]) fusion(%a, %a), kind=kInput, calls=%fc, metadata={a="x"}
        }
        """
    )
    cleaned = clean_hlo(text)
    assert "ipykernel" not in cleaned and "metadata" not in cleaned and "StackFrames" not in cleaned
    assert "exponential(%p)" in cleaned
    (fusion,) = find_fusions(cleaned)
    assert fusion["kind"] == "kInput" and fusion["computation"] == "fc"
    assert fusion["shape"] == "(f32[8], f32[])"
    assert fusion["ops"] == [("exponential", 1), ("reduce", 1), ("tuple", 1)]
    # reads p and q (2 x 32 B), writes a tuple of 36 B; exp is transcendental, reduce folds 7
    assert fusion["cost"] == {"flops": 7.0, "transcendentals": 8.0, "bytes": 100}
    assert fusion_cost_text(fusion["cost"]) == "7 flops, 8 transc., 100 B, 0.07 flops/B"


def _mlp(x, w):
    return jnp.sum(jax.nn.relu(x @ w) ** 2)


def _layer_norm(x):
    return (x - x.mean(0)) / jnp.sqrt(x.var(0) + 1e-5)


def _bf16_exp_sum(x):
    return jnp.exp(x.astype(jnp.bfloat16)).astype(jnp.float32).sum()


def _batched_matmul(a, b):
    return jnp.einsum("bij,bjk->bik", a, b)


@pytest.mark.parametrize(
    ("fn", "shapes"),
    [
        (_mlp, [(64, 32), (32, 16)]),
        (lambda x: jax.nn.softmax(x, axis=-1), [(64, 32)]),
        (_layer_norm, [(64, 32)]),
        (_bf16_exp_sum, [(64, 32)]),
        (_batched_matmul, [(4, 8, 16), (4, 16, 5)]),
    ],
    ids=["mlp", "softmax", "layer_norm", "bf16_exp_sum", "batched_matmul"],
)
def test_fusion_costs_add_up_to_xla_s_own_cost_analysis(fn, shapes):
    """XLA's cost analysis is the oracle: where every instruction of the program sits in a fusion,
    the per-fusion flops, transcendentals and bytes must add up to its totals."""
    args = [jnp.ones(s, jnp.float32) for s in shapes]
    view = js.hlo(fn, *args)
    assert view.fusions and all(f["cost"] for f in view.fusions)
    entry = next(c for c in parse_computations(view.compiled_hlo).values() if c["entry"])
    free = {"parameter", "constant", "fusion", "tuple", "get-tuple-element", "bitcast"}
    outside = [op for _, op, _ in entry["instructions"] if op not in free]
    flops = sum(f["cost"]["flops"] for f in view.fusions)
    if outside:  # XLA on this CPU left work outside fusions: the fusions hold part of the total
        assert 0 < flops <= view.cost["flops"], (outside, flops, view.cost)
    else:
        assert flops == view.cost["flops"], (flops, view.cost)
        total = sum(f["cost"]["transcendentals"] for f in view.fusions)
        assert total == view.cost.get("transcendentals", 0.0)
        assert sum(f["cost"]["bytes"] for f in view.fusions) == view.cost["bytes_accessed"]
    costly = max(view.fusions, key=lambda f: f["cost"]["flops"])
    assert f"cost: {fusion_cost_text(costly['cost'])}" in view.text()
    assert f'<td class="jxs-hlo-cost">{fusion_cost_text(costly["cost"])}</td>' in view.html()


def test_deterministic_in_two_processes():
    script = textwrap.dedent(
        """
        import hashlib, jax.numpy as jnp, jaxscope as js
        def f(x, w):
            return jnp.tanh(x @ w).sum(axis=0) + jnp.exp(x).mean()
        v = js.hlo(f, jnp.ones((8, 8)), jnp.ones((8, 8)))
        print(hashlib.sha256((v.text() + v.html()).encode()).hexdigest())
        """
    )
    # on the script's empty first line, so f keeps its line numbers (the fusions name them)
    prelude = "import jax, jax.numpy as jnp; jax.jit(lambda x: x + 1)(jnp.ones(2))"
    outs = [
        subprocess.run(
            [sys.executable, "-c", pre + script], capture_output=True, text=True, timeout=120
        )
        for pre in ("", prelude)
    ]
    for out in outs:
        assert out.returncode == 0, out.stderr[-2000:]
    assert outs[0].stdout == outs[1].stdout
