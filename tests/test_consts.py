"""Large constants are summarised, not written out, in every view (tests of _consts and views)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import real_models

import jaxscope as js
from jaxscope._consts import array_summary, elide_stablehlo_constants

W = jax.random.normal(jax.random.key(0), (300, 2))


def test_array_summary_small_and_big():
    assert array_summary(np.arange(3.0)) == "f64[3] [0., 1., 2.]"
    big = array_summary(W)
    assert big.startswith("f32[300,2] 2.3 KiB: ")
    first = [float(v) for v in big.split(": ")[1].split(", ")[:4]]
    np.testing.assert_allclose(first, np.asarray(W).reshape(-1)[:4], rtol=1e-3)
    assert big.endswith("…")
    assert array_summary(jax.random.key(0)).startswith("key<fry>[]")


def test_stablehlo_hex_constants_elided_with_values():
    wb = W.astype(jnp.bfloat16)
    text = jax.jit(lambda x: (x @ W, wb * 2)).lower(jnp.ones(300)).as_text()
    assert '"0x' in text
    out = elide_stablehlo_constants(text)
    assert '"0x' not in out and len(out) < len(text) / 2
    lines = [ln for ln in out.splitlines() if "// elided:" in ln]
    assert len(lines) == 2
    assert "dense<…> : tensor<300x2xf32>  // elided: f32[300,2] 2.3 KiB: 1.6226," in lines[0]
    assert "bf16[300,2] 1.2 KiB: 1.625," in lines[1]


def test_stablehlo_list_constants_elided_small_kept():
    ints = np.arange(40, dtype=np.int32)
    text = jax.jit(lambda x: x + ints + 5).lower(jnp.ones(40, int))
    out = elide_stablehlo_constants(text.as_text())
    assert "// elided: i32[40] 160 B: 0, 1, 2, 3, …" in out
    assert "dense<5>" in out  # short literals stay as they are


def test_hlo_view_listing_elides_weights():
    view = js.hlo(lambda x: x @ W, jnp.ones(300))
    assert '"0x' not in view.stablehlo and '"0x' not in view.html()
    assert "// elided: f32[300,2]" in view.text()


def test_jaxpr_view_constant_title_has_bytes_and_values():
    view = js.jaxpr(lambda x: x @ W, jnp.ones(300))
    const = view.data["jaxpr"]["constvars"][0]
    assert const["value"].startswith("f32[300,2] 2.3 KiB: 1.6226,")


@pytest.mark.parametrize("name", ["haiku_mlp", "scan_rnn"])
def test_no_view_writes_more_than_a_byte_per_parameter(name):
    fn, args, n_params = real_models.MODELS[name]("big")
    assert n_params > 500_000
    views = {
        "jaxpr": js.jaxpr(fn, *args),
        "hlo": js.hlo(fn, *args),
        "trace": js.trace(fn, *args),
        "transforms": js.transforms(fn, *args, chain=("jit",)),
    }
    for kind, view in views.items():
        assert len(view.html()) <= n_params, kind
        assert len(view.text()) <= n_params, kind
