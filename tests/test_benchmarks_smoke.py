"""The benchmark script runs end to end on tiny sizes (no timing is asserted: only that every
part produces its figures and the reports render)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("jxs_bench_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_jaxpr_part_on_tiny_jaxprs(bench):
    figs, raw = bench.bench_jaxpr(True, sizes=(3, 7), depth=2, html_sizes=(5, 9))
    assert [c["n_eqns"] for c in raw["cases"][:2]] == [3, 7]
    assert all(c["ratio_total_to_str"] > 0 and c["html_bytes"] > 0 for c in raw["cases"])
    assert raw["cases"][2]["n_eqns"] > 2  # the nested jit/cond levels are counted
    assert figs[-1]["value"] > 0  # HTML bytes per added equation


def test_nested_fn_nests_sub_jaxprs(bench):
    import jax
    import jax.numpy as jnp

    import jaxscope as js

    view = js.jaxpr(jax.make_jaxpr(bench.nested_fn(3))(jnp.ones(2)))
    assert view.data["n_subs"] >= 6  # a jit and two cond branches per level


def test_import_and_timeit_parts(bench):
    figs, raw = bench.bench_import(True, runs=1)
    assert len(raw["runs"]) == 1 and figs[0]["met"] in (True, False)
    figs, raw = bench.bench_timeit(True, rounds=1)
    assert len(raw["rounds"]) == 1 and figs[0]["value"] > 0


def test_nbval_run_times_each_notebook_and_fills_the_cache(bench, tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    path = tmp_path / "jit.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("import jax\n_ = jax.jit(abs)(-1.0)")]), path)
    res = bench.nbval_run([bench.floor_notebook(tmp_path), path], 1, tmp_path / "cache")
    assert res["passed"], res["summary"]
    assert sorted(res["per_notebook_s"]) == ["floor.ipynb", "jit.ipynb"]
    assert any((tmp_path / "cache").iterdir())  # the kernel wrote its compiled program there


def test_search_part_on_a_tiny_corpus(bench, tmp_path):
    rows = [("split a key", "split"), ("for loop", "fori-loop"), ("qqqzzz xxyy", "grad")]
    lines = [
        f"  - {{query: {q}, concept: {c}, kind: plain, split: {bench.split_of(q)}}}"
        for q, c in rows
    ]
    path = tmp_path / "q.yml"
    path.write_text("questions:\n" + "\n".join(lines) + "\n", encoding="utf-8")
    figs, raw = bench.bench_search(True, path)
    assert sum(raw["questions"].values()) == 3
    rates = [raw["jaxscope_tuning"]["top3"], raw["jaxscope_held-out"]["top3"]]
    halves = [bench.split_of(q) for q, _ in rows]
    assert sum(r * halves.count(h) for r, h in zip(rates, ("tuning", "held-out"), strict=True)) == 2
    held = next(f for f in figs if f["name"].startswith("jaxscope top-3, held-out"))
    assert held["target_text"] == "≥ 90%" and held["unit"] == "%"
    assert bench._fmt(held["value"], "%").endswith("%") and bench._fmt(0.5, "%") == "50.0%"


def test_reports_render(bench, tmp_path):
    fig = bench.figure("x", "a figure | with a bar", 2.0, "s", 1.0, note="n")
    assert fig["met"] is False
    assert bench.figure("x", "ratio", 1.1, "", 0.2, within=True)["met"] is True
    report = {
        "quick": True,
        "seconds": 1.0,
        "environment": {
            "cpus": 2,
            "loadavg_start": "1",
            "loadavg_end": "1",
            "python": "3",
            "jax": "0",
            "backend": "cpu",
        },
        "figures": [fig],
        "raw": {},
        "notes": ["a note"],
    }
    text = bench.markdown(report)
    assert "**missed**" in text and "a figure \\| with a bar" in text and "- a note" in text
    json.dumps(report)


def test_models_part_on_small_models(bench):
    figs, raw = bench.bench_models(True, size="small", names=("haiku_mlp",))
    assert raw["haiku_mlp"]["eqns"] > 5 and raw["haiku_mlp"]["params"] > 1000
    assert figs[0]["value"] > 0 and "js.trace / make_jaxpr" in figs[0]["name"]
    assert figs[-1]["name"].startswith("worst HTML bytes per model parameter")
