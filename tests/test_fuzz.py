"""Fuzz the public surface: every call answers with a rendered view or a clear argument error.

A call may return a :class:`View` whose ``text()`` and ``html()`` are strings without a raw
traceback and of bounded size (data is summarised, never copied to the page), or raise a
``TypeError`` / ``ValueError`` whose message names the argument. Any other exception escaping, a
hang or an interpreter crash is a bug. Learner-function behaviours are an explicit table;
hypothesis generates array shapes and dtypes, pytree structures and free text.
"""

import contextlib
import functools
import io
import os
import re
from unittest import mock

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jax import lax

import jaxscope as js
from jaxscope import __main__ as cli
from jaxscope._view import View

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
HTML_BODY_LIMIT = 200_000  # characters of a view's own HTML (the shared CSS is not counted)
ARG_NAMES = (
    "fn", "fns", "args", "kwargs", "argument", "static_argnums", "static_argnames", "chain",
    "array_or_sharding", "shape", "tree", "max_leaves", "query", "table", "limit", "n",
    "exercise_id", "answer", "repeat", "number", "warmup", "names", "baseline", "short",
)  # fmt: skip
NAMES_RE = re.compile(r"\b(" + "|".join(ARG_NAMES) + r"|exercise id)\b")
BIG = jax.ShapeDtypeStruct((100_000, 100_000), jnp.float32)  # 40 GB if it were ever materialised


def answers(call, *args, **kwargs):
    """Run one public call; return its View (checked), or ``None`` after a clear argument error."""
    try:
        out = call(*args, **kwargs)
    except (TypeError, ValueError) as exc:
        message = str(exc)
        assert NAMES_RE.search(message), f"{type(exc).__name__} names no argument: {message}"
        assert "Traceback (most recent call last)" not in message
        return None
    if isinstance(out, list):  # cheatsheet.search returns plain records
        return out
    assert isinstance(out, View), type(out)
    text, page, body = out.text(), out.html(), out.html_body()
    assert isinstance(text, str) and isinstance(page, str) and text and page
    for rendered in (text, page):
        assert "Traceback (most recent call last)" not in rendered
    assert len(body) < HTML_BODY_LIMIT, len(body)
    assert len(text) < HTML_BODY_LIMIT, len(text)
    return out


# --- learner functions: explicit behaviours -----------------------------------------------------
class Boom(Exception):
    pass


class BrokenStr(Exception):
    def __str__(self):
        raise RuntimeError("__str__ is broken too")


def raiser(exc):
    def f(x):
        raise exc

    return f


def nested_control_flow(x):
    """A cond inside a scan inside a while_loop."""

    def scan_body(carry, t):
        return lax.cond(t > 0, lambda a: a + t, lambda a: a - t, carry), carry

    def while_body(c):
        i, v = c
        v, _ = lax.scan(scan_body, v, jnp.arange(3.0))
        return i + 1, v

    return lax.while_loop(lambda c: c[0] < 2, while_body, (0, x))[1]


def keyword_only(x, *, scale=2.0):
    return x * scale


def static_n(x, n):
    return x * n if n > 0 else -x


class Scaler:
    def __init__(self, w):
        self.w = w

    def apply(self, x):
        return x * self.w


def recurse(x):
    return recurse(x)


_W = 3.0
X = jnp.arange(3.0)
ZERO = jnp.float32(1.5)

CASES = [
    ("raises-runtime", raiser(RuntimeError("boom")), (X,), {}),
    ("raises-custom", raiser(Boom()), (X,), {}),
    ("raises-keyerror", raiser(KeyError("k")), (X,), {}),
    ("raises-broken-str", raiser(BrokenStr()), (X,), {}),
    ("raises-stopiteration", raiser(StopIteration()), (X,), {}),
    ("raises-exception-group", raiser(ExceptionGroup("g", [ValueError("v")])), (X,), {}),
    ("infinite-recursion", recurse, (X,), {}),
    ("returns-none", lambda x: None, (X,), {}),
    ("returns-int", lambda x: 3, (X,), {}),
    ("returns-str", lambda x: "hello", (X,), {}),
    ("returns-nested", lambda x: {"a": (x, None, [x * 2, {"b": None}]), "c": []}, (X,), {}),
    ("keyword-only", keyword_only, (X,), {"scale": 3.0}),
    ("closure", lambda x: x * _W, (X,), {}),
    ("bound-method", Scaler(2.0).apply, (X,), {}),
    ("partial", functools.partial(lambda x, b: x * b, b=2.0), (X,), {}),
    ("jitted", jax.jit(lambda x: x + 1), (X,), {}),
    ("numpy-ufunc", np.sin, (X,), {}),  # jitting it twice used to crash the interpreter
    ("builtin", abs, (X,), {}),
    ("class", dict, (X,), {}),
    ("generator", lambda x: (yield x), (X,), {}),
    ("cond-in-scan-in-while", nested_control_flow, (ZERO,), {}),
    ("no-arguments", lambda: jnp.ones(2), (), {}),
    ("huge-shape-struct", lambda a: a.sum(), (BIG,), {}),
    ("empty", lambda a: a * 2, (jnp.zeros((0,)),), {}),
    ("zero-size-2d", lambda a: a.sum(), (jnp.zeros((3, 0)),), {}),
    ("0-d", lambda a: a * 2, (ZERO,), {}),
    ("bool", lambda a: ~a, (jnp.array([True, False]),), {}),
    ("int8", lambda a: a + 1, (jnp.array([1, 2], jnp.int8),), {}),
    ("uint8", lambda a: a + 1, (jnp.array([1, 2], jnp.uint8),), {}),
    ("float16", lambda a: a * 2, (jnp.array([1, 2], jnp.float16),), {}),
    ("bfloat16", lambda a: a * 2, (jnp.array([1, 2], jnp.bfloat16),), {}),
    ("complex64", lambda a: a * 2, (jnp.array([1 + 2j], jnp.complex64),), {}),
    ("typed-key", lambda k: jax.random.normal(k, (2,)), (jax.random.key(0),), {}),
    ("legacy-key", lambda k: jax.random.normal(k, (2,)), (jax.random.PRNGKey(0),), {}),
    ("pytree-arg", lambda t: t["a"][0] + 1, ({"a": (X, None, [X])},), {}),
    ("python-scalar-arg", lambda a: a * 2, (3,), {}),
    ("string-arg", lambda a: a, ("s",), {}),
    ("none-arg", lambda a: a, (None,), {}),
]

VIEWS = {
    "jaxpr": lambda f, a, kw: js.jaxpr(f, *a, **kw),
    "trace": lambda f, a, kw: js.trace(f, *a, **kw),
    "hlo": lambda f, a, kw: js.hlo(f, *a, **kw),
    "key_tree": lambda f, a, kw: js.key_tree(f, *a, **kw),
    "transforms": lambda f, a, kw: js.transforms(f, *a, chain=("jit", "grad"), **kw),
    "timeit": lambda f, a, kw: js.timeit(f, args=a, kwargs=kw, repeat=1, number=1, warmup=0),
}


@pytest.mark.filterwarnings("ignore:Python iterable type 'generator'")
@pytest.mark.parametrize("view", sorted(VIEWS))
@pytest.mark.parametrize(("what", "fn", "args", "kwargs"), CASES, ids=[c[0] for c in CASES])
def test_learner_function_behaviours(view, what, fn, args, kwargs):
    if view == "timeit" and what in ("infinite-recursion", "cond-in-scan-in-while"):
        pytest.skip("timeit runs the function eagerly: covered by the tracing views")
    answers(VIEWS[view], fn, args, kwargs)


def test_static_and_keyword_only_arguments():
    for view in (js.jaxpr, js.trace, js.hlo):
        answers(view, static_n, X, 2, static_argnums=1)
        answers(view, static_n, X, n=-1, static_argnames="n")
        answers(view, keyword_only, X, scale=2.0, static_argnames="scale")
        answers(view, static_n, X, [1, 2], static_argnums=1)  # unhashable static value
        assert answers(view, static_n, X, 2, static_argnums=7) is None
        assert answers(view, static_n, X, 2, static_argnums="n") is None


def test_huge_arrays_are_summarised_not_materialised():
    for call in (
        lambda: js.jaxpr(lambda a: a @ a.T, BIG),
        lambda: js.trace(lambda a: a @ a.T, BIG),
        lambda: js.hlo(lambda a: (a * 2).sum(), BIG),
        lambda: js.transforms(lambda a: a.sum(), BIG, chain=("jit", "grad", "jacfwd")),
        lambda: js.pytree({"w": BIG, "b": [BIG, None]}),
        lambda: js.key_tree(lambda k, a: jax.random.normal(k, a.shape), jax.random.key(0), BIG),
    ):
        view = answers(call)
        assert view is not None and len(view.html_body()) < 50_000


# --- generated arrays and pytrees ---------------------------------------------------------------
DTYPES = ["bool", "int8", "uint8", "int32", "float16", "bfloat16", "float32", "complex64"]
shapes = st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple)


@st.composite
def arrays(draw):
    shape, dtype = draw(shapes), draw(st.sampled_from(DTYPES))
    return jnp.zeros(shape, dtype) + jnp.ones(shape, dtype)


def keys():
    return st.sampled_from(["typed", "legacy"]).map(
        lambda k: jax.random.key(1) if k == "typed" else jax.random.PRNGKey(1)
    )


leaves = st.one_of(
    arrays(),
    keys(),
    st.none(),
    st.integers(-5, 5),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=8),
    shapes.map(lambda s: jax.ShapeDtypeStruct(s, jnp.float32)),
)
trees = st.recursive(
    leaves,
    lambda kids: st.one_of(
        st.lists(kids, max_size=3),
        st.lists(kids, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=6), kids, max_size=3),
    ),
    max_leaves=8,
)


@FUZZ
@given(arrays())
def test_generated_arrays_through_the_tracing_views(x):
    answers(js.jaxpr, lambda a: (a * 2, a.sum()), x)
    answers(js.trace, lambda a: a.reshape(-1), x)
    answers(js.key_tree, lambda a: a, x)
    answers(js.pytree, x)
    answers(js.sharding, x)


@settings(FUZZ, max_examples=8)
@given(arrays())
def test_generated_arrays_through_the_compiling_views(x):
    answers(js.hlo, lambda a: a + a, x)
    answers(js.transforms, lambda a: (a * a).sum(), x, chain=("jit", "vmap"))
    answers(js.timeit, lambda a: a, args=(x,), repeat=1, number=1, warmup=0)


@FUZZ
@given(trees)
def test_generated_pytrees(tree):
    answers(js.pytree, tree)
    answers(js.pytree, tree, max_leaves=2, stats=False)
    answers(js.jaxpr, lambda t: jax.tree.map(lambda v: v, t), tree)
    answers(js.key_tree, lambda t: t, tree)


@settings(FUZZ, max_examples=10)
@given(st.sampled_from(["t01-pure-functions-1", "t01-immutable-arrays-1"]), trees)
def test_check_with_any_answer(exercise_id, answer):
    # interactive mode, whatever the environment this test process was started with
    with mock.patch.dict(os.environ):
        os.environ.pop("JAXSCOPE_STRICT", None)
        os.environ.pop("JAXSCOPE_PROGRESS_FILE", None)
        answers(js.check, exercise_id, answer)
        answers(js.check, exercise_id, lambda *a, **k: answer)


@FUZZ
@given(st.text(max_size=30), st.one_of(st.none(), st.integers(-2, 22)))
def test_cheatsheet_search_and_explorer_with_any_text(query, table):
    answers(js.cheatsheet.search, query, table=table)
    answers(js.cheatsheet.explorer, query, table=table)


@settings(FUZZ, max_examples=10)
@given(st.one_of(st.integers(-3, 25), st.text(max_size=4), st.none(), st.floats()))
def test_cheatsheet_table_with_any_number(n):
    answers(js.cheatsheet.table, n)


@settings(FUZZ, max_examples=10)
@given(st.lists(st.text(min_size=1, max_size=10), min_size=1, max_size=3))
def test_cli_cheatsheet_with_any_words(words):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        for argv in (["cheatsheet", "search", "--", *words], ["cheatsheet", "show", words[0]]):
            try:
                code = cli.main(argv)
            except SystemExit as done:  # argparse's usage error
                code = done.code
            assert code in (0, 1, 2)
    assert "Traceback (most recent call last)" not in out.getvalue() + err.getvalue()


def test_argument_errors_name_the_argument():
    bad = [
        (js.jaxpr, (3,), {}),
        (js.trace, (None,), {}),
        (js.hlo, ("f",), {}),
        (js.key_tree, (None,), {}),
        (js.transforms, (lambda x: x, X), {"chain": None}),
        (js.transforms, (lambda x: x, X), {"chain": ("nope",)}),
        (js.timeit, (), {}),
        (js.timeit, (lambda: 1,), {"repeat": 0}),
        (js.timeit, (lambda a: a,), {"args": X, "repeat": 1}),
        (js.pytree, ([1],), {"max_leaves": 0}),
        (js.sharding, (None,), {}),
        (js.sharding, (np.zeros(3),), {}),
        (js.sharding, (BIG,), {}),
        (js.sharding, (X.sharding,), {"shape": (-1,)}),
        (js.check, ("no-such-exercise", 1), {}),
        (js.check, (None, 1), {}),
        (js.device_info, (), {"short": "yes"}),
    ]
    for call, args, kwargs in bad:
        assert answers(call, *args, **kwargs) is None, call


def test_device_info_and_sharding_render():
    answers(js.device_info)
    answers(js.device_info, short=True)
    answers(js.sharding, X)
    answers(js.sharding, jax.random.key(0))
    answers(js.sharding, X.sharding, shape=(4, 4))
