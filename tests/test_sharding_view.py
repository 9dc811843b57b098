"""Tests for js.sharding: blocks, devices, mesh, spec and replication on 8 simulated CPU devices.

JAX fixes its device count once per process, so the multi-device cases run in one subprocess that
sets ``jax_num_cpu_devices=8`` first and returns every case's model, text and HTML as JSON. The
single-device case, argument errors and the renderers run here with the default device.
"""

import json
import os
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import pytest
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P

import jaxscope as js
from jaxscope._sharding_view import ShardingView

CASES = textwrap.dedent(
    """
    import json
    import jax
    jax.config.update("jax_num_cpu_devices", 8)
    import jax.numpy as jnp
    from jax.sharding import AxisType, NamedSharding, PartitionSpec as P
    import jaxscope as js

    out = {"n_devices": jax.device_count()}
    mesh8 = jax.make_mesh((8,), ("x",))
    mesh = jax.make_mesh((2, 4), ("x", "y"))
    auto = jax.make_mesh((2, 4), ("x", "y"), axis_types=(AxisType.Auto, AxisType.Auto))

    def put(shape, m, spec):
        return jax.device_put(jnp.zeros(shape), NamedSharding(m, spec))

    def record(name, view):
        out[name] = {"data": view.data, "text": view.text(), "html": view.html()}

    record("x_1d", js.sharding(put((8,), mesh8, P("x"))))
    record("xy_2d", js.sharding(put((4, 8), mesh, P("x", "y"))))
    record("y_only", js.sharding(put((4, 8), mesh, P(None, "y"))))
    record("replicated", js.sharding(put((4, 8), mesh, P())))
    record("auto", js.sharding(put((4, 8), auto, P("x", None))))
    record("three_d", js.sharding(put((4, 8, 2), mesh, P("x", "y"))))
    record("single", js.sharding(jnp.ones((3, 2))))
    jit_out = jax.jit(lambda a: a * 2, out_shardings=NamedSharding(mesh, P("y", "x")))(
        jnp.ones((8, 4))
    )
    record("jit", js.sharding(jit_out))
    xs = put((16,), mesh8, P("x"))
    sm = jax.shard_map(lambda a: a + 1, mesh=mesh8, in_specs=P("x"), out_specs=P("x"))(xs)
    record("shard_map", js.sharding(sm))
    record("bare", js.sharding(NamedSharding(mesh, P(("x", "y"))), shape=(16,)))
    record("sds", js.sharding(jax.ShapeDtypeStruct((4, 8), jnp.int32,
                                                   sharding=NamedSharding(mesh, P("x")))))
    cube = jax.make_mesh((2, 2, 2), ("x", "y", "z"))
    record("mesh3", js.sharding(put((4, 4), cube, P("x", ("y", "z")))))
    try:
        from jax._src.sharding_impls import GSPMDSharding
        gs = GSPMDSharding.get_replicated(jax.devices())
        record("gspmd", js.sharding(gs, shape=(4, 4)))
    except Exception as e:  # an internal class that may move
        out["gspmd_error"] = repr(e)
    errors = {}
    for name, call in [
        ("list", lambda: js.sharding([1, 2, 3])),
        ("no_shape", lambda: js.sharding(NamedSharding(mesh, P("x")))),
        ("indivisible", lambda: js.sharding(NamedSharding(mesh8, P("x")), shape=(10,))),
        ("bad_shape", lambda: js.sharding(NamedSharding(mesh8, P("x")), shape="8")),
    ]:
        try:
            call()
            errors[name] = None
        except Exception as e:
            errors[name] = [type(e).__name__, str(e)]
    out["errors"] = errors
    print(json.dumps(out))
    """
)


def _run_cases(seeds: tuple[str, ...]) -> list[dict]:
    """Run CASES in one fresh process per hash seed, all at once; their JSON results."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CASES],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "JAX_PLATFORMS": "cpu", "PYTHONHASHSEED": seed},
        )
        for seed in seeds
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


@pytest.fixture(scope="module")
def runs():
    return _run_cases(("0", "7"))


@pytest.fixture(scope="module")
def cases(runs):
    return runs[0]


def _devices(case):
    return {d["id"]: d["range"] for d in case["data"]["devices"]}


def test_eight_devices_simulated(cases):
    assert cases["n_devices"] == 8


def test_1d_over_x(cases):
    c = cases["x_1d"]
    d = c["data"]
    assert d["spec"] == "P('x')" and d["shard_shape"] == [1]
    assert len(d["blocks"]) == 8 and d["replication"] == 1
    assert _devices(c)[3] == "[3:4]"
    assert d["mesh"]["axes"] == [{"name": "x", "size": 8, "type": "Explicit", "use": "dim 0"}]
    assert "│ dev 3 │" in c["text"] and "[3:4]" in c["text"]
    assert c["html"].count('class="jxs-sharding-block ') == 8


def test_2d_over_x_and_y(cases):
    c = cases["xy_2d"]
    d = c["data"]
    assert d["spec"] == "P('x', 'y')" and d["shard_shape"] == [2, 2]
    assert d["mesh"]["device_ids"] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert _devices(c)[5] == "[2:4, 2:4]"
    assert d["replication"] == 1 and len(d["grid"]["cells"]) == 8
    assert d["grid"]["row_sizes"] == [2, 2] and d["grid"]["col_sizes"] == [2, 2, 2, 2]
    assert "mesh x=2 × y=4 (Explicit, Explicit axes); dim 0 ← x; dim 1 ← y" in c["text"]
    assert "x=1 │ 4:b4 │ 5:b5 │ 6:b6 │ 7:b7 │" in c["text"]


def test_replication_over_unused_axis(cases):
    c = cases["y_only"]
    d = c["data"]
    assert d["replication"] == 2 and len(d["blocks"]) == 4
    assert d["blocks"][1]["devices"] == [1, 5] and d["blocks"][1]["range"] == "[0:4, 2:4]"
    assert "replicated over x" in c["text"] and "replication ×2" in c["text"]
    assert "devs 1,5" in c["text"]
    assert c["html"].count('jxs-sharding-rep"') == 4 and "×2" in c["html"]


def test_fully_replicated(cases):
    c = cases["replicated"]
    d = c["data"]
    assert d["fully_replicated"] and d["replication"] == 8 and len(d["blocks"]) == 1
    assert d["spec"] == "P()" and "fully replicated" in c["text"]
    assert "devs 0,1,2,3,4,5,6,7" in c["text"]


def test_auto_axes_and_three_dims(cases):
    auto = cases["auto"]["data"]
    assert [a["type"] for a in auto["mesh"]["axes"]] == ["Auto", "Auto"]
    assert auto["replication"] == 4
    c = cases["three_d"]
    assert c["data"]["shard_shape"] == [2, 2, 2]
    assert "drawing shows how dims 0 and 1 are partitioned" in c["text"]
    assert "[2:4, 6:8, …]" in c["text"] and "device 7: [2:4, 6:8, 0:2]" in c["text"]


def test_three_axis_mesh(cases):
    c = cases["mesh3"]
    d = c["data"]
    assert d["spec"] == "P('x', ('y', 'z'))" and d["shard_shape"] == [2, 1]
    assert "dim 1 ← y×z" in c["text"] and "y=1,z=0" in c["text"]
    assert "<th>y=1,z=0</th>" in c["html"]


def test_single_device_in_subprocess(cases):
    c = cases["single"]
    d = c["data"]
    assert d["type"] == "SingleDeviceSharding" and d["mesh"] is None and d["n_devices"] == 1
    assert "one device holds the whole array" in c["text"]


def test_jit_and_shard_map_outputs(cases):
    jit = cases["jit"]["data"]
    assert jit["spec"] == "P('y', 'x')" and jit["shard_shape"] == [2, 2]
    assert jit["devices"][1]["range"] == "[2:4, 0:2]"  # device 1: x=0, y=1; dim 0 ← y
    sm = cases["shard_map"]["data"]
    assert sm["spec"] == "P('x')" and sm["shard_shape"] == [2] and len(sm["blocks"]) == 8


def test_bare_sharding_and_shape_dtype_struct(cases):
    bare = cases["bare"]
    assert bare["data"]["dtype"] is None and bare["data"]["shape"] == [16]
    assert bare["data"]["spec"] == "P(('x', 'y'))" and "dim 0 ← x×y" in bare["text"]
    assert bare["text"].startswith("sharding of array[16]: NamedSharding P(('x', 'y'))")
    sds = cases["sds"]["data"]
    assert sds["dtype"] == "int32" and sds["replication"] == 4


def test_gspmd_if_available(cases):
    if "gspmd" not in cases:
        pytest.skip(f"GSPMDSharding not constructible here: {cases.get('gspmd_error')}")
    d = cases["gspmd"]["data"]
    assert d["type"] == "GSPMDSharding" and d["fully_replicated"] and d["mesh"] is None


def test_bad_input_errors(cases):
    e = cases["errors"]
    assert e["list"][0] == "TypeError"
    assert "array_or_sharding" in e["list"][1]
    assert "jax.device_put(x, NamedSharding(mesh, P(...)))" in e["list"][1]
    assert e["no_shape"][0] == "ValueError" and "shape=" in e["no_shape"][1]
    assert e["indivisible"][0] == "ValueError" and "(10,)" in e["indivisible"][1]
    assert e["bad_shape"][0] == "TypeError" and "shape" in e["bad_shape"][1]


def test_html_escaped_and_no_reprs(cases):
    for name in ("xy_2d", "y_only", "jit"):
        html, text = cases[name]["html"], cases[name]["text"]
        for s in (html, text):
            assert "CpuDevice" not in s and "0x" not in s and "Mesh(" not in s


def test_deterministic_across_processes(runs):
    first, other = runs
    for name in ("y_only", "three_d", "bare", "jit"):
        assert other[name]["html"] == first[name]["html"]
        assert other[name]["text"] == first[name]["text"]


# --- in process, default (single) device ------------------------------------------------------
def test_single_device_array_in_process():
    view = js.sharding(jnp.arange(6.0).reshape(2, 3))
    assert isinstance(view, ShardingView)
    d = view.data
    assert d["shape"] == [2, 3] and d["dtype"] == "float32" and d["shard_shape"] == [2, 3]
    assert d["blocks"][0]["range"] == "[0:2, 0:3]" and d["replication"] == 1
    text = view.text()
    assert text.startswith("sharding of float32[2,3]: SingleDeviceSharding")
    assert "[0:2, 0:3]" in text


def test_bare_single_device_sharding_and_mesh_of_one():
    dev = jax.devices()[0]
    view = js.sharding(jax.sharding.SingleDeviceSharding(dev), shape=(4,))
    assert view.data["dtype"] is None and view.data["devices"][0]["range"] == "[0:4]"
    mesh = jax.make_mesh((1,), ("data",))
    x = jax.device_put(jnp.ones((4, 2)), NamedSharding(mesh, P("data")))
    v = js.sharding(x)
    assert v.data["spec"] == "P('data')" and v.data["mesh"]["axes"][0]["size"] == 1
    assert "dim 0 ← data" in v.text()


def test_scalar_array():
    view = js.sharding(jnp.float32(3.0))
    assert view.data["shape"] == [] and view.data["devices"][0]["range"] == "[]"
    assert "a scalar" in view.text()
    assert "jxs-sharding-grid" in view.html()


def test_renderers_on_a_model_dict():
    model = {"w": jnp.ones((4, 3)), "b": jnp.zeros(3)}
    for leaf in model.values():
        view = js.sharding(leaf)
        html = view.html()
        assert html.startswith('<div class="jxs jxs-sharding">')
        assert "jxs-sharding-c0" in html and "jxs-sharding-mesh" in html
        assert "devices → index ranges" in view.text()


def test_argument_errors_in_process():
    with pytest.raises(TypeError, match="array_or_sharding.*jax.device_put"):
        js.sharding([1.0, 2.0])
    import numpy as np

    with pytest.raises(TypeError, match="NamedSharding\\(mesh, P"):
        js.sharding(np.ones(3))
    with pytest.raises(ValueError, match="shape="):
        js.sharding(jax.sharding.SingleDeviceSharding(jax.devices()[0]))
    with pytest.raises(ValueError, match="does not match"):
        js.sharding(jnp.ones(3), shape=(4,))

    @jax.jit
    def f(x):
        js.sharding(x)
        return x

    with pytest.raises(TypeError, match="tracer"):
        f(jnp.ones(2))
