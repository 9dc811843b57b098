"""``python -m jaxscope cheatsheet search|show|export``: terminal output, exit codes, and one
self-contained printable HTML page that is never overwritten by accident."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from jaxscope import cheatsheet as cs
from jaxscope.__main__ import main


def run(capsys, *argv):
    code = main(["cheatsheet", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("words", "want"),
    [
        (["split", "a", "key"], "split"),
        (["why", "does", "my", "function", "recompile"], "retracing"),
        (["nan", "gradient", "where"], "nan-safe-where"),
        (["vmpa", "over", "a", "batch"], "vmap-basics"),
    ],
)
def test_search_prints_the_best_matches(capsys, words, want):
    code, out, _ = run(capsys, "search", *words)
    assert code == 0
    assert f"[{want}]" in out
    first = re.search(r"^ 1\. \[[a-z0-9-]+\] .+ \(table \d+, score \d+\.\d\d\)$", out, re.M)
    assert first, out[:300]
    assert "    • " in out and "notebook: " in out  # first bullet and the notebook section
    assert "    why: " in out  # every hit says why it matched


def test_search_reads_a_pasted_error(capsys):
    code, out, _ = run(
        capsys, "search", "jax.errors.UnexpectedTracerError: Encountered an unexpected tracer."
    )
    assert code == 0
    assert out.splitlines()[1].startswith(" 1. [leaked-tracers]")
    assert "why: the error coach explains UnexpectedTracerError" in out


def test_search_reads_a_traceback_from_stdin(capsys, monkeypatch):
    import io

    traceback = (
        "---------------------------------------------------------------------------\n"
        "NonConcreteBooleanIndexError              Traceback (most recent call last)\n"
        "Cell In[4], line 1\n"
        "----> 1 positive(jnp.arange(5))\n\n"
        "NonConcreteBooleanIndexError: Array boolean indices must be concrete; got bool[5]\n"
    )
    monkeypatch.setattr(sys, "stdin", io.StringIO(traceback))
    code, out, _ = run(capsys, "search", "-")
    assert code == 0
    assert out.startswith("Cheat-sheet search: '---")
    assert out.splitlines()[1].startswith(" 1. [masking-where]")


def test_search_in_one_table(capsys):
    code, out, _ = run(capsys, "search", "--table", "10", "loop")
    assert code == 0 and "in table 10" in out
    assert set(re.findall(r"\(table (\d+),", out)) == {"10"}


def test_search_without_matches_or_words(capsys):
    code, out, _ = run(capsys, "search", "qqqzzz")
    assert code == 1 and "no matches" in out
    code, _, err = run(capsys, "search", "  ")
    assert code == 2 and "give a few words" in err


def test_show_prints_a_table(capsys):
    code, out, _ = run(capsys, "show", "1")
    assert code == 0
    assert out.startswith("Table 1: Core Concepts and Functional Programming")
    ids = re.findall(r"^\[([a-z0-9-]+)\] ", out, re.M)
    assert ids == [c.id for c in cs.tables()[0].concepts] and len(ids) == 8


@pytest.mark.parametrize("n", ["0", "21", "x", "-1", "1.5"])
def test_show_rejects_bad_numbers(capsys, n):
    code, out, err = run(capsys, "show", n)
    assert code == 2 and out == ""
    assert "give a number from 1 to 20" in err


def test_bad_table_number_from_a_shell_has_no_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "jaxscope", "cheatsheet", "show", "99"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "no table '99'" in proc.stderr


def test_export_writes_one_self_contained_printable_page(capsys, tmp_path):
    target = tmp_path / "cheatsheet.html"
    code, out, _ = run(capsys, "export", str(target))
    assert code == 0 and str(target) in out
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    for c in cs.concepts():
        assert f'id="{c.id}"' in page, c.id
    assert len(re.findall(r'<div class="jxs-explorer-card" id="', page)) == 141
    lowered = page.lower()
    for banned in ("http://", "https://", "src=", "<script", "<link", "@import", "url("):
        assert banned not in lowered, banned
    assert "@media print" in page and "<style>" in page
    assert [p.name for p in tmp_path.iterdir()] == ["cheatsheet.html"]  # no temp file left


def test_export_refuses_to_overwrite_without_force(capsys, tmp_path):
    target = tmp_path / "mine.html"
    target.write_text("my notes", encoding="utf-8")
    code, _, err = run(capsys, "export", str(target))
    assert code == 2 and "--force" in err
    assert target.read_text(encoding="utf-8") == "my notes"
    code, _, _ = run(capsys, "export", "--force", str(target))
    assert code == 0 and target.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_export_to_a_missing_folder_or_a_folder(capsys, tmp_path):
    code, _, err = run(capsys, "export", str(tmp_path / "nope" / "x.html"))
    assert code == 2 and "does not exist" in err
    code, _, err = run(capsys, "export", str(tmp_path))
    assert code == 2 and "folder" in err


def test_export_html_function(tmp_path):
    path = cs.export_html(tmp_path / "a.html")
    assert path.is_file()
    with pytest.raises(FileExistsError):
        cs.export_html(path)
    assert cs.export_html(path, force=True) == path
