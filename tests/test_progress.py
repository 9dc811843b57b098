"""The curriculum check: progress per table from a progress file, and one end-to-end run of the
CLI (and of the workspace's own conftest) on a tiny workspace."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from jaxscope.__main__ import main
from jaxscope._progress import read_progress, render, summarize
from jaxscope._workspace import generate
from jaxscope.exercises import get

IDS = ["t01-pure-functions-1", "t01-immutable-arrays-1", "t01-explicit-state-1"]


def _checks_notebook(path, ids):
    nb = new_notebook()
    nb.cells = [new_code_cell("import jaxscope as js")]
    nb.cells += [new_code_cell(f'js.check("{i}", answer)') for i in ids]
    nbformat.write(nb, path)


def test_read_progress_keeps_the_last_record_but_a_pass_stands(tmp_path):
    path = tmp_path / "p.jsonl"
    records = [(IDS[0], "failed"), (IDS[0], "passed"), (IDS[0], "not attempted")]
    records += [(IDS[1], "passed"), (IDS[1], "failed"), (IDS[2], "failed"), (IDS[2], "not run")]
    path.write_text("".join(json.dumps({"id": i, "status": s}) + "\n" for i, s in records))
    assert read_progress(path) == {IDS[0]: "passed", IDS[1]: "passed", IDS[2]: "not run"}


def test_a_renamed_copy_beside_a_fresh_one_counts_each_exercise_once(tmp_path):
    _checks_notebook(tmp_path / "01-core-concepts.ipynb", IDS)
    _checks_notebook(tmp_path / "01-my-work.ipynb", IDS[:2])
    model = summarize(tmp_path, {IDS[0]: "passed"})
    assert (model["passed"], model["total"]) == (1, 3)
    assert [e["id"] for e in model["tables"][0]["exercises"]] == IDS


def test_read_progress_skips_junk(tmp_path):
    path = tmp_path / "p.jsonl"
    lines = [
        json.dumps({"id": IDS[0], "status": "failed"}),
        "not json",
        json.dumps([1, 2]),
        json.dumps({"id": IDS[0], "status": "passed"}),
        json.dumps({"id": IDS[1], "status": "not attempted"}),
    ]
    path.write_text("\n".join(lines) + "\n")
    assert read_progress(path) == {IDS[0]: "passed", IDS[1]: "not attempted"}
    assert read_progress(tmp_path / "missing.jsonl") == {}


def test_summary_per_table_and_what_to_do_next(tmp_path):
    _checks_notebook(tmp_path / "01-core-concepts.ipynb", IDS)
    _checks_notebook(tmp_path / "02-arrays-dtypes.ipynb", ["t02-made-up-1"])
    (tmp_path / "01-core-concepts.updated.ipynb").write_text("ignored")
    statuses = {IDS[0]: "passed", IDS[1]: "failed"}
    model = summarize(tmp_path, statuses)
    assert [(t["table"], t["passed"], t["total"]) for t in model["tables"]] == [
        (1, 1, 3),
        (2, 0, 1),
    ]
    assert model["next"]["id"] == IDS[1]
    assert render(model) == (
        "Exercises passed: 1 of 4\n"
        "  table 01  01-core-concepts.ipynb  1/3  [#..]\n"
        "  table 02  02-arrays-dtypes.ipynb  0/1  [.]\n"
        f"Next: table 01, exercise {IDS[1]} ({get(IDS[1]).title}): failed"
    )
    done = summarize(tmp_path, {i: "passed" for i in [*IDS, "t02-made-up-1"]})
    assert done["next"] is None
    assert render(done).endswith("All exercises passed. Well done!")
    assert "[###]  done" in render(done)
    assert render(summarize(tmp_path / "empty", {})).startswith("No exercises found")


def _tiny_workspace(tmp_path):
    """A workspace made from one course notebook with one exercise; returns (ws, solution)."""
    src, ws = tmp_path / "notebooks", tmp_path / "workspace"
    src.mkdir()
    nb = new_notebook()
    solution = get("t01-immutable-arrays-1").reference
    nb.cells = [
        new_code_cell("import jaxscope as js"),
        new_code_cell(f"### BEGIN SOLUTION\n{solution}### END SOLUTION"),
        new_code_cell('js.check("t01-immutable-arrays-1", set_first)'),
        new_code_cell("print('the rest still runs')"),
    ]
    nbformat.write(nb, src / "01-core-concepts.ipynb")
    generate(src, ws)
    return ws, solution


def _solve(ws, solution):
    learner = nbformat.read(ws / "01-core-concepts.ipynb", as_version=4)
    learner.cells[1].source = solution
    nbformat.write(learner, ws / "01-core-concepts.ipynb")


def test_progress_cli_end_to_end(tmp_path, capsys):
    """Stub: 0/1 and a failing exit code; solution: 1/1 and exit code 0."""
    ws, solution = _tiny_workspace(tmp_path)
    capsys.readouterr()
    assert main(["progress", "--workspace", str(ws)]) != 0
    out = capsys.readouterr().out
    assert "table 01  01-core-concepts.ipynb  0/1" in out
    assert "Next: table 01, exercise t01-immutable-arrays-1" in out
    assert "not attempted" in out

    _solve(ws, solution)
    assert main(["progress", "--workspace", str(ws)]) == 0
    assert "table 01  01-core-concepts.ipynb  1/1  [#]  done" in capsys.readouterr().out


def test_progress_counts_a_renamed_solved_copy_beside_a_fresh_one(tmp_path, capsys):
    """The learner renamed their solved notebook; regenerating put a fresh stub copy back."""
    ws, solution = _tiny_workspace(tmp_path)
    _solve(ws, solution)
    (ws / "01-core-concepts.ipynb").rename(ws / "01-mine.ipynb")
    generate(tmp_path / "notebooks", ws)
    capsys.readouterr()
    assert main(["progress", "--workspace", str(ws)]) == 0
    out = capsys.readouterr().out
    assert "Exercises passed: 1 of 1" in out and "All exercises passed" in out
    assert "every exercise passed in some notebook" in out


def test_plain_pytest_on_the_workspace_reports_progress(tmp_path):
    """The workspace's conftest: strict checks, current env, progress file and summary."""
    ws, solution = _tiny_workspace(tmp_path)
    _solve(ws, solution)
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAXSCOPE_")}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-q", str(ws)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "table 01  01-core-concepts.ipynb  1/1  [#]  done" in proc.stdout
    assert read_progress(ws / ".jaxscope-progress.jsonl") == {"t01-immutable-arrays-1": "passed"}
