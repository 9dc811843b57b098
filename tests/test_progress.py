"""The curriculum check of a workspace: results, the model and its text, the record, and the
command run end to end on a tiny workspace (stub, wrong answer, solution, nothing changed, bad
input), plus the workspace's own conftest under plain pytest."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from jaxscope.__main__ import main
from jaxscope._progress import (
    COURSE,
    RECORD_NAME,
    Reporter,
    read_record,
    read_results,
    record_path,
    render,
    summarize,
)
from jaxscope._workspace import generate
from jaxscope.exercises import get

IDS = ["t01-pure-functions-1", "t01-immutable-arrays-1", "t01-explicit-state-1"]


def _results(**statuses):
    return {ex_id: {"status": status, "hint": ""} for ex_id, status in statuses.items()}


def test_read_results_keeps_the_last_record_but_a_pass_stands_and_skips_junk(tmp_path):
    path = tmp_path / "p.jsonl"
    records = [(IDS[0], "failed", "h0"), (IDS[0], "passed", ""), (IDS[0], "not attempted", "")]
    records += [(IDS[1], "passed", ""), (IDS[1], "failed", "h1"), (IDS[2], "failed", "h2")]
    lines = [json.dumps({"id": i, "status": s, "hint": h}) for i, s, h in records]
    lines[3:3] = ["not json", json.dumps([1, 2])]
    path.write_text("\n".join(lines) + "\n")
    got = read_results(path)
    assert {i: r["status"] for i, r in got.items()} == {
        IDS[0]: "passed",
        IDS[1]: "passed",
        IDS[2]: "failed",
    }
    assert got[IDS[2]]["hint"] == "h2" and got[IDS[0]]["hint"] == ""
    assert read_results(tmp_path / "missing.jsonl") == {}


def test_model_per_table_next_exercise_with_its_hint_and_renamed_copies_counted_once():
    notebooks = [
        ("01-core-concepts.ipynb", IDS),
        ("01-my-work.ipynb", IDS[:2]),
        ("02-arrays-dtypes.ipynb", ["t02-made-up-1"]),
    ]
    results = {
        "01-core-concepts.ipynb": {
            IDS[0]: {"status": "not attempted", "hint": ""},
            IDS[1]: {"status": "failed", "hint": "use .at[0].set(...)"},
        },
        "01-my-work.ipynb": _results(**{IDS[0]: "passed"}),
    }
    model = summarize(notebooks, results)
    assert [(t["table"], t["passed"], t["total"]) for t in model["tables"]] == [
        (1, 1, 3),
        (2, 0, 1),
    ]
    assert [e["notebook"] for e in model["tables"][0]["exercises"]] == [
        "01-core-concepts.ipynb"
    ] * 3
    assert model["next"]["id"] == IDS[1] and model["next"]["hint"] == "use .at[0].set(...)"
    assert model["tables"][0]["exercises"][2]["status"] == "not run"
    assert render(model) == (
        "  table 01  01-core-concepts.ipynb  1/3  [#..]\n"
        "  table 02  02-arrays-dtypes.ipynb  0/1  [.]\n"
        "Exercises passed: 1 of 4\n"
        f"Next: table 01, exercise {IDS[1]} ({get(IDS[1]).title}) in 01-core-concepts.ipynb: "
        "failed\n"
        "  hint: use .at[0].set(...)"
    )
    done = summarize(notebooks, {"x": _results(**dict.fromkeys([*IDS, "t02-made-up-1"], "passed"))})
    assert done["next"] is None
    assert render(done).endswith("All exercises passed. Well done!")
    assert "[###]  done" in render(done)
    assert render(summarize([], {})).startswith("No exercises found")


def test_reporter_prints_tables_in_order_while_notebooks_finish_in_any_order():
    out = io.StringIO()
    reporter = Reporter(out)
    reporter.start(["01-a.ipynb", "02-b.ipynb"])
    state = {"exercises": [IDS[0]], "results": _results(**{IDS[0]: "passed"}), "seconds": 3.2}
    reporter.done("02-b.ipynb", {**state, "exercises": ["t02-x-1"], "results": {}})
    assert out.getvalue() == ""  # 01 is not done yet
    reporter.done("01-a.ipynb", state)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("  table 01  01-a.ipynb  1/1  [#]  done  (ran in 3 s)")
    assert lines[1].startswith("  table 02  02-b.ipynb  0/1  [.]  (ran in 3 s)")
    assert "\x1b" not in out.getvalue()  # not a terminal: no status line


def test_a_reader_that_goes_away_does_not_stop_the_check(tmp_path):
    """`jaxscope progress | head -1`: the pipe closes early, the check runs on and writes its
    record, and nothing complains about the broken pipe."""

    class Closed(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    reporter = Reporter(Closed())
    reporter.start(["01-a.ipynb"])
    reporter.done("01-a.ipynb", {"exercises": [IDS[0]], "results": {}, "seconds": 1})
    assert reporter.closed

    ws, _ = _tiny_workspace(tmp_path)
    cmd = [sys.executable, "-m", "jaxscope", "progress", "--workspace", str(ws)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the first line
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err.decode()
    assert b"BrokenPipe" not in err and b"Traceback" not in err
    assert read_record(record_path(ws))["exercises"][0]["status"] == "not attempted"


def _record(**changes):
    rec = {
        "format": "jaxscope-progress",
        "version": 1,
        "course": COURSE,
        "checked_at": "2026-12-02T07:00:00Z",
        "versions": {"jaxscope": "0.1.0"},
        "tables": [],
        "exercises": [{"id": IDS[0], "table": 1, "notebook": "n", "status": "passed", "hint": ""}],
    }
    rec.update(changes)
    return json.dumps(rec)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        (json.dumps({"format": "jaxscope-progress"}), "lacks version, course"),
        (_record(format="nbgrader"), "not a jaxscope progress record"),
        (_record(course="another-course"), "another course"),
        (_record(version=99), "newer"),
        (_record(exercises=[{"id": IDS[0]}]), "exercise 0 of the progress record lacks"),
        (
            _record(
                exercises=[{"id": "x", "table": 1, "notebook": "n", "status": "?", "hint": ""}]
            ),
            "unknown status",
        ),
    ],
)
def test_read_record_names_what_is_wrong(text, says):
    with pytest.raises(ValueError, match=says):
        read_record(text)


def test_read_record_reads_a_path_and_refuses_other_types(tmp_path):
    (tmp_path / RECORD_NAME).write_text(_record())
    assert read_record(record_path(tmp_path))["exercises"][0]["id"] == IDS[0]
    assert read_record(str(tmp_path / RECORD_NAME))["course"] == COURSE
    with pytest.raises(ValueError, match="cannot read"):
        read_record(tmp_path / "missing.json")
    with pytest.raises(TypeError, match="path or JSON text"):
        read_record(42)


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
    generate(src, ws, trust=False)
    return ws, solution


def _answer(ws, source, name="01-core-concepts.ipynb"):
    learner = nbformat.read(ws / name, as_version=4)
    learner.cells[1].source = source
    nbformat.write(learner, ws / name)


def _digests(ws):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in ws.glob("*.ipynb")}


def test_progress_end_to_end(tmp_path, capsys):
    """Stub, wrong answer, solution, nothing changed: lines, hint, exit codes and the record."""
    ws, solution = _tiny_workspace(tmp_path)
    capsys.readouterr()
    assert main(["progress", "--workspace", str(ws)]) == 0  # the check ran: exit 0
    out = capsys.readouterr().out
    assert "table 01  01-core-concepts.ipynb  0/1  [.]  (ran in" in out
    assert "Next: table 01, exercise t01-immutable-arrays-1" in out and "not attempted" in out
    assert len(out.splitlines()) <= 4
    rec = read_record(record_path(ws))
    assert rec["exercises"][0]["status"] == "not attempted" and rec["passed"] == 0
    assert main(["progress", "--workspace", str(ws), "--strict"]) == 1

    wrong = solution.replace(".set(", ".add(")
    _answer(ws, wrong)
    before = _digests(ws)
    capsys.readouterr()
    assert main(["progress", "--workspace", str(ws), "-v"]) == 0
    out = capsys.readouterr().out
    assert "failed" in out and "  hint: " in out and "\x1b[" not in out
    rec = read_record(record_path(ws))
    assert rec["exercises"][0]["status"] == "failed" and rec["exercises"][0]["hint"]
    assert rec["next"]["hint"] == rec["exercises"][0]["hint"]
    assert _digests(ws) == before  # nothing of the learner's changed

    _answer(ws, solution)
    assert main(["progress", "--workspace", str(ws)]) == 0
    out = capsys.readouterr().out
    assert "table 01  01-core-concepts.ipynb  1/1  [#]  done" in out
    assert "All exercises passed" in out
    checked = read_record(record_path(ws))["exercises"][0]["checked_at"]

    assert main(["progress", "--workspace", str(ws)]) == 0  # nothing changed: nothing runs
    out = capsys.readouterr().out
    assert "1/1  [#]  done  (unchanged)" in out
    rec = read_record(record_path(ws))
    assert rec["exercises"][0]["checked_at"] == checked and rec["versions"]["jax"]
    assert not list(ws.glob(f"*{RECORD_NAME}*.tmp*")) and not list(ws.glob(".*.tmp"))


def test_progress_names_bad_input_and_checks_the_rest(tmp_path, capsys):
    ws, solution = _tiny_workspace(tmp_path)
    _answer(ws, solution)
    (ws / "05-broken.ipynb").write_text("{ this is not a notebook")
    foreign = new_notebook(cells=[new_code_cell("print('not a course notebook')")])
    nbformat.write(foreign, ws / "my-notes.ipynb")
    (ws / "01-core-concepts.ipynb").rename(ws / "01-mine.ipynb")
    generate(tmp_path / "notebooks", ws, trust=False)  # a fresh stub copy beside the renamed one
    record_path(ws).write_text("{ corrupt record")
    before = _digests(ws)
    capsys.readouterr()
    assert main(["progress", "--workspace", str(ws)]) == 0
    out = capsys.readouterr().out
    assert "Exercises passed: 1 of 1" in out
    assert "note: 05-broken.ipynb could not be read" in out
    assert "note: 01-mine.ipynb holds exercises of 01-core-concepts.ipynb too" in out
    assert f"note: {RECORD_NAME} was not usable" in out
    assert "my-notes" not in out
    assert _digests(ws) == before
    assert read_record(record_path(ws))["passed"] == 1


def test_progress_without_a_workspace_or_exercises_exits_2(tmp_path, capsys):
    assert main(["progress", "--workspace", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["progress", "--workspace", str(tmp_path / "empty")]) == 2
    assert "holds an exercise" in capsys.readouterr().err
    ws, _ = _tiny_workspace(tmp_path)
    assert main(["progress", "--workspace", str(ws), "07"]) == 2
    assert "no single notebook matches '07'" in capsys.readouterr().err


def test_plain_pytest_on_the_workspace_reports_progress(tmp_path):
    """The workspace's conftest: strict checks, current env, results file and summary."""
    ws, solution = _tiny_workspace(tmp_path)
    _answer(ws, solution)
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAXSCOPE_")}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-q", str(ws)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "table 01  01-core-concepts.ipynb  1/1  [#]  done" in proc.stdout
    results = read_results(ws / ".jaxscope-progress.jsonl")
    assert results["t01-immutable-arrays-1"]["status"] == "passed"


def test_the_table_of_an_exercise_is_read_from_its_id_as_the_registry_says():
    from jaxscope._progress import _table
    from jaxscope.exercises import all_exercises, table_of

    assert all(_table("x.ipynb", ex.id) == table_of(ex.id) for ex in all_exercises())
    assert _table("07-autodiff.ipynb", "unknown") == 7 and _table("notes.ipynb", "unknown") == 0


def test_a_notebook_is_picked_by_its_number_beside_the_course_s_updated_copy(tmp_path):
    from jaxscope._build import find_notebooks

    for name in ("01-core-concepts.ipynb", "01-core-concepts.updated.ipynb", "02-arrays.ipynb"):
        (tmp_path / name).write_text("{}")
    assert find_notebooks(["01"], tmp_path) == [tmp_path / "01-core-concepts.ipynb"]


RUN_CELLS = """
import json, sys
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from jaxscope._progress import _run_cells
cells = [new_code_cell(source) for source in json.loads(sys.argv[1])]
nb = new_notebook(cells=[new_markdown_cell("# a title"), *cells])
print("RESULT", json.dumps(_run_cells(nb, sys.argv[2], 2)))
"""


def _cells_outcome(tmp_path, sources):
    """Run ``sources`` as a notebook's code cells with the check's runner (a 2 s cell limit)."""
    script = tmp_path / "run_cells.py"
    script.write_text(RUN_CELLS, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script), json.dumps(sources), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def test_the_runner_runs_cells_as_a_kernel_would(tmp_path):
    """Magics, ``display``, ``_`` and the notebook's folder on the path work; an error is kept
    with its cell and the rest still runs; a check that did not pass is not an error."""
    (tmp_path / "helper_mod.py").write_text("VALUE = 41\n", encoding="utf-8")
    out = _cells_outcome(
        tmp_path,
        [
            "import helper_mod\nhelper_mod.VALUE + 1",
            "assert _ == 42\ndisplay('shown')\n%time x = 1",
            "1 / 0",
            "class ExerciseNotPassed(Exception): pass\nraise ExerciseNotPassed('stub')",
            "import os\nassert os.getcwd() == os.path.dirname(helper_mod.__file__)",
        ],
    )
    assert out["problem"] == ""
    assert [(e["cell"], e["error"]) for e in out["errors"]] == [
        (3, "ZeroDivisionError: division by zero")
    ]
    assert "ZeroDivisionError" in out["errors"][0]["traceback"]


def test_a_cell_past_its_time_stops_the_notebook_even_under_except_exception(tmp_path):
    out = _cells_outcome(
        tmp_path,
        [
            "import time\ntry:\n    time.sleep(30)\nexcept Exception:\n    pass",
            "raise RuntimeError('never reached')",
        ],
    )
    assert out["problem"] == "CellTimeoutError: cell 1 ran past 2 s"
    assert out["errors"] == []


def test_a_notebook_whose_process_dies_is_named_and_the_rest_checked(tmp_path, capsys):
    ws, solution = _tiny_workspace(tmp_path)
    _answer(ws, solution)
    dying = new_notebook(
        cells=[
            new_code_cell("import os, signal\nimport jaxscope as js"),
            new_code_cell("os.kill(os.getpid(), signal.SIGKILL)"),
            new_code_cell('js.check("t02-array-creation-1", None)'),
        ]
    )
    nbformat.write(dying, ws / "02-arrays-dtypes.ipynb")
    assert main(["progress", "--workspace", str(ws)]) == 0
    rec = read_record(record_path(ws))
    assert "02-arrays-dtypes.ipynb: DeadKernelError" in " ".join(rec["notes"])
    assert "signal 9" in " ".join(rec["notes"])
    passed = {e["id"]: e["status"] for e in rec["exercises"]}
    assert passed["t01-immutable-arrays-1"] == "passed"


def test_the_fast_compile_flag_joins_the_learner_s_flags_only_where_known():
    from jaxscope._progress import FAST_COMPILE_FLAG, _xla_flags

    assert _xla_flags("", "0.10.2") == FAST_COMPILE_FLAG
    both = _xla_flags("--xla_force_host_platform_device_count=8", "0.10.5")
    assert both == f"--xla_force_host_platform_device_count=8 {FAST_COMPILE_FLAG}"
    assert _xla_flags("", "0.11.0") == ""  # a jaxlib not known to have it: left alone
    mine = "--xla_cpu_use_fusion_emitters=true"
    assert _xla_flags(mine, "0.10.2") == mine  # the learner's own choice stands


def test_the_kernel_runner_off_linux_reports_the_same_way(tmp_path):
    """Where there is no safe fork the check runs a notebook in a Jupyter kernel: the same
    errors, by cell, and a check that did not pass is not one."""
    from jaxscope._progress import _run_in_kernel

    nb = new_notebook(
        cells=[
            new_code_cell("x = 1"),
            new_code_cell("1 / 0"),
            new_code_cell("class ExerciseNotPassed(Exception): pass\nraise ExerciseNotPassed()"),
        ]
    )
    out = _run_in_kernel(nb, str(tmp_path), 60, {})
    assert out["problem"] == ""
    assert [(e["cell"], e["error"]) for e in out["errors"]] == [
        (1, "ZeroDivisionError: division by zero")
    ]
