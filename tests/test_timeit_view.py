"""js.timeit: structure of the results, speedups, labels, errors, formatting and the chart."""

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxscope as js
from jaxscope._timeit_view import TimeitView, format_seconds, format_speedup

X = jnp.ones((16, 16))
FAST = dict(args=(X,), repeat=3, number=2, warmup=1)
UNIT = re.compile(r"^\d+(\.\d+)? (ns|µs|ms|s)$")


def f(x):
    return jnp.tanh(x @ x)


def test_results_structure_and_speedup():
    view = js.timeit(f, jax.jit(f), **FAST)
    assert isinstance(view, TimeitView)
    rows = view.results
    assert [r["label"] for r in rows] == ["f", "jit(f)"]
    for r in rows:
        assert r["error"] is None
        assert r["number"] == 2 and r["repeat"] == 3 and len(r["times_s"]) == 3
        assert r["min_s"] <= r["p25_s"] <= r["median_s"] <= r["p75_s"]
        assert r["first_call_s"] > 0
        assert r["device"] == jax.devices()[0].platform or r["device"].startswith(
            jax.devices()[0].platform + " ("
        )
    assert view.speedup("f") == pytest.approx(1.0)
    assert view.speedup("jit(f)") == pytest.approx(view.median("f") / view.median("jit(f)"))
    text = view.text()
    assert "(baseline)" in text and "jit(f)" in text
    with pytest.raises(KeyError, match="jit"):
        view.median("nope")


def test_dict_names_baseline_and_auto_number():
    view = js.timeit({"a": f, "b": jax.jit(f)}, args=(X,), repeat=3, baseline="b")
    assert [r["label"] for r in view.results] == ["a", "b"]
    assert view.speedup("b") == pytest.approx(1.0)
    assert all(r["number"] >= 1 for r in view.results)
    view = js.timeit(f, f, names=["one", "two"], **FAST)
    assert [r["label"] for r in view.results] == ["one", "two"]
    view = js.timeit(f, f, **FAST)
    assert [r["label"] for r in view.results] == ["f", "f #2"]
    view = js.timeit(lambda x, k=1: x * k, args=(X,), kwargs={"k": 2}, repeat=3, number=1)
    assert view.results[0]["error"] is None
    assert "k=float32" not in view.text() and "k=2" in view.text()


def test_failing_candidate_keeps_the_others():
    def bad(x):
        raise ValueError("boom <script>")

    view = js.timeit(f, bad, **FAST)
    ok, failed = view.results
    assert ok["error"] is None and ok["median_s"] > 0
    assert failed["error"]["type"] == "ValueError" and "boom" in failed["error"]["message"]
    assert view.speedup("bad") is None
    assert "error: ValueError: boom" in view.text()
    html = view.html()
    assert "boom &lt;script&gt;" in html and "<script>" not in html.replace("<style>", "")
    with pytest.raises(ValueError, match="failed"):
        view.median("bad")


def test_numpy_function_runs_on_host():
    xn = np.ones((16, 16), np.float32)
    view = js.timeit(lambda x: np.tanh(x @ x), args=(xn,), repeat=3, number=2)
    (row,) = view.results
    assert row["device"] == "host (NumPy)"
    assert row["compile_s"] is None


def test_bad_arguments():
    with pytest.raises(TypeError, match=r"fns\[1\]"):
        js.timeit(f, 3, args=(X,))
    with pytest.raises(TypeError, match=r"args=\(x,\)"):
        js.timeit(f, args=X)
    with pytest.raises(ValueError, match="repeat"):
        js.timeit(f, args=(X,), repeat=0)
    with pytest.raises(ValueError, match="number"):
        js.timeit(f, args=(X,), number=0)
    with pytest.raises(TypeError, match="at least one"):
        js.timeit(args=(X,))
    with pytest.raises(ValueError, match="names"):
        js.timeit(f, names=["a", "b"], args=(X,))
    with pytest.raises(ValueError, match="baseline"):
        js.timeit(f, args=(X,), baseline="zzz")
    with pytest.raises(TypeError, match="kwargs"):
        js.timeit(f, args=(X,), kwargs=[1])


def test_format_seconds_units():
    assert format_seconds(850e-9) == "850 ns"
    assert format_seconds(12.34e-6) == "12.3 µs"
    assert format_seconds(4.567e-3) == "4.57 ms"
    assert format_seconds(1.234) == "1.23 s"
    assert format_seconds(0.0) == "0.00 ns"
    for value in (3e-9, 1e-6, 999.9e-6, 0.05, 120.0):
        assert UNIT.match(format_seconds(value)), format_seconds(value)
    assert format_speedup(12.34) == "×12.3" and format_speedup(0.5) == "×0.50"
    with pytest.raises(ValueError):
        format_seconds(float("nan"))


def test_html_table_and_svg():
    view = js.timeit({"<b>x</b>": f}, **FAST)
    html = view.html()
    assert "<svg" in html and "jxs-timeit-bar" in html and "<table" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    for duration in re.findall(r"\d+(?:\.\d+)? (?:ns|µs|ms|s)\b", view.text()):
        assert UNIT.match(duration)


def test_plot_returns_figure():
    from matplotlib.figure import Figure

    fig = js.timeit(f, **FAST).plot()
    assert isinstance(fig, Figure)


_DISK_CACHE_SCRIPT = """
import json, jax, jax.numpy as jnp, jaxscope as js
view = js.timeit(jax.jit(lambda x: jnp.sin(x) @ x.T), args=(jnp.ones((8, 8)),), repeat=2, number=1)
row = view.results[0]
print(json.dumps([row["compiles"], row["disk_cache_hits"], view.text().splitlines()[2]]))
"""


def test_a_program_from_the_persistent_cache_is_not_called_a_compile(tmp_path):
    import json
    import os
    import subprocess
    import sys

    env = dict(
        os.environ,
        JAX_COMPILATION_CACHE_DIR=str(tmp_path),
        JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS="0",
        JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES="0",
    )
    runs = []
    for _ in range(2):
        proc = subprocess.run(
            [sys.executable, "-c", _DISK_CACHE_SCRIPT], env=env, capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stderr
        runs.append(json.loads(proc.stdout.splitlines()[-1]))
    (compiles, hits, line), (compiles2, hits2, line2) = runs
    assert compiles >= 1 and hits == 0 and "(includes compile)" in line
    assert "disk cache" not in line
    assert compiles2 >= 1 and hits2 == compiles2
    assert "(includes cache load)" in line2 and "(loaded from disk cache)" in line2


def test_compile_column_says_how_much_came_from_disk():
    row = {"jitted": True, "compiles": 3, "compile_s": 0.012, "disk_cache_hits": 1}
    assert TimeitView._compile_text(row) == "12.0 ms (1 of 3 from disk cache)"
    assert TimeitView._compile_text({**row, "disk_cache_hits": 0}) == "12.0 ms"
    assert TimeitView._compile_text({"jitted": True, "compiles": 0}) == "cached"
