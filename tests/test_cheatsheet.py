"""The cheat sheet as data: it validates, agrees with the curriculum, renders, and every example
runs (in one subprocess with 8 simulated CPU devices)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from jaxscope import _cheatsheet as cs

TABLE1_IDS = [
    "pure-functions",
    "immutable-arrays",
    "jax-numpy",
    "jax-array",
    "explicit-state",
    "explicit-prng",
    "tracers",
    "static-vs-traced",
]

# Runs every example in a fresh namespace; 8 CPU devices are configured before JAX initialises.
RUNNER = r"""
import json, sys
import jax
jax.config.update("jax_num_cpu_devices", 8)
from jaxscope import _cheatsheet as cs
report = {"ok": [], "skipped": [], "failed": {}}
for c in cs.concepts():
    if cs.missing_requirements(c):
        report["skipped"].append(c.id)
        continue
    try:
        cs.run_example(c)
        report["ok"].append(c.id)
    except Exception as exc:
        report["failed"][c.id] = f"{type(exc).__name__}: {exc}"[:2000]
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump(report, f)
"""


@pytest.fixture(scope="module")
def example_report(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("examples") / "report.json"
    env = dict(os.environ, JAX_PLATFORMS="cpu", PYTHONHASHSEED="0")
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,  # every example of the sheet; generous for a loaded 2-core machine
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture
def sheet_copy(tmp_path, monkeypatch) -> Path:
    """A writable copy of cheatsheet/ plus a curriculum.yml made from the real data."""
    folder = tmp_path / "cheatsheet"
    shutil.copytree(cs.cheatsheet_dir(), folder)
    curriculum = {
        "tables": [
            {
                "n": t.n,
                "slug": t.slug,
                "title": t.title,
                "concepts": [
                    {"id": c.id, "title": c.title, "apis": list(c.apis)} for c in t.concepts
                ],
            }
            for t in cs.load()
        ]
    }
    path = tmp_path / "curriculum.yml"
    path.write_text(yaml.safe_dump(curriculum, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("JAXSCOPE_CURRICULUM", str(path))
    return folder


def _edit(path: Path, fn) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


# --- the data ------------------------------------------------------------------------------------
def test_validate_finds_no_problems():
    assert cs.validate() == []


def test_counts_and_order():
    tables = cs.load()
    assert [t.n for t in tables] == list(range(1, 21))
    assert sum(len(t.concepts) for t in tables) == 141
    assert [c.id for c in tables[0].concepts] == TABLE1_IDS
    assert tables[0].notebook == "notebooks/01-core-concepts.ipynb"
    assert len({c.id for c in cs.concepts()}) == 141


def test_agrees_with_curriculum_when_present():
    path = cs.curriculum_path()
    if path is None:
        pytest.skip("shared/curriculum.yml not beside this checkout")
    ref = yaml.safe_load(path.read_text(encoding="utf-8"))["tables"]
    mine = cs.load()
    assert [(t["n"], t["slug"], t["title"]) for t in ref] == [(t.n, t.slug, t.title) for t in mine]
    for rt, t in zip(ref, mine, strict=True):
        assert [(c["id"], c["title"]) for c in rt["concepts"]] == [
            (c.id, c.title) for c in t.concepts
        ]


def test_examples_all_run(example_report):
    assert example_report["failed"] == {}
    assert len(example_report["ok"]) + len(example_report["skipped"]) == 141


def test_only_examples_with_missing_requirements_are_skipped(example_report):
    expected = {c.id for c in cs.concepts() if cs.missing_requirements(c)}
    assert set(example_report["skipped"]) == expected
    assert all(cs.concept(i).requires for i in example_report["skipped"])
    # the pure-JAX examples can never be skipped
    assert {c.id for c in cs.concepts() if not c.requires} <= set(example_report["ok"])


# --- the view ------------------------------------------------------------------------------------
def test_table_view_text_and_html():
    view = cs.table(1)
    assert view.kind == "cheatsheet"
    text, html = view.text(), view.html()
    for c in cs.load()[0].concepts:
        assert c.title in text
        assert cs.esc(c.title) in html
        assert f'id="cheatsheet-{c.id}"' in html
    assert "<th>Concept</th><th>Example</th><th>Description</th>" in html
    assert "<pre><code>" in html and "<ul><li>" in html
    assert text == cs.table(1).text() and html == cs.table(1).html()  # deterministic
    assert "0x" not in text


def test_every_table_renders():
    for n in range(1, 21):
        view = cs.table(n)
        assert view.text().startswith(f"Table {n}: ")
        assert view.html().count("<tr id=") == len(cs.load()[n - 1].concepts)


def test_html_escapes_hostile_content():
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    concept = cs.Concept(
        id="evil",
        title=evil,
        apis=(evil,),
        example=f"print({evil!r})\n",
        description=(evil, "fine"),
        table=1,
    )
    table = cs.Table(n=1, slug="evil", title=evil, focus=evil, notebook=evil, concepts=(concept,))
    html = cs.TableView(cs.table_data(table)).html()
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img" in html


# --- bad input -----------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [0, 21, -1])
def test_table_out_of_range(n):
    with pytest.raises(ValueError, match="1 to 20"):
        cs.table(n)


@pytest.mark.parametrize("n", ["x", 1.0, True, None])
def test_table_wrong_type(n):
    with pytest.raises(TypeError, match="1 to 20"):
        cs.table(n)


def test_concept_lookup():
    assert cs.concept("tracers").table == 1
    assert cs.concept("01/tracers").id == "tracers"
    with pytest.raises(KeyError, match="pure-functions"):
        cs.concept("pure-function")
    with pytest.raises(KeyError):
        cs.concept("02/tracers")
    with pytest.raises(TypeError):
        cs.concept(3)


def test_run_example_captures_stdout_and_names_failures():
    ok = cs.Concept("demo", "Demo", (), "print('hi', 1 + 1)\n", ("a", "b"), table=1)
    assert cs.run_example(ok) == "hi 2\n"
    bad = cs.Concept("broken-demo", "Broken", (), "1 / 0\n", ("a", "b"), table=1)
    with pytest.raises(cs.ExampleError, match="broken-demo.*ZeroDivisionError"):
        cs.run_example(bad)
    missing = cs.Concept("needs", "Needs", (), "pass\n", ("a", "b"), 1, requires=("no_such_mod",))
    with pytest.raises(cs.ExampleError, match="needs.*no_such_mod"):
        cs.run_example(missing)


# --- the validator -------------------------------------------------------------------------------
def test_validator_accepts_clean_copy(sheet_copy):
    assert cs.validate(sheet_copy) == []


def test_validator_catches_duplicate_id(sheet_copy):
    _edit(sheet_copy / "02-arrays-dtypes.yml", lambda d: d["concepts"][0].update(id="tracers"))
    problems = cs.validate(sheet_copy)
    assert any("duplicate id" in p and "tracers" in p for p in problems), problems
    with pytest.raises(ValueError, match="problem"):
        cs.load(sheet_copy)


def test_validator_catches_missing_key(sheet_copy):
    _edit(sheet_copy / "03-indexing-updates.yml", lambda d: d["concepts"][1].pop("example"))
    problems = cs.validate(sheet_copy)
    assert any("missing key 'example'" in p for p in problems), problems


def test_validator_catches_wrong_title(sheet_copy):
    _edit(sheet_copy / "01-core-concepts.yml", lambda d: d["concepts"][2].update(title="Numpy"))
    problems = cs.validate(sheet_copy)
    assert any("jax-numpy" in p and "title" in p for p in problems), problems


def test_validator_catches_schema_and_numbering(sheet_copy):
    _edit(sheet_copy / "04-random-numbers.yml", lambda d: d["concepts"][0].update(description="x"))
    (sheet_copy / "20-interop-advanced.yml").unlink()
    _edit(sheet_copy / "05-jit.yml", lambda d: d.update(notebook="notebooks/jit.ipynb"))
    problems = cs.validate(sheet_copy)
    assert any("'description' must be list" in p for p in problems), problems
    assert any("missing [20]" in p for p in problems), problems
    assert any("notebooks/05-jit.ipynb" in p for p in problems), problems


def test_public_facade_names_the_cheat_sheet_api():
    """``js.cheatsheet`` is a public module: its ``__all__`` names search, explorer and export
    along with the data functions, each the very object the private modules define."""
    import jaxscope as js
    from jaxscope import _explorer, _search

    facade = js.cheatsheet
    assert facade.__name__ == "jaxscope.cheatsheet"
    star: dict = {}
    exec("from jaxscope.cheatsheet import *", star)
    assert set(star) - {"__builtins__"} == set(facade.__all__)
    assert facade.search is _explorer.search and facade.explorer is _explorer.explorer
    assert facade.SearchHit is _search.SearchHit
    assert facade.table is cs.table and facade.validate is cs.validate
    assert {"table", "search", "explorer", "export_html", "concept"} <= set(facade.__all__)
    assert [h.concept.id for h in facade.search("split a key", limit=1)]
