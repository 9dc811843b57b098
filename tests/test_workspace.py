"""The learner workspace: stubs in place of solutions, learner edits never overwritten, resets
backed up, atomic writes."""

from __future__ import annotations

import os
import re
import stat

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from jaxscope import _workspace
from jaxscope.__main__ import main
from jaxscope._solution_cells import replace_solution
from jaxscope._workspace import MANIFEST, generate, sha256
from jaxscope.exercises import get

EX = "t01-immutable-arrays-1"
SOLUTION = (
    "# set x[0] to v\n### BEGIN SOLUTION\n"
    "def set_first(x, v):\n    return x.at[0].set(v)\n### END SOLUTION"
)


def _out(text: str, n: int):
    return new_output("execute_result", {"text/plain": text}, execution_count=n)


def make_source(folder, name="01-core-concepts.ipynb", intro="import jaxscope as js"):
    """A tiny course notebook with one exercise; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("# Core concepts"),
        new_code_cell(intro, execution_count=1, outputs=[_out("intro", 1)]),
        new_code_cell(SOLUTION, execution_count=2, outputs=[_out("defined", 2)]),
        new_code_cell(f'js.check("{EX}", set_first)', execution_count=3, outputs=[_out("ok", 3)]),
        new_code_cell("1 + 1", execution_count=4, outputs=[_out("2", 4)]),
    ]
    path = folder / name
    nbformat.write(nb, path)
    return path


@pytest.fixture
def course(tmp_path):
    src = tmp_path / "notebooks"
    make_source(src)
    return src, tmp_path / "workspace"


def read(path):
    return nbformat.read(path, as_version=4)


def test_generation_replaces_solutions_and_clears_exercise_outputs(course):
    src, ws = course
    report = generate(src, ws)
    assert report.created == ["01-core-concepts.ipynb", "conftest.py"] and not report.errors
    nb = read(ws / "01-core-concepts.ipynb")
    sol, chk, other = nb.cells[2], nb.cells[3], nb.cells[4]
    assert sol.source == "# set x[0] to v\n" + get(EX).starting_code.rstrip("\n")
    assert "BEGIN SOLUTION" not in sol.source and "at[0]" not in sol.source
    assert sol.outputs == [] and sol.execution_count is None
    assert chk.outputs == [] and chk.execution_count is None
    assert chk.source == f'js.check("{EX}", set_first)'
    assert other.outputs[0]["data"]["text/plain"] == "2" and other.execution_count == 4
    assert nb.cells[1].outputs and nb.cells[0].source == "# Core concepts"
    manifest = (ws / MANIFEST).read_text()
    assert sha256((ws / "01-core-concepts.ipynb").read_bytes()) in manifest
    assert "JAXSCOPE_STRICT" in (ws / "conftest.py").read_text()


def test_regeneration_is_idempotent(course):
    src, ws = course
    generate(src, ws)
    before = (ws / "01-core-concepts.ipynb").read_bytes()
    report = generate(src, ws)
    assert report.unchanged == ["01-core-concepts.ipynb", "conftest.py"]
    assert (ws / "01-core-concepts.ipynb").read_bytes() == before


def test_stub_keeps_the_indentation_of_the_block():
    src = (
        "class A:\n    ### BEGIN SOLUTION\n    def f(self):\n        return 1\n    ### END SOLUTION"
    )
    out = replace_solution(src, "def f(self):\n    raise NotImplementedError\n")
    assert out == "class A:\n    def f(self):\n        raise NotImplementedError"


def test_source_change_updates_untouched_copies_and_spares_edited_ones(course):
    src, ws = course
    generate(src, ws)
    make_source(src, "02-arrays-dtypes.ipynb")
    edited = ws / "01-core-concepts.ipynb"
    nb = read(edited)
    nb.cells[2].source = "def set_first(x, v):\n    return x.at[0].set(v)  # mine"
    nbformat.write(nb, edited)
    mine = edited.read_bytes()
    make_source(src, intro="import jaxscope as js  # new intro")  # the course moved on

    report = generate(src, ws)
    assert edited.read_bytes() == mine
    assert report.created == ["01-core-concepts.updated.ipynb", "02-arrays-dtypes.ipynb"]
    assert report.kept == [
        "01-core-concepts.ipynb (edited; the new version is in 01-core-concepts.updated.ipynb)"
    ]
    assert "# new intro" in read(ws / "01-core-concepts.updated.ipynb").cells[1].source

    make_source(src, "02-arrays-dtypes.ipynb", intro="import jaxscope as js  # v2")
    report = generate(src, ws)
    assert report.updated == ["02-arrays-dtypes.ipynb"]
    assert edited.read_bytes() == mine
    assert report.kept[0].startswith("01-core-concepts.ipynb (edited; the new version is in")
    assert "01-core-concepts.updated.ipynb" in report.unchanged


def test_unknown_file_at_a_generated_name_is_not_overwritten(course):
    src, ws = course
    ws.mkdir()
    (ws / "01-core-concepts.ipynb").write_text("my own notes")
    report = generate(src, ws)
    assert (ws / "01-core-concepts.ipynb").read_text() == "my own notes"
    assert report.kept[0].startswith("01-core-concepts.ipynb (edited")


def test_deleted_copy_is_regenerated(course):
    src, ws = course
    generate(src, ws)
    (ws / "01-core-concepts.ipynb").unlink()
    report = generate(src, ws)
    assert report.restored == ["01-core-concepts.ipynb"]
    assert (ws / "01-core-concepts.ipynb").exists()


def test_renamed_copy_is_left_alone_and_a_fresh_one_generated(course):
    src, ws = course
    generate(src, ws)
    mine = read(ws / "01-core-concepts.ipynb")
    mine.cells[2].source = "def set_first(x, v):\n    return x.at[0].set(v)  # mine"
    nbformat.write(mine, ws / "01-my-work.ipynb")
    (ws / "01-core-concepts.ipynb").unlink()  # the rename: only the new name is left
    before = (ws / "01-my-work.ipynb").read_bytes()

    report = generate(src, ws)
    assert (ws / "01-my-work.ipynb").read_bytes() == before
    assert report.restored == ["01-core-concepts.ipynb"]
    assert "restored (was missing: deleted or renamed): 01-core-concepts.ipynb" in report.text()
    assert "01-my-work.ipynb (holds the exercises of 01-core-concepts.ipynb" in report.text()
    assert "01-my-work.ipynb" not in _workspace._read_manifest(ws)

    again = generate(src, ws)  # nothing new to say once the fresh copy is back
    assert (ws / "01-my-work.ipynb").read_bytes() == before and not again.kept


def test_renamed_copy_without_exercises_is_not_mentioned(course):
    src, ws = course
    generate(src, ws)
    (ws / "01-core-concepts.ipynb").rename(ws / "notes.ipynb")
    read_back = read(ws / "notes.ipynb")
    read_back.cells = read_back.cells[:2]
    nbformat.write(read_back, ws / "notes.ipynb")
    (ws / "broken.ipynb").write_text("{ not json")
    report = generate(src, ws)
    assert report.restored == ["01-core-concepts.ipynb"] and not report.kept
    assert (ws / "broken.ipynb").read_text() == "{ not json"


def test_reset_keeps_a_timestamped_backup(course, capsys):
    src, ws = course
    generate(src, ws)
    edited = ws / "01-core-concepts.ipynb"
    fresh = edited.read_bytes()
    edited.write_bytes(fresh.replace(b"your code here", b"half done"))
    mine = edited.read_bytes()

    assert (
        main(["workspace", "--source", str(src), "--dest", str(ws), "--reset", "01-core-concepts"])
        == 0
    )
    assert (
        "backed up: 01-core-concepts.ipynb -> .backups/01-core-concepts." in capsys.readouterr().out
    )
    assert edited.read_bytes() == fresh
    backups = list((ws / ".backups").iterdir())
    assert len(backups) == 1
    assert re.fullmatch(r"01-core-concepts\.\d{8}-\d{6}\.ipynb", backups[0].name)
    assert backups[0].read_bytes() == mine
    # a second reset in the same second gets its own backup
    generate(src, ws, reset="01-core-concepts.ipynb")
    assert len(list((ws / ".backups").iterdir())) == 2
    # a later regeneration treats the reset copy as untouched
    assert generate(src, ws).unchanged == ["01-core-concepts.ipynb", "conftest.py"]


def test_reset_of_an_unknown_notebook_is_refused(course, capsys):
    src, ws = course
    assert main(["workspace", "--source", str(src), "--dest", str(ws), "--reset", "nope"]) == 2
    assert "no such notebook" in capsys.readouterr().err


def test_failed_write_leaves_the_old_file_intact(course, monkeypatch):
    src, ws = course
    generate(src, ws)
    target = ws / "01-core-concepts.ipynb"
    old = target.read_bytes()
    make_source(src, intro="import jaxscope as js  # changed")

    def broken(fh, data):
        fh.write(data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_workspace, "_write_bytes", broken)
    report = generate(src, ws)
    assert target.read_bytes() == old
    assert any("No space left" in e for e in report.errors)
    assert not [p for p in ws.iterdir() if p.name.endswith(".tmp")]

    monkeypatch.undo()
    report = generate(src, ws)  # the manifest still names the old hash: a normal update
    assert report.updated == ["01-core-concepts.ipynb"]


def test_read_only_copy_is_left_alone(course):
    src, ws = course
    generate(src, ws)
    target = ws / "01-core-concepts.ipynb"
    old = target.read_bytes()
    os.chmod(target, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        make_source(src, intro="import jaxscope as js  # changed")
        report = generate(src, ws)
        assert target.read_bytes() == old
        assert report.kept == [
            "01-core-concepts.ipynb (read-only; the new version is in "
            "01-core-concepts.updated.ipynb)"
        ]
        assert not report.errors
    finally:
        os.chmod(target, stat.S_IRUSR | stat.S_IWUSR)


def test_malformed_source_notebooks_are_reported(tmp_path):
    src = tmp_path / "notebooks"
    make_source(src)
    nb = read(src / "01-core-concepts.ipynb")
    nb.cells[3].source = "print('no check here')"
    nbformat.write(nb, src / "01-core-concepts.ipynb")
    with pytest.raises(ValueError, match=r"cell 2: a solution cell must be followed"):
        generate(src, tmp_path / "ws")
    nb.cells[3].source = 'js.check("t01-nope-1", set_first)'
    nbformat.write(nb, src / "01-core-concepts.ipynb")
    with pytest.raises(ValueError, match=r"cell 3: unknown exercise id 't01-nope-1'"):
        generate(src, tmp_path / "ws")
    with pytest.raises(ValueError, match="END SOLUTION"):
        replace_solution("### BEGIN SOLUTION\nx = 1", "x = ...")
    with pytest.raises(ValueError, match="not a folder"):
        generate(tmp_path / "missing", tmp_path / "ws")


def _trusted(path) -> bool:
    from nbformat.sign import NotebookNotary

    return NotebookNotary().check_signature(read(path))


def test_generated_notebooks_are_trusted_and_edited_ones_are_not(course):
    """Stored views carry inline styles, which JupyterLab strips from untrusted outputs."""
    src, ws = course
    report = generate(src, ws)
    target = ws / "01-core-concepts.ipynb"
    assert _trusted(target) and not report.warnings
    nb = read(target)
    nb.cells[-1].source = "2 + 2"
    nbformat.write(nb, target)
    assert not _trusted(target)
    make_source(src, intro="import jaxscope as js  # changed")
    generate(src, ws)
    assert _trusted(ws / "01-core-concepts.updated.ipynb")
    assert not _trusted(target)


def test_no_trust_leaves_notebooks_untrusted(course, capsys):
    src, ws = course
    assert main(["workspace", "--source", str(src), "--dest", str(ws), "--no-trust"]) == 0
    assert not _trusted(ws / "01-core-concepts.ipynb")


def test_unwritable_signature_store_is_a_note_not_a_failure(course, tmp_path, monkeypatch, capsys):
    src, ws = course
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the Jupyter data folder should be")
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(blocker / "jupyter"))
    assert main(["workspace", "--source", str(src), "--dest", str(ws)]) == 0
    out = capsys.readouterr().out
    assert "created: 01-core-concepts.ipynb" in out
    assert "note: could not mark the notebooks trusted" in out
    assert read(ws / "01-core-concepts.ipynb").cells
