"""A class on one JupyterHub: the hub configuration, the teacher dashboard and the learner's own
view.

The tests marked ``classroom`` run a real JupyterHub with configurable-http-proxy on 127.0.0.1
(classroom/testhub.py): a teacher and three learners log in, each learner's server starts with a
workspace, learner 1 solves an exercise through the server's API and a kernel and runs the
check, and the dashboard, the permissions and the start hook are checked against it. The rest
are fast unit tests of the dashboard model, the learner view and the shipped configuration.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import re
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
import yaml

import jaxscope as js
from jaxscope._progress import read_record
from jaxscope._solution_cells import find_exercises
from jaxscope.classroom._board import board, board_csv, board_html, hardest

ROOT = Path(__file__).resolve().parents[1]
CLASSROOM = ROOT / "classroom"
TEACHER, LEARNERS = "teacher", ["learner1", "learner2", "learner3"]
DASHBOARD = "/services/jaxscope-dashboard/"
COURSE_NOTEBOOKS = ["00-start-here.ipynb", "01-core-concepts.ipynb"]


def _testhub():
    spec = importlib.util.spec_from_file_location("jxs_testhub", CLASSROOM / "testhub.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _record(passed_ids=(), failed=(), hints=(), course="jaxscope-cheatsheet"):
    ids = ["t01-pure-functions-1", "t01-immutable-arrays-1", "t02-dtype-1"]
    exercises = []
    for ex_id in ids:
        status = "passed" if ex_id in passed_ids else "failed" if ex_id in failed else "not run"
        hint = "use .at[]" if ex_id in hints else ""
        table = int(ex_id[1:3])
        exercises.append(
            {"id": ex_id, "table": table, "notebook": f"{table:02d}-x.ipynb", "title": ex_id}
            | {"status": status, "hint": hint, "checked_at": "2026-12-02T07:10:00Z"}
        )
    tables = [
        {
            "table": n,
            "notebook": f"{n:02d}-x.ipynb",
            "passed": sum(e["status"] == "passed" for e in exercises if e["table"] == n),
            "total": sum(e["table"] == n for e in exercises),
        }
        for n in (1, 2)
    ]
    nxt = next((e for e in exercises if e["status"] != "passed"), None)
    return {
        "format": "jaxscope-progress",
        "version": 1,
        "course": course,
        "checked_at": "2026-12-02T07:10:00Z",
        "versions": {},
        "passed": len(passed_ids),
        "total": len(ids),
        "tables": tables,
        "next": nxt,
        "exercises": exercises,
    }


# --- the dashboard model -----------------------------------------------------------------------


def _entry(name, record=None, server="running", source="live", problem=""):
    return {"name": name, "server": server, "source": source, "record": record, "problem": problem}


def test_board_rows_per_learner_tables_and_csv():
    model = board(
        [
            _entry("bob", _record(["t01-pure-functions-1"])),
            _entry(
                "ada", _record(["t01-pure-functions-1", "t02-dtype-1"]), "stopped", "last known"
            ),
            _entry("cy"),
        ]
    )
    assert [r["name"] for r in model["learners"]] == ["ada", "bob", "cy"]
    assert model["tables"] == [1, 2]
    rows = list(csv.DictReader(io.StringIO(board_csv(model))))
    assert [(r["learner"], r["passed"], r["table 01"], r["table 02"]) for r in rows] == [
        ("ada", "2", "1", "1"),
        ("bob", "1", "1", "0"),
        ("cy", "0", "0", "0"),
    ]
    assert rows[0]["server"] == "stopped" and rows[0]["record"] == "last known"
    page = board_html(model)
    assert '<tr data-learner="ada">' in page and "1/2" in page


def test_hardest_exercises_rank_failed_checks_then_hints():
    records = [
        _record(failed=["t01-immutable-arrays-1"], hints=["t01-immutable-arrays-1"]),
        _record(failed=["t01-immutable-arrays-1", "t02-dtype-1"]),
        _record(hints=["t01-pure-functions-1"]),
    ]
    rows = hardest(records)
    assert [(r["id"], r["failed"], r["hints"]) for r in rows] == [
        ("t01-immutable-arrays-1", 2, 1),
        ("t02-dtype-1", 1, 0),
        ("t01-pure-functions-1", 0, 1),
    ]
    assert hardest(records, limit=1)[0]["id"] == "t01-immutable-arrays-1"


def test_skipped_records_are_named_and_escaped():
    model = board([_entry("ok", _record()), _entry("<eve>", problem="not JSON <here>")])
    page = board_html(model)
    assert model["skipped"] == [("<eve>", "not JSON <here>")]
    assert "&lt;eve&gt;</strong>: not JSON &lt;here&gt;" in page and "<eve>" not in page


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", "not JSON"),
        (json.dumps(_record(course="another-course")), "another course"),
        (json.dumps({k: v for k, v in _record().items() if k != "tables"}), "lacks tables"),
        (json.dumps(_record() | {"format": "something-else"}), "not a jaxscope progress record"),
    ],
)
def test_read_record_names_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        read_record(text)


# --- the learner's own view --------------------------------------------------------------------


def test_progress_view_shows_done_and_next(tmp_path):
    rec = _record(["t01-pure-functions-1"], failed=["t01-immutable-arrays-1"])
    rec["next"]["hint"] = "arrays are immutable: use x.at[i].set(v)"
    (tmp_path / "jaxscope-progress.json").write_text(json.dumps(rec))
    view = js.progress(tmp_path)
    lines = view.text().splitlines()
    assert lines[0] == "jaxscope progress (checked 2026-12-02T07:10:00Z)"
    assert lines[1].split() == ["table", "01", "01-x.ipynb", "1/2", "[#.]"]
    assert lines[3] == "Exercises passed: 1 of 3"
    assert lines[4] == (
        "Next: table 01, exercise t01-immutable-arrays-1 (t01-immutable-arrays-1) in 01-x.ipynb: "
        "failed"
    )
    assert lines[5] == "  hint: arrays are immutable: use x.at[i].set(v)"
    html = view.html()
    assert '<progress max="2" value="1">' in html and "x.at[i].set(v)" in html
    assert html == js.progress(tmp_path).html()  # deterministic


def test_progress_view_without_a_record_says_how_to_make_one(tmp_path):
    assert "python -m jaxscope progress" in js.progress(tmp_path).text()
    (tmp_path / "jaxscope-progress.json").write_text("{broken")
    with pytest.raises(ValueError, match="not JSON"):
        js.progress(tmp_path)


def test_progress_view_all_passed(tmp_path):
    rec = _record(["t01-pure-functions-1", "t01-immutable-arrays-1", "t02-dtype-1"])
    (tmp_path / "jaxscope-progress.json").write_text(json.dumps(rec))
    text = js.progress(tmp_path).text()
    assert text.endswith("All exercises passed. Well done!") and "done" in text.splitlines()[1]


# --- the shipped configuration -----------------------------------------------------------------


def _load_hub_config(monkeypatch, **env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    from traitlets.config import Config

    c = Config()
    path = CLASSROOM / "jupyterhub_config.py"
    code = compile(path.read_text(), str(path), "exec")
    exec(code, {"get_config": lambda: c, "__file__": str(path)})
    return c


def test_hub_config_start_hook_gpu_sharing_culler_and_roles(monkeypatch):
    c = _load_hub_config(monkeypatch, JAXSCOPE_IDLE_TIMEOUT="900", JAXSCOPE_TEACHERS="ms-lee")
    assert c.Spawner.cmd == [str(CLASSROOM / "start-singleuser"), "jupyterhub-singleuser"]
    assert c.Spawner.environment["XLA_PYTHON_CLIENT_PREALLOCATE"] == "false"
    assert c.Spawner.environment["JAXSCOPE_COURSE"] == str(ROOT / "notebooks")
    culler = next(s for s in c.JupyterHub.services if s["name"] == "idle-culler")
    assert "--timeout=900" in culler["command"]
    assert c.JupyterHub.load_groups == {"teachers": {"users": ["ms-lee"]}}
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    granted = [
        r for r in roles.values() if "access:services!service=jaxscope-dashboard" in r["scopes"]
    ]
    assert granted == [roles["teacher"]] and roles["teacher"]["groups"] == ["teachers"]
    assert "users" not in roles["teacher"]
    assert "authenticator_class" not in c.JupyterHub  # the deployer's choice
    assert "password" not in (CLASSROOM / "jupyterhub_config.py").read_text().lower()


def test_z2jh_values_use_the_same_start_hook_and_settings():
    values = yaml.safe_load((CLASSROOM / "z2jh-values.yaml").read_text())
    single = values["singleuser"]
    assert Path(single["cmd"][0]).name == "start-singleuser"
    assert single["cmd"][1] == "jupyterhub-singleuser"
    assert single["extraEnv"]["XLA_PYTHON_CLIENT_PREALLOCATE"] == "false"
    assert values["cull"]["enabled"] is True and values["cull"]["timeout"] > 0
    hub = values["hub"]
    assert hub["services"]["jaxscope-dashboard"]["command"][-1] == "jaxscope.classroom.dashboard"
    teacher = hub["loadRoles"]["teacher"]
    assert teacher["groups"] == ["teachers"]
    assert "access:services!service=jaxscope-dashboard" in teacher["scopes"]


def test_start_hook_makes_then_updates_the_workspace_keeping_edits(tmp_path):
    import subprocess

    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(ROOT / "notebooks" / "00-start-here.ipynb", course)
    env = dict(os.environ, HOME=str(tmp_path), JAXSCOPE_COURSE=str(course))
    env.update(JAXSCOPE_PYTHON=sys.executable, PYTHONPATH=str(ROOT / "widgets"))
    env["JUPYTER_DATA_DIR"] = str(tmp_path / "jd")
    hook = [str(CLASSROOM / "start-singleuser"), sys.executable, "-c", "print('server started')"]
    first = subprocess.run(hook, env=env, capture_output=True, text=True, check=True)
    assert "created: 00-start-here.ipynb" in first.stdout and "server started" in first.stdout
    mine = tmp_path / "workspace" / "00-start-here.ipynb"
    learner_nb = nbformat.read(mine, as_version=4)
    learner_nb.cells.insert(0, nbformat.v4.new_markdown_cell("my notes"))
    nbformat.write(learner_nb, mine)
    edited = mine.read_bytes()
    nb = nbformat.read(course / "00-start-here.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("A newer course version."))
    nbformat.write(nb, course / "00-start-here.ipynb")
    again = subprocess.run(hook, env=env, capture_output=True, text=True, check=True)
    assert mine.read_bytes() == edited and "server started" in again.stdout
    assert (tmp_path / "workspace" / "00-start-here.updated.ipynb").exists()


# --- a real hub --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """A hub running classroom/jupyterhub_config.py, a teacher and three learners logged in and
    every learner's server started (all at once)."""
    testhub = _testhub()
    folder = tmp_path_factory.mktemp("hub")
    course = folder / "course"
    course.mkdir()
    for name in COURSE_NOTEBOOKS:
        shutil.copy(ROOT / "notebooks" / name, course)
    with testhub.LocalHub(folder, course, [TEACHER], LEARNERS) as running:
        try:
            users = {name: running.login(name) for name in [TEACHER, *LEARNERS]}
            with ThreadPoolExecutor(len(LEARNERS)) as pool:
                running.spawn_seconds = list(pool.map(lambda n: users[n].start(), LEARNERS))
            running.users, running.course, running.testhub = users, course, testhub
            yield running
        except BaseException:
            print(running.log_tail(80))
            raise


def _dashboard_rows(user):
    r = user.page(DASHBOARD + "progress.csv")
    assert r.status_code == 200, r.text[-500:]
    return {row["learner"]: row for row in csv.DictReader(io.StringIO(r.text))}


@pytest.mark.classroom
def test_each_learner_server_starts_with_a_workspace(hub):
    print(f"spawn seconds (3 at once): {[round(s, 1) for s in hub.spawn_seconds]}")
    for name in LEARNERS:
        names = {c["name"] for c in hub.users[name].contents("workspace")["content"]}
        assert set(COURSE_NOTEBOOKS) <= names and "conftest.py" in names
    server_env = hub.users["learner1"].execute(
        "import os; print(os.environ['XLA_PYTHON_CLIENT_PREALLOCATE'], os.getcwd())"
    )
    assert server_env.split() == ["false", str(hub.home("learner1"))]


@pytest.mark.classroom
def test_a_learner_cannot_open_another_learners_server_or_the_dashboard(hub):
    learner2, teacher = hub.users["learner2"], hub.users[TEACHER]
    other = f"{hub.url}/user/learner1/api/contents/workspace"
    assert learner2.api.get(other, timeout=30).status_code == 403
    assert learner2.page("/user/learner1/lab").status_code == 403
    assert learner2.page(DASHBOARD).status_code == 403
    assert learner2.page(DASHBOARD + "progress.csv").status_code == 403
    assert teacher.api.get(other, timeout=30).status_code == 200
    assert teacher.page(DASHBOARD).status_code == 200


@pytest.mark.classroom
def test_a_solved_exercise_shows_on_the_dashboard(hub):
    learner1 = hub.users["learner1"]
    source = nbformat.read(hub.course / "01-core-concepts.ipynb", as_version=4)
    first = find_exercises(source)[0]
    mine = learner1.contents("workspace/01-core-concepts.ipynb")["content"]
    assert "### BEGIN SOLUTION" not in "".join(mine["cells"][first.solution_cell]["source"])
    mine["cells"][first.solution_cell]["source"] = source.cells[first.solution_cell].source
    learner1.put_notebook("workspace/01-core-concepts.ipynb", mine)
    out = learner1.execute(hub.testhub.check_code("~/workspace", "01-core-concepts"))
    assert "Exercises passed: 1 of" in out, out
    rows = _dashboard_rows(hub.users[TEACHER])
    assert set(rows) == set(LEARNERS)  # the teacher is not a learner
    assert [rows[n]["passed"] for n in LEARNERS] == ["1", "0", "0"]
    assert rows["learner1"]["record"] == "live" and rows["learner1"]["table 01"] == "1"
    page = hub.users[TEACHER].page(DASHBOARD).text
    assert "Hardest exercises" in page and first.exercise_id not in page.split("Hardest")[1]


@pytest.mark.classroom
def test_bad_records_are_named_and_skipped(hub):
    hub.users["learner2"].put_text("workspace/jaxscope-progress.json", "{half a record")
    other = json.dumps(_record(["t01-pure-functions-1"], course="another-course"))
    hub.users["learner3"].put_text("workspace/jaxscope-progress.json", other)
    page = hub.users[TEACHER].page(DASHBOARD).text
    skipped = page.split("Skipped records")[1]
    assert re.search(r"<strong>learner2</strong>: the progress record is not JSON", skipped)
    assert re.search(r"<strong>learner3</strong>: a record of another course", skipped)
    rows = _dashboard_rows(hub.users[TEACHER])
    assert [rows[n]["passed"] for n in LEARNERS] == ["1", "0", "0"]
    for name in ("learner2", "learner3"):
        hub.users[name].api.delete(
            f"{hub.users[name].server}/api/contents/workspace/jaxscope-progress.json", timeout=30
        ).raise_for_status()


@pytest.mark.classroom
def test_a_stopped_server_shows_the_last_record_and_edits_survive_restart_and_update(hub):
    learner1, teacher = hub.users["learner1"], hub.users[TEACHER]
    before = learner1.contents("workspace/01-core-concepts.ipynb")["content"]
    # a newer course version of both notebooks arrives while learner 1's server is stopped
    for name in COURSE_NOTEBOOKS:
        nb = nbformat.read(hub.course / name, as_version=4)
        nb.cells.append(nbformat.v4.new_markdown_cell(f"Added to {name} after the class began."))
        nbformat.write(nb, hub.course / name)
    learner1.stop()
    row = _dashboard_rows(teacher)["learner1"]
    assert (row["server"], row["record"], row["passed"]) == ("stopped", "last known", "1")
    restart = learner1.start()
    print(f"restart with a workspace update: {restart:.1f} s")
    after = learner1.contents("workspace/01-core-concepts.ipynb")["content"]
    assert [c["source"] for c in after["cells"]] == [c["source"] for c in before["cells"]]
    updated = learner1.contents("workspace/01-core-concepts.updated.ipynb")["content"]
    assert "after the class began" in updated["cells"][-1]["source"]
    untouched = learner1.contents("workspace/00-start-here.ipynb")["content"]
    assert "after the class began" in untouched["cells"][-1]["source"]
    assert _dashboard_rows(teacher)["learner1"]["record"] == "live"


def test_classroom_extra_is_in_the_test_extra_and_environment_yml():
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert "jaxscope[classroom]" in extras["test"]
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    for spec in extras["classroom"]:
        assert spec.replace(" ", "") in conda, spec


def test_load_benchmark_refuses_no_learners(capsys):
    spec = importlib.util.spec_from_file_location(
        "jxs_load", ROOT / "benchmarks" / "classroom_load.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with pytest.raises(SystemExit):
        module.main(["--learners", "0"])
    assert "--learners must be at least 1" in capsys.readouterr().err
