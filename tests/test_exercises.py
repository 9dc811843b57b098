"""Exercise checks: every reference passes, every stub is 'not attempted', every known mistake
fails with its own hint; interactive versus strict mode; bad input; progress records."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import nbformat
import numpy as np
import pytest

import jaxscope as js
from jaxscope import exercises
from jaxscope._exercises import ExerciseNotPassed, evaluate
from jaxscope._workspace import find_exercises

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = exercises.all_exercises()
MISTAKES = [(ex, m) for ex in EXERCISES for m in ex.mistakes]


def load(code: str, name: str):
    """Run answer ``code`` as a notebook cell would and return the object named ``name``."""
    ns = {"jax": jax, "jnp": jnp, "np": np, "js": js}
    exec(compile(code, f"<answer {name}>", "exec"), ns)
    return ns[name]


@pytest.fixture(autouse=True)
def _interactive(monkeypatch):
    monkeypatch.delenv("JAXSCOPE_STRICT", raising=False)
    monkeypatch.delenv("JAXSCOPE_PROGRESS_FILE", raising=False)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_definition_is_complete(ex):
    m = re.fullmatch(r"t(\d\d)-([a-z0-9-]+)-(\d+)", ex.id)
    assert m and m.group(2) == ex.concept and int(m.group(1)) == ex.table
    assert 1 <= ex.difficulty <= 3
    assert ex.title and ex.prompt and ex.hints and ex.mistakes
    assert "NotImplementedError" in ex.stub
    assert len({mk.name for mk in ex.mistakes}) == len(ex.mistakes)
    assert exercises.get(ex.id) is ex


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_reference_passes(ex):
    result = evaluate(ex.id, load(ex.reference, ex.answer_name))
    assert result["status"] == "passed", result


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_stub_is_not_attempted(ex):
    assert evaluate(ex.id, load(ex.stub, ex.answer_name))["status"] == "not attempted"
    assert evaluate(ex.id, ...)["status"] == "not attempted"


@pytest.mark.parametrize("ex,mistake", MISTAKES, ids=lambda v: getattr(v, "id", None) or v.name)
def test_known_mistake_fails_with_its_hint(ex, mistake):
    result = evaluate(ex.id, load(mistake.code, ex.answer_name))
    assert result["status"] == "failed", result
    assert mistake.hint in result["hint"], result
    assert result["message"]


# correct answers written differently from the reference must pass too
ALTERNATIVES = [
    (
        "t01-pure-functions-1",
        "def scaled_sum(x, scale):\n"
        '    jax.debug.print("x = {x}", x=x)\n'
        "    return (x * scale).sum()\n",
    ),
    ("t01-immutable-arrays-1", "set_first = jax.jit(lambda x, v: x.at[0].set(v))\n"),
    (
        "t01-explicit-state-1",
        "def step(state, x):\n"
        "    new = dict(state)\n"
        '    new["count"] = state["count"] + 1\n'
        '    new["total"] = state["total"] + x.sum()\n'
        "    return new\n",
    ),
    (
        "t01-explicit-prng-1",
        "def two_samples(key):\n    a, b = jax.random.normal(key, (2, 3))\n    return a, b\n",
    ),
    (
        "t01-static-vs-traced-1",
        "def relu_or_identity(x, use_relu):\n"
        "    return jnp.where(x > 0, x, 0.0) if use_relu else x\n",
    ),
]


ALTERNATIVES += [(ex.id, code) for ex in EXERCISES for code in ex.alternatives]


@pytest.mark.parametrize("exercise_id,code", ALTERNATIVES, ids=[a[0] for a in ALTERNATIVES])
def test_other_correct_answers_pass(exercise_id, code):
    ex = exercises.get(exercise_id)
    assert evaluate(ex.id, load(code, ex.answer_name))["status"] == "passed"


def _notebook_solutions():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in find_exercises(nb, path.name):
            yield pytest.param(cell, id=f"{path.stem}:{cell.exercise_id}")


@pytest.mark.parametrize("cell", list(_notebook_solutions()))
def test_notebook_solutions_pass(cell):
    ex = exercises.get(cell.exercise_id)
    answer = load(cell.solution_code, ex.answer_name)
    assert evaluate(ex.id, answer)["status"] == "passed"


def test_interactive_check_returns_a_view_and_never_raises():
    ex = exercises.get("t01-immutable-arrays-1")
    view = js.check(ex.id, load(ex.stub, ex.answer_name))
    assert view.data["status"] == "not attempted"
    assert view.text().startswith("… t01-immutable-arrays-1")
    failed = js.check(ex.id, load(ex.mistakes[0].code, ex.answer_name))
    assert failed.data["status"] == "failed"
    assert "hint: " in failed.text()
    ok = js.check(ex.id, load(ex.reference, ex.answer_name))
    assert ok.text() == "✔ t01-immutable-arrays-1 (Update a copy with .at[]): passed"
    assert "jxs-check-passed" in ok.html()


def test_strict_mode_raises_exercise_not_passed(monkeypatch):
    monkeypatch.setenv("JAXSCOPE_STRICT", "1")
    ex = exercises.get("t01-immutable-arrays-1")
    with pytest.raises(ExerciseNotPassed, match="not attempted"):
        js.check(ex.id, load(ex.stub, ex.answer_name))
    with pytest.raises(AssertionError, match=re.escape("x.at[0].set(v)")):
        js.check(ex.id, load(ex.mistakes[0].code, ex.answer_name))
    assert js.check(ex.id, load(ex.reference, ex.answer_name)).data["status"] == "passed"


def test_unknown_id_lists_close_ids():
    with pytest.raises(ValueError, match="t01-immutable-arrays-1"):
        js.check("t01-immutable-array-1", lambda x, v: x)
    with pytest.raises(TypeError, match="exercise_id"):
        js.check(3, lambda x: x)


def test_answer_of_the_wrong_type_is_a_failed_check():
    view = js.check("t01-immutable-arrays-1", 3)
    assert view.data["status"] == "failed"
    assert "expected a function set_first(x, v), got int 3" in view.text()
    # calling the function instead of passing it is the usual slip
    assert js.check("t01-explicit-prng-1", jnp.zeros(3)).data["status"] == "failed"


def test_answer_that_breaks_the_check_fails_cleanly():
    def two_samples(key):
        return object()

    view = js.check("t01-explicit-prng-1", two_samples)
    assert view.data["status"] == "failed"
    assert "two samples" in view.text()


def test_html_is_escaped():
    evil = '"><img onerror=x><script>alert(1)</script>'
    view = js.check("t01-immutable-arrays-1", evil)
    html = view.html()
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_results_are_recorded_in_the_progress_file(tmp_path, monkeypatch):
    progress = tmp_path / "progress.jsonl"
    monkeypatch.setenv("JAXSCOPE_PROGRESS_FILE", str(progress))
    ex = exercises.get("t01-static-vs-traced-1")
    js.check(ex.id, load(ex.stub, ex.answer_name))
    js.check(ex.id, load(ex.reference, ex.answer_name))
    lines = [json.loads(ln) for ln in progress.read_text().splitlines()]
    assert [(ln["id"], ln["status"], ln["title"]) for ln in lines] == [
        (ex.id, "not attempted", ex.title),
        (ex.id, "passed", ex.title),
    ]
    assert lines[1]["hint"] == lines[1]["message"] == ""
    js.check(ex.id, lambda *a, **k: None)
    failed = json.loads(progress.read_text().splitlines()[-1])
    assert failed["status"] == "failed" and failed["hint"] and failed["message"]


_DETERMINISM = """
import jax, jax.numpy as jnp, numpy as np
from jaxscope import exercises
from jaxscope._exercises import CheckView, evaluate
# every mistake of the first exercise of each table: all tables, in bounded time
first = {}
for ex in exercises.all_exercises():
    if ex.id != "t16-benchmarking-1":  # its feedback quotes times it measured
        first.setdefault(ex.table, ex)
for ex in first.values():
    for m in ex.mistakes:
        ns = {"jax": jax, "jnp": jnp, "np": np}
        exec(m.code, ns)
        view = CheckView(evaluate(ex.id, ns[ex.answer_name]))
        if m.name != "numpy_global_rng":  # NumPy's global RNG is the non-determinism it shows
            print(view.text()); print(view.html_body())
"""


def test_text_and_html_are_deterministic_across_processes():
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _DETERMINISM],
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        for seed in ("1", "2")
    ]
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert outs[0] == outs[1] and outs[0]
    assert b" at 0x" not in outs[0]


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_an_answer_that_returns_none_fails(ex):
    """A forgotten ``return`` fails cleanly, and where a result is compared, the hint says so."""

    def forgot_return(*args, **kwargs):
        return None

    result = evaluate(ex.id, forgot_return)
    assert result["status"] == "failed", result
    if result["message"].endswith("the result is None"):
        assert "forget the `return`" in result["hint"]
