"""The cheat-sheet explorer: the static page holds the whole sheet (141 cards, 20 tables, links to
notebook sections), everything is escaped, and the widget's kernel side answers queries and runs
examples without raising."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

import jaxscope as js
from jaxscope import _cheatsheet as cs
from jaxscope import _explorer as ex
from jaxscope._view import STATIC, stylesheet
from jaxscope._widget import ViewWidget

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
HOSTILE = '<script>alert(1)</script>"><img onerror=x>'


@pytest.fixture(scope="module")
def view():
    return js.cheatsheet.explorer()


def test_explorer_is_a_view_with_its_module(view):
    assert isinstance(view, ex.ExplorerView)
    assert view.kind == "explorer" and view.esm == "explorer.js"
    assert (STATIC / "explorer.js").is_file()
    assert view.html().startswith('<div class="jxs jxs-explorer">')


def test_static_html_holds_every_concept_and_table(view):
    html = view.html()
    for c in cs.concepts():
        assert f'id="explorer-{c.id}"' in html, c.id
        assert f'data-id="{c.id}"' in html
    for t in cs.tables():
        assert f'id="explorer-table-{t.n}"' in html
        assert f"Table {t.n}: " in html
    assert html.count('class="jxs-explorer-card"') == 141
    assert html.count('class="jxs-explorer-table"') == 20
    assert html.count('<pre class="jxs-explorer-example">') == 141


def test_links_point_to_notebook_sections(view):
    html = view.html()
    links = re.findall(r'href="([^"#]*\.ipynb)#([^"]+)"', html)
    assert len(links) == 141
    by_id = {c.id: c for c in cs.concepts()}
    tables = {t.n: t for t in cs.tables()}
    for name, anchor in links:
        assert re.fullmatch(r"\d\d-[a-z0-9-]+\.ipynb", name), name
        assert name == Path(tables[by_id[anchor].table].notebook).name


def test_notebooks_that_exist_carry_the_anchors():
    checked = 0
    for t in cs.tables():
        path = NOTEBOOKS / Path(t.notebook).name
        if not path.is_file():
            continue  # notebooks for later tables are still being written
        nb = json.loads(path.read_text(encoding="utf-8"))
        markdown = "\n".join(
            "".join(cell["source"]) for cell in nb["cells"] if cell["cell_type"] == "markdown"
        )
        for c in t.concepts:
            assert f'<a id="{c.id}"></a>' in markdown, f"{path.name} lacks the anchor {c.id}"
        checked += 1
    assert checked >= 1


def test_text_lists_tables_or_matches(view):
    text = view.text()
    assert text.startswith("JAX cheat sheet: 20 tables, 141 concepts")
    assert " 1. Core Concepts and Functional Programming" in text and "20. " in text
    one = js.cheatsheet.explorer(table=4).text()
    assert "[split] Splitting keys" in one and "[jit-basics]" not in one
    found = js.cheatsheet.explorer("split a key").text()
    assert found.startswith("Cheat-sheet search: 'split a key'")
    assert " 1. [split] Splitting keys" in found and "04-random-numbers.ipynb#split" in found


def test_query_shows_ranked_result_cards_above_the_sheet():
    v = ex.explorer("nan gradient where", table=15)
    d = v.data
    assert d["results"][0]["id"] == "nan-safe-where"
    assert all(r["table"] == 15 for r in d["results"])
    assert set(d["results"][0]) >= {"id", "title", "table", "score", "example", "bullets", "link"}
    html = v.html()
    assert html.index('class="jxs-explorer-results"') < html.index('class="jxs-explorer-sheet"')
    assert '<span class="jxs-explorer-rank">1.</span>' in html


def test_html_is_deterministic():
    assert ex.explorer("for loop").html() == ex.explorer("for loop").html()
    assert ex.export_page() == ex.export_page()


def test_hostile_strings_are_escaped(monkeypatch):
    real = cs.tables()
    first = real[0]
    bad = dataclasses.replace(
        first.concepts[0], title=HOSTILE, example=f"print('{HOSTILE}')\n", description=(HOSTILE,)
    )
    patched = [dataclasses.replace(first, title=HOSTILE, focus=HOSTILE)] + real[1:]
    patched[0] = dataclasses.replace(patched[0], concepts=(bad, *first.concepts[1:]))
    monkeypatch.setattr(ex, "tables", lambda: patched)
    for html in (ex.explorer().html(), ex.explorer(HOSTILE).html(), ex.export_page()):
        assert "<script>" not in html and "<img" not in html
        assert "&lt;script&gt;" in html


def test_bad_arguments():
    with pytest.raises(TypeError, match="query"):
        js.cheatsheet.explorer(3)
    with pytest.raises(ValueError, match="table"):
        js.cheatsheet.explorer(table=21)
    with pytest.raises(TypeError, match="table"):
        js.cheatsheet.explorer(table="2")


def test_widget_answers_queries_in_the_kernel():
    w = ex.explorer().widget()
    assert isinstance(w, ViewWidget) and type(w).__name__ == "ExplorerWidget"
    assert w.html == ex.explorer().html() and w.results == []
    assert [t["n"] for t in w.data["tables"]] == list(range(1, 21))
    w.query = "split a key"  # the browser sets the trait; the observer fills results
    assert w.results[0]["id"] == "split"
    w.query = "loop"
    w.table = 10
    w.view.on_widget_change(w, "table", 10)  # the handler called directly gives the same answer
    assert w.results and all(r["table"] == 10 for r in w.results)
    w.query, w.table = "for loop", 0
    assert w.results[0]["id"] == "fori-loop"
    json.dumps(w.results)  # small, JSON-safe state
    assert set(w.results[0]) <= {
        "id",
        "title",
        "table",
        "score",
        "example",
        "bullets",
        "link",
        "needs",
        "why",
    }
    assert w.results[0]["why"]  # every hit says why it matched
    w.query = "   "
    assert w.results == []


def test_widget_opened_on_a_query_starts_with_its_results():
    w = ex.explorer("print inside jit").widget()
    assert w.query == "print inside jit" and w.results[0]["id"] == "debug-print"


def test_run_request_runs_the_example_in_the_kernel():
    w = ex.explorer().widget()
    w.run_request = {"id": "immutable-arrays", "n": 1}
    out = w.run_output
    assert out["id"] == "immutable-arrays" and out["n"] == 1
    assert out["error"] == "" and "10." in out["output"]
    w.run_request = {"id": "immutable-arrays", "n": 2}  # the counter makes a re-run a change
    assert w.run_output["n"] == 2


def test_a_failing_example_reports_an_error_not_an_exception(monkeypatch):
    broken = dataclasses.replace(
        cs.concept("pure-functions"), example="raise RuntimeError('boom')\n"
    )
    monkeypatch.setattr(ex, "concept", lambda cid: broken)
    w = ex.explorer().widget()
    w.run_request = {"id": "pure-functions", "n": 1}
    assert "boom" in w.run_output["error"] and w.run_output["id"] == "pure-functions"


def test_unknown_ids_and_empty_requests_do_not_raise():
    out = ex.run_card("no-such-concept")
    assert out["error"].startswith("KeyError") and out["output"] == ""
    w = ex.explorer().widget()
    w.run_request = {"n": 1}
    assert w.run_output == {}


def test_explorer_js_and_css():
    source = (STATIC / "explorer.js").read_text(encoding="utf-8")
    assert source.startswith("/**\n * @fileoverview")
    assert "export default" in source and "save_changes" in source
    assert "http" not in source and "import " not in source
    for trait in ("query", "table", "results", "run_request", "run_output"):
        assert f'"{trait}"' in source or f"change:{trait}" in source
    css = stylesheet(*ex.ExplorerView.styles)
    assert ".jxs-explorer-card{" in css and ".jxs-explorer-run{" in css
