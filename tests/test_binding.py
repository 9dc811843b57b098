"""The one argument binder of js.jaxpr, js.trace, js.hlo and js.key_tree: every view splits
static and traced arguments the same way and refuses a bad call with the same clear error."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import pytest

import jaxscope as js
from jaxscope._binding import bind

X = jnp.arange(3.0)


def scale(x, n, *rest, mode="mul"):
    return x * n if mode == "mul" else x + n


TRACING_VIEWS = {"jaxpr": js.jaxpr, "trace": js.trace, "hlo": js.hlo}


def test_positions_names_and_the_traced_rest():
    b = bind(
        scale, (X, 2, X, 5), {"mode": X}, static_argnums=-1, static_argnames="n", view="js.trace"
    )
    assert b.params == ("x", "n", "rest[0]", "rest[1]")
    assert b.static_argnums == (1, 3) and b.static_kw == frozenset()
    assert b.dyn_pos == [0, 2] and list(b.dyn_kwargs) == ["mode"]
    assert b.leaf_names() == ["x", "rest[0]", "mode"]


def test_a_string_keyword_must_be_static_and_then_is():
    with pytest.raises(TypeError, match=r"keyword argument 'mode' is a string .*static_argnames"):
        bind(scale, (X, 2), {"mode": "add"}, static_argnums=1, view="js.jaxpr")
    b = bind(
        scale, (X, 2), {"mode": "add"}, static_argnums=1, static_argnames="mode", view="js.jaxpr"
    )
    assert b.static_kwargs == {"mode": "add"} and b.leaf_names() == ["x"]


@pytest.mark.parametrize("view", sorted(TRACING_VIEWS))
def test_every_view_refuses_a_bad_call_alike(view):
    show = TRACING_VIEWS[view]
    with pytest.raises(ValueError, match=r"static_argnums=5 is out of range: scale was given 2"):
        show(scale, X, 2, static_argnums=5)
    with pytest.raises(TypeError, match=r"static_argnums must hold ints"):
        show(scale, X, 2, static_argnums=("n",))
    with pytest.raises(ValueError, match=r"static_argnames names 'k'.*no argument of that name"):
        show(scale, X, 2, static_argnames="k")
    with pytest.raises(
        TypeError,
        match=rf"argument 1 \(n\) is a string.*js\.{view}\(fn, \.\.\., "
        r"static_argnums=\(1,\)\)",
    ):
        show(scale, X, "two")
    with pytest.raises(TypeError, match=r"scale\(x, n, \*rest, mode='mul'\) cannot be called"):
        show(scale, X)


@pytest.mark.filterwarnings("ignore:Python iterable type")
def test_an_iterator_argument_is_told_to_be_an_array_not_static():
    with pytest.raises(TypeError, match=r"argument 0 \(x\) is an iterator.*jnp\.asarray\(list"):
        js.trace(lambda x: x, iter([1.0, 2.0]))
    with pytest.raises(TypeError, match=r"is an iterator \(generator\)"):
        js.jaxpr(lambda x: x, (v for v in [1.0]))


@pytest.mark.parametrize("view", sorted(TRACING_VIEWS))
def test_a_jitted_function_keeps_its_own_static_arguments(view):
    jitted = jax.jit(scale, static_argnums=1)
    shown = TRACING_VIEWS[view](jitted, X, 3)
    assert type(shown).__name__ != "ErrorPanel", shown.text()
    b = bind(jitted, (X, 3), {}, view="js.jaxpr")
    assert b.fn is jitted and b.static_argnums == (1,) and b.note == ""


def test_extra_static_arguments_trace_the_function_inside_jit():
    b = bind(jax.jit(scale), (X, 3), {}, static_argnums=1, view="js.trace")
    assert b.fn is scale and "inside jax.jit" in b.note
    assert "mul" in js.jaxpr(jax.jit(scale), X, 3, static_argnums=1).text()


def test_unhashable_static_values_are_closed_over():
    b = bind(lambda x, n: x * len(n), (X, [1, 2]), {}, static_argnums=1, view="js.jaxpr")
    closed = b.make_jaxpr()
    assert [str(a) for a in closed.in_avals] == ["float32[3]"]


def test_partial_and_builtins_without_a_signature_bind():
    b = bind(functools.partial(scale, n=2), (X,), {}, view="js.trace")
    assert b.params == ("x",) and b.leaf_names() == ["x"]
    assert bind(jnp.sin, (X,), {}, view="js.jaxpr").leaf_names()[0] in {"x", "arg0"}
