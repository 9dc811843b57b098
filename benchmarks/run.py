"""Performance measurements for jaxscope, in one run: ``python benchmarks/run.py [--quick]``.

Measures the learner's curriculum check (``python -m jaxscope progress`` on a fresh workspace:
cold, unchanged, one notebook edited), the curriculum check (nbval over ``notebooks/``: serial
and two workers, cold and warm JAX compilation cache, per notebook, and the floor of a notebook
that only imports jax), the jaxpr view's render cost against ``str(jaxpr)``, the import cost of
``jaxscope`` and the agreement of ``js.timeit``'s jit speedup with an independent
``timeit.repeat`` measurement. Every figure is written beside its target, met or missed, to
``benchmarks/report.md`` and ``benchmarks/report.json``. These are measurements, not tests:
nothing here fails on a miss.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import os
import platform
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
import timeit as _timeit
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
OUT_DIR = Path(__file__).resolve().parent

# targets (issue 9)
CURRICULUM_2W_S = 180.0
NOTEBOOK_S = 60.0
JAXPR_RATIO_10K = 5.0
IMPORT_S = 0.3
TIMEIT_AGREEMENT = 0.20
# targets (issue 15): `python -m jaxscope progress` on a fresh workspace
PROGRESS_COLD_S = 120.0
PROGRESS_RERUN_S = 10.0
PROGRESS_LINES = 40
# targets (issue 17)
SEARCH_TOP3 = 0.90
SEARCH_MS = 20.0
SEARCH_CORPUS = ROOT / "tests" / "search_corpus" / "questions.yml"
# targets (issue 20)
HTML_BYTES_PER_EQN = 300.0
TRACE_RATIO = 2.0
HTML_BYTES_PER_PARAM = 1.0


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
def figure(
    section: str,
    name: str,
    value: float | None,
    unit: str,
    target: float | None = None,
    *,
    within: bool = False,
    note: str = "",
) -> dict[str, Any]:
    """One measured figure; ``met`` is ``value <= target`` (``|value - 1| <= target`` with
    ``within``; ``value >= target`` for a share, unit ``%``)."""
    met = None
    text = ""
    if target is not None and value is not None:
        if within:
            met = abs(value - 1.0) <= target
            text = f"within {target:.0%} of 1"
        elif unit == "%":
            met = value >= target
            text = f"≥ {target:.0%}"
        else:
            met = value <= target
            text = f"≤ {target:g} {unit}".rstrip()
    return {
        "section": section,
        "name": name,
        "value": value,
        "unit": unit,
        "target": target,
        "target_text": text,
        "met": met,
        "note": note,
    }


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median seconds of ``repeat`` calls of ``fn`` and the last result."""
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def profile_top(fn: Callable[[], Any], n: int = 12) -> list[str]:
    """cProfile of one call of ``fn``: the ``n`` entries with most cumulative time."""
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("cumulative").print_stats(n)
    lines = [ln.rstrip() for ln in buf.getvalue().splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls")), 0)
    return [ln.replace(str(ROOT) + "/", "") for ln in lines[start : start + n + 1]]


# --------------------------------------------------------------------------------------------
# 1. nbval over the notebooks
# --------------------------------------------------------------------------------------------
def notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def floor_notebook(folder: Path) -> Path:
    """A notebook whose one cell imports jax: the fixed cost of checking any notebook."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    path = folder / "floor.ipynb"
    nb = new_notebook(cells=[new_code_cell("import jax")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, path)
    return path


def junit_per_file(path: Path) -> dict[str, float]:
    """Seconds per notebook from a junit report: the sum over its cells, whose first cell's
    setup starts the kernel (pytest's junit times include setup and teardown)."""
    per: dict[str, float] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        where = case.get("file") or case.get("classname") or ""  # xunit1 names the file
        found = re.search(r"([^./\\]+)\.ipynb", where)
        key = found.group(1) + ".ipynb" if found else "?"
        per[key] = per.get(key, 0.0) + float(case.get("time") or 0.0)
    return per


def nbval_run(
    paths: list[Path], workers: int, cache: Path, *, timeout: float = 3600
) -> dict[str, Any]:
    """One ``pytest --nbval`` run over ``paths``: wall time, outcome and seconds per notebook."""
    from jaxscope._build import BUILD_ENV, jax_cache_env

    env = {**os.environ, **BUILD_ENV, **jax_cache_env(cache)}
    with tempfile.TemporaryDirectory(prefix="jxs-bench-") as tmp:
        junit = Path(tmp) / "junit.xml"
        cmd = [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env"]
        cmd += ["--nbval-sanitize-with", str(SANITIZE), "-p", "no:cacheprovider", "-q"]
        cmd += ["--junitxml", str(junit), "-o", "junit_family=xunit1"]
        cmd += ["-c", str(ROOT / "pyproject.toml")]
        cmd += ["--rootdir", str(ROOT)]
        cmd += ["-n", str(workers), "--dist", "loadfile"] if workers > 1 else ["-p", "no:xdist"]
        cmd += [str(p) for p in paths]
        start = time.perf_counter()
        proc = subprocess.run(
            cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
        wall = time.perf_counter() - start
        per = junit_per_file(junit) if junit.exists() else {}
    tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
    return {
        "workers": workers,
        "wall_s": wall,
        "returncode": proc.returncode,
        "passed": proc.returncode == 0,
        "summary": tail[-1] if tail else "",
        "per_notebook_s": per,
    }


def bench_nbval(quick: bool) -> tuple[list[dict], dict]:
    nbs = notebooks()
    figs: list[dict] = []
    raw: dict[str, Any] = {"notebooks": [p.name for p in nbs]}
    with tempfile.TemporaryDirectory(prefix="jxs-bench-nb-") as tmp:
        tmp = Path(tmp)
        floor = nbval_run([floor_notebook(tmp)], 1, tmp / "cache-floor")
        raw["floor"] = floor
        figs.append(
            figure(
                "nbval",
                "floor: kernel start + `import jax` (pytest --nbval, 1 notebook, wall)",
                floor["wall_s"],
                "s",
                note="the fixed cost any notebook pays",
            )
        )
        if not nbs:
            return figs, raw
        runs: list[tuple[str, int, Path]] = [
            ("serial, cold cache", 1, tmp / "cache-a"),
            ("2 workers, cold cache", 2, tmp / "cache-b"),
            ("serial, warm cache", 1, tmp / "cache-a"),
            ("2 workers, warm cache", 2, tmp / "cache-a"),
        ]
        if quick:
            runs = [runs[1], runs[3]]
        for label, workers, cache in runs:
            res = nbval_run(nbs, workers, cache)
            res["label"] = label
            raw.setdefault("runs", []).append(res)
            target = CURRICULUM_2W_S if workers == 2 else None
            status = "passed" if res["passed"] else f"FAILED ({res['summary']})"
            figs.append(
                figure(
                    "nbval",
                    f"curriculum ({len(nbs)} notebooks), {label}: wall",
                    res["wall_s"],
                    "s",
                    target,
                    note=f"nbval {status}",
                )
            )
        first = raw["runs"][0]
        for name in sorted(first["per_notebook_s"]):
            per = [r["per_notebook_s"].get(name) for r in raw["runs"]]
            cold = per[0]
            figs.append(
                figure(
                    "nbval",
                    f"{name} ({first['label']})",
                    cold,
                    "s",
                    NOTEBOOK_S,
                    note="other runs: "
                    + ", ".join(
                        f"{r['label']} {t:.1f} s"
                        for r, t in zip(raw["runs"][1:], per[1:], strict=True)
                        if t is not None
                    ),
                )
            )
    return figs, raw


def _progress_run(ws: Path) -> tuple[float, str, int]:
    cmd = [sys.executable, "-m", "jaxscope", "progress", "--workspace", str(ws)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    return time.perf_counter() - start, proc.stdout + proc.stderr, proc.returncode


def bench_progress(quick: bool) -> tuple[list[dict], dict]:
    """The learner's curriculum check on a fresh workspace: cold, again with nothing changed,
    and after one notebook changed; how many lines it prints."""
    from jaxscope._workspace import generate

    figs: list[dict] = []
    raw: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="jxs-bench-progress-") as tmp:
        ws = Path(tmp) / "workspace"
        generate(NOTEBOOKS, ws, trust=False)
        cold, out, code = _progress_run(ws)
        raw["cold"] = {"wall_s": cold, "returncode": code, "output": out}
        lines = len(out.splitlines())
        figs.append(figure("progress", "fresh workspace, cold: wall", cold, "s", PROGRESS_COLD_S))
        figs.append(figure("progress", "lines printed (cold run)", lines, "", PROGRESS_LINES))
        again, out, code = _progress_run(ws)
        raw["rerun"] = {"wall_s": again, "returncode": code, "output": out}
        figs.append(
            figure("progress", "again, nothing changed: wall", again, "s", PROGRESS_RERUN_S)
        )
        import nbformat

        one = sorted(ws.glob("05-*.ipynb"))[0]
        nb = nbformat.read(one, as_version=4)
        first = next(cell for cell in nb.cells if cell.cell_type == "code")
        first.source = "# a learner's edit\n" + first.source
        nbformat.write(nb, one)
        edited, out, code = _progress_run(ws)
        raw["one_changed"] = {"wall_s": edited, "returncode": code, "output": out}
        figs.append(figure("progress", f"after editing {one.name}: wall", edited, "s"))
    return figs, raw


# --------------------------------------------------------------------------------------------
# 2. the jaxpr view
# --------------------------------------------------------------------------------------------
def chain_fn(n: int) -> Callable:
    """A function whose jaxpr is ``n`` equations long (alternating mul and sin)."""
    import jax.numpy as jnp

    def chain(x):
        for i in range(n):
            x = jnp.sin(x) if i % 2 else x * 1.5
        return x

    return chain


def nested_fn(depth: int) -> Callable:
    """``depth`` levels of ``jit`` around ``cond``, each branch holding the next level."""
    import jax
    from jax import lax

    def leaf(x):
        return x * 2.0

    fn = leaf
    for _ in range(depth):

        def level(x, inner=fn):
            return lax.cond(x.sum() > 0, inner, lambda y: y - 1.0, x)

        fn = jax.jit(level)
    return fn


def bench_jaxpr(
    quick: bool,
    sizes: tuple[int, ...] = (100, 1000, 10000),
    depth: int = 20,
    html_sizes: tuple[int, ...] = (100, 200, 300, 400, 500, 1000, 10000),
) -> tuple[list[dict], dict]:
    import jax
    import jax.numpy as jnp

    import jaxscope as js

    repeat = 3 if quick else 5
    figs: list[dict] = []
    raw: dict[str, Any] = {"cases": []}
    x = jnp.ones(3)
    cases = [(f"{n:,} equations", chain_fn(n)) for n in sizes]
    cases.append((f"{depth} nested jit+cond levels", nested_fn(depth)))
    for label, fn in cases:
        start = time.perf_counter()
        closed = jax.make_jaxpr(fn)(x)
        make_s = time.perf_counter() - start
        str_s, _ = best_of(lambda c=closed: str(c), repeat)
        model_s, view = best_of(lambda c=closed: js.jaxpr(c), repeat)
        text_s, _ = best_of(view.text, repeat)
        html_s, html = best_of(view.html, repeat)
        state_s, _ = best_of(lambda v=view: (v.widget_data(), v.html()), repeat)
        total = model_s + text_s + html_s
        case = {
            "label": label,
            "n_eqns": view.data["n_eqns"],
            "make_jaxpr_s": make_s,
            "str_s": str_s,
            "model_s": model_s,
            "text_s": text_s,
            "html_s": html_s,
            "widget_state_s": state_s,
            "view_total_s": total,
            "ratio_total_to_str": total / str_s,
            "html_bytes": len(html.encode()),
        }
        raw["cases"].append(case)
        is_10k = label.startswith("10,000")
        figs.append(
            figure(
                "jaxpr view",
                f"{label}: view (model + text + html) / str(jaxpr)",
                case["ratio_total_to_str"],
                "×",
                JAXPR_RATIO_10K if is_10k else None,
                note=(
                    f"str {str_s * 1e3:.1f} ms; model {model_s * 1e3:.1f} ms, text "
                    f"{text_s * 1e3:.1f} ms, html {html_s * 1e3:.1f} ms, widget state "
                    f"{state_s * 1e3:.1f} ms; make_jaxpr {make_s * 1e3:.0f} ms (not the view's); "
                    f"{case['n_eqns']} eqns, html {case['html_bytes']:,} B"
                ),
            )
        )
        if is_10k:
            raw["profile_10k_model"] = profile_top(lambda c=closed: js.jaxpr(c))
    # HTML size per equation: every equation is in the HTML (compact rows beyond RICH_EQN_LIMIT)
    from jaxscope._jaxpr_view import RICH_EQN_LIMIT
    from jaxscope._view import stylesheet

    sizes = []
    for n in html_sizes:
        view = js.jaxpr(jax.make_jaxpr(chain_fn(n))(x))
        sizes.append((n, len(view.html().encode())))
    raw["html_bytes"] = sizes
    steps = [
        (b2 - b1) / (n2 - n1)
        for (n1, b1), (n2, b2) in zip(sizes, sizes[1:], strict=False)
        if n2 <= RICH_EQN_LIMIT
    ]
    drawn = [n for n, _ in sizes if n <= RICH_EQN_LIMIT]
    figs.append(
        figure(
            "jaxpr view",
            f"HTML bytes per added equation ({drawn[0]} → {drawn[-1]} eqns)",
            statistics.mean(steps) if steps else None,
            "B",
            note=f"steps {', '.join(f'{s:.0f}' for s in steps)} B/eqn (linear); sizes "
            + ", ".join(f"{n}: {b:,} B" for n, b in sizes),
        )
    )
    n_big, b_big = sizes[-1]
    figs.append(
        figure(
            "jaxpr view",
            f"HTML bytes per equation, all {n_big:,} equations in the HTML",
            (b_big - len(stylesheet().encode())) / n_big,
            "B",
            HTML_BYTES_PER_EQN if n_big >= 10_000 else None,
            note=f"compact rows beyond {RICH_EQN_LIMIT} equations (stylesheet not counted)",
        )
    )
    return figs, raw


# --------------------------------------------------------------------------------------------
# 3. import cost
# --------------------------------------------------------------------------------------------
IMPORT_SNIPPET = """
import time
import jax
t0 = time.perf_counter()
import jaxscope as js
t1 = time.perf_counter()
js.jaxpr
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def bench_import(quick: bool, runs: int | None = None) -> tuple[list[dict], dict]:
    runs = runs or (5 if quick else 9)
    pairs = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", IMPORT_SNIPPET],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.split()
        pairs.append((float(out[0]), float(out[1])))
    imp = statistics.median(p[0] for p in pairs)
    first = statistics.median(p[1] for p in pairs)
    raw = {"runs": pairs}
    figs = [
        figure(
            "import",
            "`import jaxscope` after `import jax` (fresh process, median)",
            imp,
            "s",
            IMPORT_S,
            note=f"median of {runs}",
        ),
        figure(
            "import",
            "first `js.jaxpr` access (loads the view module)",
            first,
            "s",
            note=f"median of {runs}",
        ),
    ]
    return figs, raw


# --------------------------------------------------------------------------------------------
# 4. js.timeit agreement
# --------------------------------------------------------------------------------------------
def _independent(fn: Callable, x: Any, number: int, repeat: int) -> tuple[float, float]:
    """Median and min seconds per call by ``timeit.repeat``, every result blocked until ready."""
    import jax

    times = _timeit.repeat(lambda: jax.block_until_ready(fn(x)), number=number, repeat=repeat)
    return statistics.median(times) / number, min(times) / number


def bench_timeit(quick: bool, rounds: int | None = None) -> tuple[list[dict], dict]:
    import jax
    import jax.numpy as jnp

    import jaxscope as js

    def f(x):
        for _ in range(6):
            x = jnp.tanh(x) * 0.9 + 0.1
        return x.sum()

    x = jnp.linspace(-1.0, 1.0, 100)  # small: dispatch-bound, one thread, less noisy
    jf = jax.jit(f)
    jax.block_until_ready(jf(x))
    jax.block_until_ready(f(x))
    rounds = rounds or (5 if quick else 9)
    pairs: list[dict[str, float]] = []
    for i in range(rounds):
        rec: dict[str, float] = {}
        # interleaved, alternating which goes first, so drift hits both alike
        order = ("js", "ind") if i % 2 == 0 else ("ind", "js")
        for which in order:
            if which == "js":
                rows = js.timeit(f, jf, args=(x,), repeat=7, names=["eager", "jit"]).data["rows"]
                rec["js"] = rows[1]["speedup"]
                rec["js_min"] = rows[0]["min_s"] / rows[1]["min_s"]
                rec["n_eager"], rec["n_jit"] = rows[0]["number"], rows[1]["number"]
            else:
                # as many calls per round as js.timeit chose (it runs first in round 0)
                n_eager = int(pairs[-1]["n_eager"]) if pairs else 100
                n_jit = int(pairs[-1]["n_jit"]) if pairs else 1000
                e_med, e_min = _independent(f, x, n_eager, 7)
                j_med, j_min = _independent(jf, x, n_jit, 7)
                rec["ind"], rec["ind_min"] = e_med / j_med, e_min / j_min
        pairs.append(rec)
    per_round = [r["js"] / r["ind"] for r in pairs]
    agree = statistics.median(per_round)
    agree_min = statistics.median(r["js_min"] / r["ind_min"] for r in pairs)
    js_med = statistics.median(r["js"] for r in pairs)
    ind_med = statistics.median(r["ind"] for r in pairs)
    raw = {"rounds": pairs, "per_round_agreement": per_round, "agreement_min_based": agree_min}
    figs = [
        figure(
            "timeit",
            "js.timeit jit speedup / independent timeit.repeat speedup (medians)",
            agree,
            "",
            TIMEIT_AGREEMENT,
            within=True,
            note=f"median over {rounds} interleaved rounds of the per-round ratio (range "
            f"{min(per_round):.2f}–{max(per_round):.2f}); speedups js.timeit ×{js_med:.2f}, "
            f"timeit.repeat ×{ind_med:.2f}; eager vs jit of 6×(tanh·0.9+0.1) on f32[100]",
        ),
        figure(
            "timeit",
            "same, from the fastest round of each (min), less sensitive to load",
            agree_min,
            "",
            TIMEIT_AGREEMENT,
            within=True,
        ),
    ]
    return figs, raw


# --------------------------------------------------------------------------------------------
# 5. cheat-sheet search: held-out learner questions, and a BM25 library on the same documents
# --------------------------------------------------------------------------------------------
def split_of(query: str) -> str:
    """The half a question belongs to: the first byte of sha256(query) even -> tuning."""
    return "tuning" if hashlib.sha256(query.encode("utf-8")).digest()[0] % 2 == 0 else "held-out"


def search_corpus(path: Path = SEARCH_CORPUS) -> dict[str, list[dict[str, str]]]:
    """The labelled learner questions by half; ``ValueError`` if one sits in the wrong half."""
    import yaml

    halves: dict[str, list[dict[str, str]]] = {"tuning": [], "held-out": []}
    for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
        if q["split"] != split_of(q["query"]):
            raise ValueError(f"{q['query']!r} is filed under {q['split']}, its hash says otherwise")
        halves[q["split"]].append(q)
    return halves


def top3(
    questions: list[dict[str, str]], rank: Callable[[str], list[str]]
) -> tuple[float, float, float]:
    """The share of ``questions`` whose concept ``rank`` puts in its first 3, and the wall and
    CPU milliseconds per query (CPU time tells the cost when other processes share the cores)."""
    start, cpu = time.perf_counter(), time.process_time()
    hits = sum(q["concept"] in rank(q["query"])[:3] for q in questions)
    n = max(len(questions), 1)
    ms = (time.perf_counter() - start) * 1e3 / n
    return hits / n, ms, (time.process_time() - cpu) * 1e3 / n


def bm25s_ranker() -> tuple[Callable[[str], list[str]], int] | None:
    """BM25 (``bm25s``, its own tokenizer) over the same per-concept text jaxscope indexes, and
    the library's installed size in bytes; ``None`` when bm25s is not installed."""
    try:
        import bm25s
    except ImportError:
        return None
    from jaxscope import _search
    from jaxscope._cheatsheet import concepts, tables

    titles = {t.n: t.title for t in tables()}
    sections = _search.notebook_sections()
    items = concepts()
    docs = [
        " ".join(_search.concept_fields(c, titles[c.table], sections.get(c.id)).values())
        for c in items
    ]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(docs, stopwords="en", show_progress=False), show_progress=False)

    def rank(query: str) -> list[str]:
        tokens = bm25s.tokenize([query], stopwords="en", show_progress=False)
        if not tokens.vocab:
            return []
        found, _ = retriever.retrieve(tokens, k=3, show_progress=False)
        return [items[int(j)].id for j in found[0]]

    folder = Path(bm25s.__file__).parent
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    return rank, size


def bench_search(quick: bool, path: Path = SEARCH_CORPUS) -> tuple[list[dict], dict]:
    import jax  # noqa: F401 - pasted errors ask the error coach, which imports jax

    from jaxscope import _search
    from jaxscope._cheatsheet import concepts

    halves = search_corpus(path)
    concepts()  # the cheat sheet itself loads (and is validated) apart from the index
    start = time.perf_counter()
    _search._default_index()
    build = time.perf_counter() - start

    def ours(query: str) -> list[str]:
        return [h.id for h in _search.search(query, limit=3)]

    sizes = {k: len(v) for k, v in halves.items()}
    raw: dict[str, Any] = {"questions": sizes, "index_build_s": build}
    figs = []
    for half in ("tuning", "held-out"):
        rate, ms, cpu = top3(halves[half], ours)
        raw[f"jaxscope_{half}"] = {"top3": rate, "ms_per_query": ms, "cpu_ms_per_query": cpu}
        figs.append(
            figure(
                "search",
                f"jaxscope top-3, {half} half ({sizes[half]} questions)",
                rate,
                "%",
                SEARCH_TOP3 if half == "held-out" else None,
                note="tuned on this half" if half == "tuning" else "never tuned on",
            )
        )
        figs.append(
            figure(
                "search",
                f"jaxscope ms/query, {half} half",
                ms,
                "ms",
                SEARCH_MS,
                note=f"CPU time {cpu:.2f} ms/query",
            )
        )
    figs.append(figure("search", "jaxscope index build (first search)", build, "s"))
    other = bm25s_ranker()
    if other is None:
        raw["bm25s"] = None
        figs.append(figure("search", "bm25s (not installed: pip install bm25s)", None, ""))
        return figs, raw
    rank, size = other
    raw["bm25s"] = {"install_bytes": size}
    for half in ("tuning", "held-out"):
        rate, ms, cpu = top3(halves[half], rank)
        raw["bm25s"][half] = {"top3": rate, "ms_per_query": ms, "cpu_ms_per_query": cpu}
        figs.append(figure("search", f"bm25s top-3, {half} half", rate, "%"))
        figs.append(
            figure(
                "search", f"bm25s ms/query, {half} half", ms, "ms", note=f"CPU time {cpu:.2f} ms"
            )
        )
    figs.append(
        figure("search", "bm25s installed size (its package folder)", size, "B", note="+ numpy")
    )
    return figs, raw


# --------------------------------------------------------------------------------------------
# reports
# --------------------------------------------------------------------------------------------
def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "s":
        return f"{value * 1e3:.0f} ms" if value < 1 else f"{value:.1f} s"
    if unit == "×":
        return f"{value:.2f}×"
    if unit == "B":
        return f"{value:,.0f} B"
    if unit == "%":
        return f"{value:.1%}"
    if unit == "ms":
        return f"{value:.2f} ms"
    return f"{value:.3f}"


def markdown(report: dict[str, Any]) -> str:
    env = report["environment"]
    lines = [
        "# jaxscope benchmarks",
        "",
        f"Generated by `python benchmarks/run.py{' --quick' if report['quick'] else ''}` "
        f"in {report['seconds']:.0f} s. Machine: {env['cpus']} CPUs, load average at start "
        f"{env['loadavg_start']}, at end {env['loadavg_end']}; Python {env['python']}, "
        f"jax {env['jax']} ({env['backend']}).",
        "",
        "Timings on a shared machine are noisy: other processes competing for the same cores "
        "slow nbval most (it starts kernels and compiles). Read the load averages above.",
        "",
    ]
    sections = []
    for f in report["figures"]:
        if f["section"] not in sections:
            sections.append(f["section"])
    for section in sections:
        lines += [f"## {section}", "", "| figure | value | target | met | notes |"]
        lines.append("|---|---|---|---|---|")
        for f in report["figures"]:
            if f["section"] != section:
                continue
            met = {True: "met", False: "**missed**", None: "–"}[f["met"]]
            note = f["note"].replace("|", "\\|")
            name = f["name"].replace("|", "\\|")
            lines.append(
                f"| {name} | {_fmt(f['value'], f['unit'])} | {f['target_text'] or '–'} "
                f"| {met} | {note} |"
            )
        lines.append("")
    prof = report["raw"].get("jaxpr", {}).get("profile_10k_model")
    if prof:
        lines += ["## Profile: `js.jaxpr(closed)` on 10,000 equations (cProfile)", "", "```"]
        lines += prof + ["```", ""]
    if report.get("notes"):
        lines += ["## Notes", ""] + [f"- {n}" for n in report["notes"]] + [""]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# 5. real models (issue 20): js.trace against make_jaxpr, HTML bytes per parameter and equation
# --------------------------------------------------------------------------------------------
def bench_models(quick: bool, size: str = "big", names: tuple[str, ...] = ()) -> tuple:
    import jax

    import jaxscope as js
    from jaxscope._hlo_chain import chain_model
    from jaxscope._hlo_view import _stablehlo_with_locations, frame_files, parse_computations

    sys.path.insert(0, str(ROOT / "tests"))
    import real_models

    repeat = 2 if quick else 3
    figs: list[dict] = []
    raw: dict[str, Any] = {}
    worst = (0.0, "")
    for name in names or tuple(real_models.MODELS):
        fn, args, n_params = real_models.MODELS[name](size)
        js.trace(fn, *args)  # warm: imports and first-use caches
        make_s, _ = best_of(
            lambda fn=fn, args=args: jax.make_jaxpr(lambda *a: fn(*a))(*args), repeat
        )
        trace_s, _ = best_of(lambda fn=fn, args=args: js.trace(fn, *args), repeat)
        views = {
            "jaxpr": js.jaxpr(fn, *args),
            "hlo": js.hlo(fn, *args),
            "trace": js.trace(fn, *args),
            "transforms": js.transforms(fn, *args, chain=("jit",)),
        }
        hlo_s, _ = best_of(lambda fn=fn, args=args: js.hlo(fn, *args), repeat)
        traced = jax.jit(fn).trace(*args)
        lowered = traced.lower()
        raw_hlo = lowered.compile().as_text()
        chain_in = (
            traced.jaxpr,
            _stablehlo_with_locations(lowered),
            parse_computations(raw_hlo),
            frame_files(raw_hlo),
        )
        chain_s, chain = best_of(lambda chain_in=chain_in: chain_model(*chain_in), repeat)
        html = {kind: len(v.html().encode()) for kind, v in views.items()}
        per_param = {kind: b / n_params for kind, b in html.items()}
        kind = max(per_param, key=per_param.get)
        if per_param[kind] > worst[0]:
            worst = (per_param[kind], f"{kind} of {name}")
        n_eqns = views["jaxpr"].data["n_eqns"]
        raw[name] = {
            "params": n_params,
            "eqns": n_eqns,
            "make_jaxpr_s": make_s,
            "trace_s": trace_s,
            "html_bytes": html,
            "hlo_s": hlo_s,
            "chain_s": chain_s,
            "chain_rows": len(chain),
        }
        figs.append(
            figure(
                "real models",
                f"{name}: js.trace / make_jaxpr",
                trace_s / make_s,
                "×",
                TRACE_RATIO,
                note=f"make_jaxpr {make_s * 1e3:.0f} ms, js.trace {trace_s * 1e3:.0f} ms; "
                f"{n_params:,} params, {n_eqns:,} eqns; HTML "
                + ", ".join(f"{k} {b:,} B" for k, b in html.items()),
            )
        )
        figs.append(
            figure(
                "real models",
                f"{name}: linked chain / js.hlo",
                chain_s / hlo_s,
                "×",
                note=f"js.hlo {hlo_s * 1e3:.0f} ms, of which the chain (source line -> jaxpr "
                f"-> StableHLO -> fusion) {chain_s * 1e3:.0f} ms over {len(chain)} lines",
            )
        )
    figs.append(
        figure(
            "real models",
            "worst HTML bytes per model parameter (any view, any model)",
            worst[0],
            "B",
            HTML_BYTES_PER_PARAM,
            note=worst[1],
        )
    )
    return figs, raw


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and nbval runs")
    parser.add_argument(
        "--only",
        choices=["nbval", "jaxpr", "import", "timeit", "search", "models", "progress"],
        action="append",
        help="run only these parts (repeatable); the report then holds only them",
    )
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder for report.md/.json")
    args = parser.parse_args(argv)
    parts = {
        "import": bench_import,
        "jaxpr": bench_jaxpr,
        "timeit": bench_timeit,
        "search": bench_search,
        "models": bench_models,
        "nbval": bench_nbval,
        "progress": bench_progress,
    }
    chosen = args.only or list(parts)
    start = time.perf_counter()
    load0 = _loadavg()
    figs: list[dict] = []
    raw: dict[str, Any] = {}
    for name in parts:
        if name not in chosen:
            continue
        print(f"benchmark: {name} ...", flush=True)
        t = time.perf_counter()
        part_figs, part_raw = parts[name](args.quick)
        figs += part_figs
        raw[name] = part_raw
        print(f"  done in {time.perf_counter() - t:.0f} s", flush=True)
    import jax

    report = {
        "quick": args.quick,
        "seconds": time.perf_counter() - start,
        "environment": {
            "cpus": os.cpu_count(),
            "loadavg_start": load0,
            "loadavg_end": _loadavg(),
            "python": platform.python_version(),
            "jax": jax.__version__,
            "backend": jax.default_backend(),
        },
        "figures": figs,
        "raw": raw,
        "notes": [],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (args.out / "report.md").write_text(markdown(report), encoding="utf-8")
    for f in figs:
        met = {True: "met", False: "MISSED", None: ""}[f["met"]]
        print(f"{f['name']}: {_fmt(f['value'], f['unit'])} {f['target_text']} {met}".rstrip())
    print(f"reports: {args.out / 'report.md'}, {args.out / 'report.json'}")
    return 0


def _loadavg() -> str:
    try:
        return ", ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:  # pragma: no cover - not on every platform
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
