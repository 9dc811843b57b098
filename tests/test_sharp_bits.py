"""Tests of the sharp-bit detector of js.trace: a note per kind at its line, deterministic text
and HTML, and no false alarm on the course's own code (cheat-sheet examples, exercise reference
solutions, the notebooks' js.trace cells) except where it means to show a sharp bit."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from course_traces import cheatsheet_notes, exercise_notes, notebook_notes

import jaxscope as js
from jaxscope import _cheatsheet as cs
from jaxscope.exercises import all_exercises

_COUNT = 0
_W = jnp.ones(3)


def clean(x, n):
    y = jnp.sin(x) * 2.0
    for _ in range(n):
        y = y + 1.0
    return y.at[0].set(x[2]) + x[-1]


def noisy(x):
    global _COUNT
    _COUNT += 1
    print("tracing", x)
    return x @ _W + x[7]


def test_clean_function_gets_no_note():
    assert js.trace(clean, jnp.ones(3), 3, static_argnums=1).data["notes"] == []


def test_each_note_at_its_line_in_text_and_html():
    view = js.trace(noisy, jnp.ones(3))
    first = noisy.__code__.co_firstlineno
    got = [(n["kind"], n["line"] - first) for n in view.data["notes"]]
    assert got == [("side-effect", 2), ("print", 3), ("constant", 4), ("out-of-bounds", 4)]
    oob = view.data["notes"][-1]
    assert "index 7" in oob["text"] and "clamps the start to 2" in oob["text"]
    assert "`_W` (array float32[3])" in view.data["notes"][2]["text"]
    text = view.text()
    assert "! sharp bit (print): print runs only while JAX traces" in text
    assert "jax.debug.print" in text
    html = view.html()
    assert html.count('class="jxs-trace-note"') == 4
    assert 'data-kind="out-of-bounds"' in html
    assert " at 0x" not in text + html


class _Counter:
    calls = 0


_COUNTER = _Counter()


def test_an_attribute_of_a_global_object_written_while_tracing_is_a_side_effect():
    def counted(x):
        _COUNTER.calls = _COUNTER.calls + 1
        return x * 2

    def reads_only(x):
        return x * _COUNTER.calls

    (note,) = js.trace(counted, jnp.ones(3)).data["notes"]
    assert note["kind"] == "side-effect" and "`_COUNTER` changed" in note["text"]
    assert note["line"] == counted.__code__.co_firstlineno + 1
    assert js.trace(reads_only, jnp.ones(3)).data["notes"] == []  # reading it is no side effect


_HOST_LOG = np.zeros(4)


def test_a_global_numpy_buffer_written_while_tracing_is_a_side_effect_not_a_constant():
    def logs(x, step):
        _HOST_LOG[step] = 1.0
        return x * 2

    (note,) = js.trace(logs, jnp.ones(3), 2, static_argnums=1).data["notes"]
    assert note["kind"] == "side-effect" and "`_HOST_LOG` changed" in note["text"]
    assert note["line"] == logs.__code__.co_firstlineno + 1
    _HOST_LOG[:] = 0.0


def _take_past_the_end(x):
    picked = jnp.take(x, jnp.array([0, 9]))
    return picked.sum()


def test_an_index_array_written_in_the_function_is_checked_inside_jnp_calls():
    # jnp.take is a jit of its own: the index reaches its gather through a nested jaxpr
    notes = js.trace(_take_past_the_end, jnp.ones(4)).data["notes"]
    first = _take_past_the_end.__code__.co_firstlineno
    assert [(n["kind"], n["line"] - first) for n in notes] == [("out-of-bounds", 1)]
    assert "index 9 is out of bounds for axis 0 of size 4" in notes[0]["text"]
    assert js.trace(_take_past_the_end, jnp.ones(10)).data["notes"] == []


def test_unrolled_loop_says_how_many():
    def long(x):
        for _ in range(60):
            x = jnp.cos(x)
        return x

    (note,) = js.trace(long, 1.0).data["notes"]
    assert note["kind"] == "unrolled" and "about 60 passes put 60 equations" in note["text"]
    assert note["line"] == long.__code__.co_firstlineno + 1
    assert "fori_loop" in note["fix"]


def test_static_number_is_noted_only_when_it_just_changes_constants():
    def scale(x, s):
        return x * s

    def pad(x, n):
        return jnp.zeros(n).at[:3].set(x)

    (note,) = js.trace(scale, jnp.ones(3), 0.5, static_argnums=1).data["notes"]
    assert note["kind"] == "static" and "`s` is static" in note["text"]
    assert js.trace(pad, jnp.ones(3), 5, static_argnums=1).data["notes"] == []
    assert js.trace(scale, jnp.ones(3), 0.5).data["notes"] == []  # traced: no note


def test_static_size_that_only_resizes_values_in_between_is_noted_with_a_mask():
    def mean_of_first(x, n):
        return jnp.mean(x[:n])

    def first(x, n):
        return x[:n]  # the result's shape is n: static is right

    (note,) = js.trace(mean_of_first, jnp.ones(8), 5, static_argnums=1).data["notes"]
    assert note["kind"] == "static" and "jnp.where(jnp.arange(x.shape[0]) < n" in note["fix"]
    assert js.trace(first, jnp.ones(8), 5, static_argnums=1).data["notes"] == []


def test_no_notes_when_tracing_fails():
    def bad(x):
        print(x)
        if x > 0:
            return x
        return -x

    view = js.trace(bad, 1.0)
    assert view.data["error"]["type"] == "TracerBoolConversionError"
    assert view.data["notes"] == []


def test_key_reuse_is_named_located_and_fixed():
    def twice(key):
        a = jax.random.normal(key)
        b = jax.random.normal(key)
        return a + b

    with jax.debug_key_reuse(True):
        err = js.trace(twice, jax.random.key(0)).data["error"]
    assert err["type"] == "KeyReuseError"
    assert err["line"] == twice.__code__.co_firstlineno + 2
    assert "jax.random.split" in err["fix"] and err["concept"] == "key-reuse"


# --- no false alarms on the course's own code ----------------------------------------------------
# the places that mean to show a sharp bit, and the kinds they show
MEANT = {
    "cheatsheet:tracers": {"print"},
    "cheatsheet:trace-cache": {"print"},
    "cheatsheet:retracing": {"print"},
    "cheatsheet:disable-jit": {"print"},
    "cheatsheet:trace-time-side-effects": {"side-effect"},
    "cheatsheet:closed-over-constants": {"constant"},
    "cheatsheet:loops-compile-time": {"unrolled"},
    "exercise:t06-trace-time-side-effects-1": {"side-effect"},
}


def _check(found):
    wrong = {k: v for k, v in found.items() if {kind for _, kind, _ in v} != MEANT.get(k, set())}
    assert not wrong, wrong


def test_no_false_alarms_on_the_notebooks_trace_cells():
    found = notebook_notes()
    assert len(found) >= 10, found
    _check(found)


@pytest.mark.parametrize("table", range(1, cs.N_TABLES + 1))
def test_no_false_alarms_on_the_cheat_sheet_examples(table):
    _check(cheatsheet_notes(table))


@pytest.mark.parametrize("table", sorted({ex.table for ex in all_exercises()}))
def test_no_false_alarms_on_the_exercise_reference_solutions(table):
    _check(exercise_notes(table))
