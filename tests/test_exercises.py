"""Exercise checks: every reference (the notebook's solution) passes, every stub is 'not
attempted', every wrong answer in ``exercise_answers/`` fails with the hint its docstring quotes
and every other correct answer there passes; interactive versus strict mode; bad input; progress
records."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxscope as js
from jaxscope import exercises
from jaxscope._build import read_text_source
from jaxscope._exercises import ExerciseNotPassed, evaluate
from jaxscope._solution_cells import exercises_in_text, find_exercises

ROOT = Path(__file__).resolve().parents[1]
ANSWERS = ROOT / "tests" / "exercise_answers"
PACKAGE = str(Path(js.__file__).resolve().parent)
EXERCISES = exercises.all_exercises()
# tests/exercise_answers/t01/immutable-arrays-1__wrong_forgot_set.py: a wrong answer to
# t01-immutable-arrays-1; ...__alt_<what>.py: another correct answer
ANSWER_NAME = re.compile(r"(?P<rest>[a-z0-9-]+)__(?P<kind>wrong|alt)_(?P<what>[a-z0-9_]+)\.py")
ANSWER_FILES = sorted(ANSWERS.glob("t[0-9][0-9]/*.py"))


def answer_file(path: Path) -> tuple[str, str]:
    """The exercise id and kind (``wrong`` or ``alt``) that an answer file is named for."""
    m = ANSWER_NAME.fullmatch(path.name)
    assert m, f"{path.name}: name it <exercise>__wrong_<what>.py or <exercise>__alt_<what>.py"
    return f"{path.parent.name}-{m['rest']}", m["kind"]


WRONG = [p for p in ANSWER_FILES if answer_file(p)[1] == "wrong"]
ALTERNATIVES = [p for p in ANSWER_FILES if answer_file(p)[1] == "alt"]


def load(code: str, name: str):
    """Run answer ``code`` as a notebook cell would and return the object named ``name``."""
    ns = {"jax": jax, "jnp": jnp, "np": np, "js": js}
    exec(compile(code, f"<answer {name}>", "exec"), ns)
    return ns[name]


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(autouse=True)
def _interactive(monkeypatch):
    monkeypatch.delenv("JAXSCOPE_STRICT", raising=False)
    monkeypatch.delenv("JAXSCOPE_PROGRESS_FILE", raising=False)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_definition_is_complete(ex):
    m = re.fullmatch(r"t(\d\d)-([a-z0-9-]+)-(\d+)", ex.id)
    assert m and m.group(2) == ex.concept and int(m.group(1)) == ex.table
    assert ex.title and ex.hint
    assert "NotImplementedError" in ex.starting_code
    assert any(answer_file(p) == (ex.id, "wrong") for p in WRONG), "no wrong answer recorded"
    assert exercises.get(ex.id) is ex


def test_a_record_needs_one_way_to_check():
    with pytest.raises(ValueError, match="exactly one of checker= and spec="):
        exercises.Exercise(id="t01-x-1")


WORDS = sorted((ROOT / "widgets" / "jaxscope" / "exercises").glob("t[0-9][0-9].toml"))


@pytest.mark.parametrize("path", WORDS, ids=lambda p: p.stem)
def test_words_files_hold_only_what_their_module_uses(path):
    """Each [id] table of tNN.toml is an exercise of tNN.py with a title and a hint, and each
    [mistakes] hint is one that tNN.py names: no stray, misspelt or dead prose."""
    words = tomllib.loads(path.read_text(encoding="utf-8"))
    mistakes = words.pop("mistakes", {})
    assert set(words) == {ex.id for ex in EXERCISES if ex.table == int(path.stem[1:])}
    assert all(set(texts) == {"title", "hint"} for texts in words.values()), words
    named = re.findall(r'HINT\["([a-z0-9_]+)"\]', path.with_suffix(".py").read_text())
    assert set(mistakes) == set(named)


def test_words_are_read_with_their_whitespace_collapsed():
    wrapped = tomllib.loads((ROOT / "widgets/jaxscope/exercises/t07.toml").read_text())
    hint = exercises.get("t07-grad-1").spec.on_error[0].hint
    assert "\n" in wrapped["mistakes"]["non_scalar"] and "\n" not in hint and "  " not in hint
    assert hint == " ".join(wrapped["mistakes"]["non_scalar"].split())


@pytest.mark.parametrize("path", ANSWER_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_answer_files_name_an_exercise(path):
    exercise_id, kind = answer_file(path)
    exercises.get(exercise_id)
    assert (ast.get_docstring(ast.parse(path.read_text())) is not None) == (kind == "wrong")


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_reference_passes(ex):
    result = evaluate(ex.id, load(ex.reference, ex.answer_name))
    assert result["status"] == "passed", result


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_stub_is_not_attempted(ex):
    assert evaluate(ex.id, load(ex.starting_code, ex.answer_name))["status"] == "not attempted"
    assert evaluate(ex.id, ...)["status"] == "not attempted"


@pytest.mark.parametrize("path", WRONG, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_wrong_answer_fails_with_its_hint(path):
    """The file's docstring is (a part of) the hint the check must give."""
    ex = exercises.get(answer_file(path)[0])
    code = path.read_text()
    result = evaluate(ex.id, load(code, ex.answer_name))
    assert result["status"] == "failed", result
    assert words(ast.get_docstring(ast.parse(code))) in words(result["hint"]), result
    assert result["message"] and PACKAGE not in result["message"], result  # no check internals


@pytest.mark.parametrize("path", ALTERNATIVES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_other_correct_answers_pass(path):
    ex = exercises.get(answer_file(path)[0])
    result = evaluate(ex.id, load(path.read_text(), ex.answer_name))
    assert result["status"] == "passed", result


NOTEBOOK_SOURCES = sorted((ROOT / "notebooks").glob("*.md"))


@pytest.mark.parametrize("path", NOTEBOOK_SOURCES, ids=lambda p: p.stem)
def test_solutions_are_read_from_the_text_source_as_jupytext_reads_it(path):
    """The references are read from each notebook's MyST source without jupytext (its import
    takes seconds); jupytext, the real reader, must find the same exercises, answers and code."""
    fast = exercises_in_text(path.read_text(encoding="utf-8"), path.name)
    real = find_exercises(read_text_source(path.with_suffix(".ipynb")), path.name)
    assert [(c.exercise_id, c.answer, c.solution_code) for c in fast] == [
        (c.exercise_id, c.answer, c.solution_code) for c in real
    ]


def test_every_exercise_has_a_notebook_solution():
    found = [c.exercise_id for p in NOTEBOOK_SOURCES for c in exercises_in_text(p.read_text())]
    assert sorted(found) == sorted(exercises.ids())


def test_the_signature_is_the_solutions_def_line():
    ex = exercises.get("t07-grad-1")
    assert ex.signature == "loss_grad(w, x, y)" and ex.answer_name == "loss_grad"
    assert ex.starting_code.startswith("def loss_grad(w, x, y):\n")
    assert exercises.get("t17-flax-nnx-1").signature == "MLP(...)"  # a class says it with call=


def test_a_solution_that_defines_no_function_asks_for_call():
    with pytest.raises(ValueError, match="call="):
        exercises.signature_of("f = jax.jit(lambda x: x)\n", "f")


IMMUTABLE_WRONG = ANSWERS / "t01" / "immutable-arrays-1__wrong_item_assignment.py"


def test_interactive_check_returns_a_view_and_never_raises():
    ex = exercises.get("t01-immutable-arrays-1")
    view = js.check(ex.id, load(ex.starting_code, ex.answer_name))
    assert view.data["status"] == "not attempted"
    assert view.text().startswith("… t01-immutable-arrays-1")
    failed = js.check(ex.id, load(IMMUTABLE_WRONG.read_text(), ex.answer_name))
    assert failed.data["status"] == "failed"
    assert "hint: " in failed.text()
    ok = js.check(ex.id, load(ex.reference, ex.answer_name))
    assert ok.text() == "✔ t01-immutable-arrays-1 (Update a copy with .at[]): passed"
    assert "jxs-check-passed" in ok.html()


def test_strict_mode_raises_exercise_not_passed(monkeypatch):
    monkeypatch.setenv("JAXSCOPE_STRICT", "1")
    ex = exercises.get("t01-immutable-arrays-1")
    with pytest.raises(ExerciseNotPassed, match="not attempted"):
        js.check(ex.id, load(ex.starting_code, ex.answer_name))
    with pytest.raises(AssertionError, match=re.escape("x.at[0].set(v)")):
        js.check(ex.id, load(IMMUTABLE_WRONG.read_text(), ex.answer_name))
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
    js.check(ex.id, load(ex.starting_code, ex.answer_name))
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
import sys
from pathlib import Path
import jax, jax.numpy as jnp, numpy as np
from jaxscope import exercises
from jaxscope._exercises import CheckView, evaluate
# every wrong answer of the first exercise of each table: all tables, in bounded time
first = {}
for ex in exercises.all_exercises():
    if ex.id != "t16-benchmarking-1":  # its feedback quotes times it measured
        first.setdefault(ex.table, ex)
for ex in first.values():
    table, rest = ex.id.split("-", 1)
    for path in sorted(Path(sys.argv[1], table).glob(rest + "__wrong_*.py")):
        ns = {"jax": jax, "jnp": jnp, "np": np}
        exec(path.read_text(), ns)
        view = CheckView(evaluate(ex.id, ns[ex.answer_name]))
        if "numpy_global_rng" not in path.name:  # NumPy's global RNG: the non-determinism shown
            print(view.text()); print(view.html_body())
"""


def test_text_and_html_are_deterministic_across_processes():
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _DETERMINISM, str(ANSWERS)],
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        for seed in ("1", "2")
    ]
    outs = [p.communicate(timeout=900)[0] for p in procs]
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


def test_every_stub_is_known_as_one_without_running_its_check():
    """The workspace's stubs are recognised from their code, so checking one costs nothing."""
    from jaxscope._exercises import only_raises_not_implemented

    for ex in exercises.all_exercises():
        namespace = {}
        exec("import jax, jax.numpy as jnp\n" + ex.starting_code, namespace)
        answer = namespace[ex.answer_name]
        assert only_raises_not_implemented(answer), ex.id
        assert evaluate(ex.id, answer)["status"] == "not attempted"

    def started(x):
        y = x + 1  # noqa: F841 - a learner's first line before the stub's raise
        raise NotImplementedError

    def raises_when(x):
        if x:
            raise NotImplementedError
        return x

    for answer in (started, raises_when, lambda x: x, 3, "raise NotImplementedError", None):
        assert not only_raises_not_implemented(answer)
