"""Tests for js.key_tree: key lineage through split / fold_in, draws, and reuse detection."""

import os
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from jax import lax

import jaxscope as js
from jaxscope._errors import ErrorPanel
from jaxscope._key_tree_view import KeyTreeView

KEY = jax.random.key(0)


def _by_name(view, name):
    return next(n for n in view.data["nodes"] if n["name"] == name)


def _draws(view):
    return [u["sampler"] for n in view.data["nodes"] for u in n["uses"] if u["kind"] == "draw"]


def test_split_chain():
    def f(key):
        k1, k2 = jax.random.split(key)
        k3, k4 = jax.random.split(k2)
        return jax.random.normal(k1), jax.random.normal(k3), jax.random.normal(k4)

    view = js.key_tree(f, KEY)
    assert isinstance(view, KeyTreeView)
    assert view.data["reused"] == []
    assert _by_name(view, "key/1/0")["parent"] is not None
    text = view.text()
    assert "split into 2" in text and "key/1/1" in text and "├─" in text and "└─" in text
    assert "No key is used twice" in text
    assert view.data["n_draws"] == 3


def test_fold_in_with_loop_index():
    def py_loop(key):
        return sum(jax.random.normal(jax.random.fold_in(key, i)) for i in range(3))

    view = js.key_tree(py_loop, KEY)
    assert view.data["reused"] == []
    for i in range(3):
        assert _by_name(view, f"key/fold({i})")["kind"] == "fold_in"

    def lax_loop(key):
        body = lambda i, acc: acc + jax.random.normal(jax.random.fold_in(key, i))
        return lax.fori_loop(0, 4, body, 0.0)

    view = js.key_tree(lax_loop, KEY)
    assert view.data["reused"] == [] and "key/fold(i)" in view.text()


def test_sampler_leaves_named():
    def f(key):
        ks = jax.random.split(key, 4)
        return (
            jax.random.normal(ks[0], (3,)),
            jax.random.uniform(ks[1]),
            jax.random.bernoulli(ks[2]),
            jax.random.choice(ks[3], 5),
        )

    view = js.key_tree(f, KEY)
    assert _draws(view) == ["normal", "uniform", "bernoulli", "choice"]
    text = view.text()
    assert "● normal → f32[3]" in text and "test_key_tree_view.py:" in text


def test_reuse_flagged_and_explained():
    def bad(key):
        a = jax.random.normal(key)
        b = jax.random.uniform(key)
        return a + b

    view = js.key_tree(bad, KEY)
    node = _by_name(view, "key")
    assert view.data["reused"] == [node["id"]] and node["times"] == 2
    expl = node["explanation"]
    assert "normal" in expl and "uniform" in expl and "jax.random.split(key)" in expl
    assert view.data["concept"] == "key-reuse"
    html = view.html()
    assert "jxs-key_tree-reused" in html and "jxs-key_tree-explain" in html
    assert "REUSED" in view.text() and "key-reuse" in view.text()


def test_split_and_sample_same_key_flagged():
    def f(key):
        x = jax.random.normal(key)
        k1, _ = jax.random.split(key)
        return x + jax.random.normal(k1)

    view = js.key_tree(f, KEY)
    assert len(view.data["reused"]) == 1


def test_same_subkey_twice_flagged_proper_split_not():
    def bad(key):
        ks = jax.random.split(key, 2)
        return jax.random.normal(ks[0]) + jax.random.normal(ks[0])

    assert [_by_name(js.key_tree(bad, KEY), "key/0")["id"]] == js.key_tree(bad, KEY).data["reused"]

    def good(key):
        ks = jax.random.split(key, 2)
        return jax.random.normal(ks[0]) + jax.random.normal(ks[1])

    assert js.key_tree(good, KEY).data["reused"] == []


def test_key_made_outside_loop_flagged():
    def f(key):
        return lax.fori_loop(0, 3, lambda i, acc: acc + jax.random.normal(key), 0.0)

    view = js.key_tree(f, KEY)
    assert len(view.data["reused"]) == 1
    assert "loop" in _by_name(view, "key")["explanation"]


def test_inside_jit_and_cond_branches():
    def f(key):
        k1, k2 = jax.random.split(key)
        return jax.random.normal(k1), jax.random.uniform(k2)

    view = js.key_tree(jax.jit(f), KEY)
    assert _draws(view) == ["normal", "uniform"] and view.data["reused"] == []

    def g(key, p):
        return lax.cond(p, jax.random.normal, jax.random.uniform, key)

    view = js.key_tree(g, KEY, True)  # one branch runs: not a reuse
    assert view.data["reused"] == [] and "cond branch" in view.text()


def test_legacy_prngkey():
    def f(key):
        k1, k2 = jax.random.split(key)
        return jax.random.normal(k1) + jax.random.normal(k1)

    for fn in (f, jax.jit(f)):
        view = js.key_tree(fn, jax.random.PRNGKey(0))
        root = _by_name(view, "key")
        assert "legacy u32[2]" in root["aval"]
        assert len(view.data["reused"]) == 1


def test_key_made_inside_and_single_key():
    view = js.key_tree(lambda: jax.random.normal(jax.random.key(7)))
    assert _by_name(view, "key(7)")["kind"] == "seed" and _draws(view) == ["normal"]
    single = js.key_tree(jax.random.key(3))
    assert "key<fry>[]" in single.text() and "data [0 3]" in single.text()


def test_errors_and_no_keys():
    with pytest.raises(TypeError, match="fn must be a function"):
        js.key_tree(3)
    with pytest.raises(TypeError, match="fn must be a function"):
        js.key_tree(jnp.ones(3), KEY)
    view = js.key_tree(lambda x: x * 2, jnp.ones(3))
    assert "No PRNG key found" in view.text() and "No PRNG key found" in view.html()

    def broken(key):
        return jax.random.normal(key, (3,)) + jnp.ones(4)

    assert isinstance(js.key_tree(broken, KEY), ErrorPanel)


def test_hostile_names_escaped():
    evil = '"><img onerror=x><script>'

    def f(key):
        return jax.random.normal(key)

    view = js.key_tree(f, key=KEY)
    view.data["nodes"][0]["name"] = evil
    view.data["name"] = evil
    html = view.html()
    assert "<script>" not in html.split("</style>", 1)[1] and "<img" not in html
    assert "&lt;img onerror=x&gt;" in html
    kw = js.key_tree(lambda **kw: jax.random.normal(kw[evil]), **{evil: KEY})
    assert "<img" not in kw.html() and evil in kw.text()


def test_deterministic_across_processes(tmp_path):
    script = tmp_path / "build.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys, jax
            from jax import lax
            import jaxscope as js
            def f(key):
                ks = jax.random.split(key, 3)
                a = jax.random.normal(ks[0], (2,))
                b = jax.random.uniform(ks[0])
                c = lax.fori_loop(0, 2, lambda i, s: s + jax.random.normal(
                    jax.random.fold_in(ks[1], i)), 0.0)
                return a, b, c
            v = js.key_tree(jax.jit(f), jax.random.key(0))
            sys.stdout.write(v.text() + "\\n====\\n" + v.html())
            """
        )
    )
    outs = []
    for seed in ("1", "2"):
        env = {"PYTHONHASHSEED": seed, "JAX_PLATFORMS": "cpu", "PATH": "/usr/bin:/bin"}
        res = subprocess.run(
            [sys.executable, str(script)], capture_output=True, env=env, check=True, timeout=120
        )
        outs.append(res.stdout)
    assert outs[0] == outs[1]
    assert b"jxs-key_tree-reused" in outs[0] and b" at 0x" not in outs[0]


# --------------------------------------------------------------------------------------------
# agreement with JAX's own key-reuse checker
# --------------------------------------------------------------------------------------------
N = jax.random.normal


def _checker(fn, *args):
    """JAX's verdict: does tracing ``fn`` under ``jax.debug_key_reuse(True)`` raise?"""
    try:
        with jax.debug_key_reuse(True):
            jax.jit(fn).trace(*args)
    except jax.errors.KeyReuseError:
        return True
    return False


def _ours(fn, *args):
    view = js.key_tree(fn, *args)
    assert isinstance(view, KeyTreeView), view.text()
    view.text(), view.html()
    return bool(view.data["reused"])


def _split_then(k):
    c, s = jax.random.split(k)
    return c, N(s)


@jax.custom_jvp
def _jvp_twice(k):
    return N(k) + N(k)


_jvp_twice.defjvp(lambda primals, tangents: (_jvp_twice(*primals), 0.0))


@jax.custom_vjp
def _vjp_draw(k):
    return N(k)


@jax.custom_jvp
def _jvp_ignores(k, x):
    return x


_jvp_ignores.defjvp(lambda primals, tangents: (_jvp_ignores(*primals), tangents[1]))

_vjp_draw.defvjp(lambda k: (_vjp_draw(k), None), lambda res, g: (None,))

AGREE = {
    # the defects of issue 16, each first
    "key and its broadcast copy": (lambda k: N(k) + N(jnp.broadcast_to(k, (1,))[0]), True),
    "key and its reshaped copy": (lambda k: N(k) + N(k.reshape((1,))[0]), True),
    "while cond draws the carry": (
        lambda k: lax.while_loop(lambda c: N(c[0]) > 0, lambda c: (c[0], c[1] + 1), (k, 0)),
        True,
    ),
    "while cond and body share the key": (
        lambda k: lax.while_loop(
            lambda c: N(c[0]) > 0, lambda c: (jax.random.split(c[0])[0], c[1] + 1), (k, 0)
        ),
        True,
    ),
    "checkpoint draws twice": (lambda k: jax.checkpoint(lambda k: N(k) + N(k))(k), True),
    "checkpoint draws once": (lambda k: jax.checkpoint(N)(k), False),
    "vmap over split(key, 0)": (lambda k: jax.vmap(N)(jax.random.split(k, 0)), False),
    "clone is fresh": (lambda k: N(k) + N(jax.random.clone(k)), False),
    # arrays of keys
    "vmap over a split, then one of them": (
        lambda k: (jax.vmap(N)(ks := jax.random.split(k, 3)), N(ks[1])),
        True,
    ),
    "2-d split, two elements": (
        lambda k: (lambda ks: N(ks[1, 2]) + N(ks[0, 0]))(jax.random.split(k, (2, 3))),
        False,
    ),
    "2-d split, transposed copy": (
        lambda k: (lambda ks: N(ks[1, 2]) + N(ks.T[2, 1]))(jax.random.split(k, (2, 3))),
        True,
    ),
    "stack of one key twice": (lambda k: (lambda s: N(s[0]) + N(s[1]))(jnp.stack([k, k])), True),
    "fold_in different data": (
        lambda k: N(jax.random.fold_in(k, 1)) + N(jax.random.fold_in(k, 2)),
        False,
    ),
    # loops
    "scan splits its carry": (lambda k: lax.scan(lambda c, _: _split_then(c), k, None, 3), False),
    "scan returns its carry unsplit": (
        lambda k: lax.scan(lambda c, _: (c, N(c)), k, None, 3),
        True,
    ),
    "key used again after the scan it fed": (
        lambda k: (lax.scan(lambda c, _: _split_then(c), k, None, 3), N(k)),
        True,
    ),
    "scan over keys": (
        lambda k: lax.scan(lambda c, x: (c, N(x)), 0.0, jax.random.split(k, 4)),
        False,
    ),
    "scan over keys, then one of them": (
        lambda k: (lax.scan(lambda c, x: (c, N(x)), 0.0, ks := jax.random.split(k, 4)), N(ks[0])),
        True,
    ),
    "fori_loop draws an outer key": (
        lambda k: lax.fori_loop(0, 3, lambda i, a: a + N(k), 0.0),
        True,
    ),
    "fori_loop folds in the index": (
        lambda k: lax.fori_loop(0, 3, lambda i, a: a + N(jax.random.fold_in(k, i)), 0.0),
        False,
    ),
    # branches, calls
    "switch branches are alternatives": (
        lambda k: lax.switch(1, [N, jax.random.uniform, lambda k: 0.0], k),
        False,
    ),
    "cond then the same key": (lambda k: lax.cond(True, N, jax.random.uniform, k) + N(k), True),
    "jit returns its input key": (lambda k: N(jax.jit(lambda k: k)(k)) + N(k), True),
    "custom_vjp called twice": (lambda k: _vjp_draw(k) + _vjp_draw(k), True),
    "grad through a draw": (jax.grad(lambda x, k: x * N(k)), False),
    "choice and randint share a key": (
        lambda k: jax.random.choice(k, 5) + jax.random.randint(k, (), 0, 3),
        True,
    ),
}


@pytest.mark.parametrize("case", sorted(AGREE))
def test_agrees_with_jax_checker(case):
    fn, reused = AGREE[case]
    args = (1.0, KEY) if case == "grad through a draw" else (KEY,)
    assert _checker(fn, *args) == reused
    assert _ours(fn, *args) == reused


def test_shard_map_entered():
    mesh = jax.make_mesh((1,), ("x",))

    def f(ks, twice):
        body = (lambda k: N(k[0]) + N(k[0])) if twice else (lambda k: N(k[0]) + N(k[1]))
        return jax.shard_map(body, mesh=mesh, in_specs=jax.P(), out_specs=jax.P())(ks)

    ks = jax.random.split(KEY, 2)
    for twice in (True, False):
        g = lambda ks, twice=twice: f(ks, twice)
        assert _checker(g, ks) == _ours(g, ks) == twice


DIFFER = {
    # name: (fn, args, checker's verdict, ours)
    "legacy key drawn twice": (lambda k: N(k) + N(k), (jax.random.PRNGKey(0),), False, True),
    "legacy key under jit": (jax.jit(lambda k: N(k) + N(k)), (jax.random.PRNGKey(0),), False, True),
    "key_data round trip": (
        lambda k: N(k) + N(jax.random.wrap_key_data(jax.random.key_data(k))),
        (KEY,),
        False,
        True,
    ),
    "fold_in(key, 1) twice": (
        lambda k: N(jax.random.fold_in(k, 1)) + N(jax.random.fold_in(k, 1)),
        (KEY,),
        False,
        True,
    ),
    "fold_in(key, 1) in a loop": (
        lambda k: lax.fori_loop(0, 2, lambda i, a: a + N(jax.random.fold_in(k, 1)), 0.0),
        (KEY,),
        False,
        True,
    ),
    "two copies of a broadcast key": (
        lambda k: (lambda b: N(b[0]) + N(b[1]))(jnp.broadcast_to(k, (2,))),
        (KEY,),
        False,
        True,
    ),
    "reuse inside custom_jvp": (_jvp_twice, (KEY,), False, True),
    "key passed to custom_jvp unused": (
        lambda k: _jvp_ignores(k, 1.0) + N(k),
        (KEY,),
        True,
        False,
    ),
    "ks[i] in a loop over i": (
        lambda ks: lax.fori_loop(0, 3, lambda i, a: a + N(ks[i]), 0.0),
        (jax.random.split(KEY, 3),),
        True,
        False,
    ),
    "ks[0] taken twice, drawn once": (
        lambda k: (lambda ks: (ks[0], N(ks[0])))(jax.random.split(k, 3)),
        (KEY,),
        True,
        False,
    ),
    "empty key array used twice": (
        lambda k: (lambda ks: jax.vmap(N)(ks).sum() + jax.vmap(N)(ks).sum())(
            jax.random.split(k, 0)
        ),
        (KEY,),
        True,
        False,
    ),
    "while cond_fun checked the returned key": (
        lambda k: N(
            lax.while_loop(
                lambda c: N(c[0]) > 0, lambda c: (jax.random.fold_in(c[0], 1), c[1] + 1), (k, 0)
            )[0]
        ),
        (KEY,),
        False,
        True,
    ),
}


@pytest.mark.parametrize("case", sorted(DIFFER))
def test_deliberate_differences(case):
    """Each difference in the module docstring: the checker's verdict, and ours."""
    fn, args, checker, ours = DIFFER[case]
    assert _checker(fn, *args) == checker
    assert _ours(fn, *args) == ours


# --------------------------------------------------------------------------------------------
# differential test: generated key programs, js.key_tree against JAX's checker
# --------------------------------------------------------------------------------------------
SAMPLERS = {
    "normal": lambda k: jax.random.normal(k),
    "uniform": lambda k: jax.random.uniform(k),
    "bits": lambda k: jax.random.bits(k).astype(jnp.float32),
    "randint": lambda k: jax.random.randint(k, (), 0, 5).astype(jnp.float32),
    "choice": lambda k: jax.random.choice(k, 4).astype(jnp.float32),
    "bernoulli": lambda k: jax.random.bernoulli(k).astype(jnp.float32),
}


def _custom(sampler, kind):
    draw = SAMPLERS[sampler]
    if kind == "jvp":
        f = jax.custom_jvp(lambda k: draw(k))
        f.defjvp(lambda primals, tangents: (f(*primals), jnp.zeros((), jnp.float32)))
    else:
        f = jax.custom_vjp(lambda k: draw(k))
        f.defvjp(lambda k: (f(k), None), lambda res, g: (None,))
    return f


CUSTOM = {(s, kind): _custom(s, kind) for s in SAMPLERS for kind in ("jvp", "vjp")}
MAX_POOL = 10  # keys a generated program holds at most


class _Entry:
    """A key value of a generated program; ``state`` is shared by views of the same keys."""

    def __init__(self, value, depth, state=None, sliced=False):
        self.value, self.sliced = value, sliced
        self.state = state if state is not None else {"depth": depth, "used": False}

    def inner(self, value):
        return _Entry(value, None, self.state)


class _Program:
    """Runs a generated list of key operations while being traced, as ``f(key, p)``.

    Leaves: draw (a sampler, or ``vmap`` of it over a key array), split, fold_in (always with
    new data), clone, unpack a key array into its elements, a size-1 view of a key
    (``k[None]``, ``broadcast_to``, ``reshape``), a draw inside ``custom_jvp``/``custom_vjp``.
    Blocks of operations: ``jit`` and ``checkpoint`` (keys passed as arguments, ``jit`` may
    return one), ``cond``/``switch`` on ``p`` (keys as operands, may return one), ``while_loop``
    (a draw in ``cond_fun`` from the carry or an outer key), ``fori_loop``, ``scan`` (over a key
    array, possibly empty) and ``vmap``; loops carry a key that the body returns unchanged,
    split, folded or replaced by an outer key. Elements taken by unpacking are drawn at the
    end of their block if nothing drew them (JAX's checker counts taking an element as its
    use), and an empty key array is used at most once and not inside a loop: both are
    deliberate differences, tested above.
    """

    def __init__(self, ops):
        self.ops = ops

    def __call__(self, key, p):
        self.count = 0
        return self.block(self.ops, [_Entry(key, 0)], 0, p, None, False)

    def data(self, i_var):
        self.count += 1
        return self.count if i_var is None else i_var * 100 + self.count

    def block(self, ops, pool, depth, p, i_var, in_vmap):
        pool = list(pool)
        start = len(pool)
        acc = jnp.zeros((), jnp.float32)
        for op in ops:
            acc = acc + self.op(op, pool, depth, p, i_var, in_vmap)
        for e in pool[start:]:
            if e.sliced and not e.state["used"]:
                acc = acc + self.consume(e, "normal", depth)
        return acc

    @staticmethod
    def blocked(e, depth):
        """An empty key array already used, or outer to the loop being traced."""
        empty = e.value.size == 0
        return empty and (e.state["used"] or depth > e.state["depth"])

    def consume(self, e, sampler, depth):
        if self.blocked(e, depth):
            return 0.0
        e.state["used"] = True
        draw = SAMPLERS[sampler]
        return draw(e.value) if e.value.ndim == 0 else jax.vmap(draw)(e.value).sum()

    @staticmethod
    def find(pool, i, ndim):
        """The entry at ``i`` or the next one with ``ndim`` dimensions, or None."""
        n = len(pool)
        return next(
            (pool[(i + j) % n] for j in range(n) if pool[(i + j) % n].value.ndim == ndim), None
        )

    def op(self, op, pool, depth, p, i_var, in_vmap):
        kind, rest = op[0], op[1:]
        full = len(pool) >= MAX_POOL
        if kind == "draw":
            return self.consume(pool[rest[0] % len(pool)], rest[1], depth)
        if kind == "custom":
            e = self.find(pool, rest[0], 0)
            if e is None:
                return 0.0
            e.state["used"] = True
            return CUSTOM[rest[1], rest[2]](e.value)
        if kind in ("split", "fold", "clone") and not full:
            e = pool[rest[0] % len(pool)]
            v = e.value
            if kind == "split":
                if self.blocked(e, depth):
                    return 0.0
                e.state["used"] = True
                n = rest[1]
                new = (
                    jax.vmap(lambda k: jax.random.split(k, n))(v).reshape(-1)
                    if v.ndim
                    else (jax.random.split(v, n))
                )
            elif kind == "fold":
                d = self.data(i_var)
                new = (
                    jax.random.fold_in(v, d)
                    if not v.ndim
                    else (jax.vmap(lambda k: jax.random.fold_in(k, d))(v))
                )
            else:
                new = jax.random.clone(v)
            pool.append(_Entry(new, depth))
        elif kind == "unpack":
            e = self.find(pool, rest[0], 1)
            if e is not None and len(pool) + e.value.shape[0] <= MAX_POOL:
                pool.extend(_Entry(e.value[j], depth, sliced=True) for j in range(e.value.shape[0]))
        elif kind == "view" and not full:
            e = self.find(pool, rest[0], 0)
            if e is not None:
                v = e.value
                view = {"none": lambda: v[None], "bcast": lambda: jnp.broadcast_to(v, (1,))}.get(
                    rest[1], lambda: v.reshape((1,))
                )()
                pool.append(e.inner(view))
        elif kind in ("jit", "checkpoint", "cond"):
            return self.call(kind, rest, pool, depth, p, i_var, in_vmap)
        elif kind in ("while", "fori", "scan"):
            return self.loop(kind, rest, pool, depth, p, in_vmap)
        elif kind == "vmap":
            e = self.find(pool, rest[0], 1)
            if e is None:
                return 0.0
            if e.value.size == 0:
                return self.consume(e, "normal", depth)
            fn = lambda k: self.block(rest[1], [*pool, _Entry(k, depth)], depth, p, i_var, True)
            return jax.vmap(fn)(e.value).sum()
        return 0.0

    def returned(self, spec, sub):
        """The key a jit or cond block returns, with its identity (state); None: no key."""
        if spec is None:
            return None
        e = sub[spec[1] % len(sub)]
        if spec[0] == "fwd":
            return e.value, e.state
        if e.value.ndim:
            return None
        if spec[0] == "split":
            e.state["used"] = True
            return jax.random.split(e.value)[0], None
        return jax.random.fold_in(e.value, self.data(None)), None

    def call(self, kind, rest, pool, depth, p, i_var, in_vmap):
        ops, spec = rest if kind != "checkpoint" else (rest[0], None)
        branches = ops if kind == "cond" else [ops]
        if kind == "cond" and spec is not None and spec[0] == "fold":
            if pool[spec[1] % len(pool)].value.ndim:
                spec = None
        if len(pool) >= MAX_POOL:
            spec = None
        out_state = []

        def make(ops_b):
            def fn(*vals):
                sub = [e.inner(v) for e, v in zip(pool, vals, strict=True)]
                acc = self.block(ops_b, sub, depth, p, i_var, in_vmap)
                ret = self.returned(spec, sub)
                if ret is None:
                    return acc, None
                out_state.append(ret[1])
                return acc, ret[0]

            return fn

        vals = [e.value for e in pool]
        fns = [make(b) for b in branches]
        if kind == "jit":
            acc, key = jax.jit(fns[0])(*vals)
        elif kind == "checkpoint":
            acc, key = jax.checkpoint(fns[0])(*vals)
        elif len(fns) == 2:
            acc, key = lax.cond(p, *fns, *vals)
        else:
            acc, key = lax.switch(p.astype(jnp.int32), fns, *vals)
        if key is not None:
            pool.append(_Entry(key, depth, out_state[0]))
        return acc

    def loop(self, kind, rest, pool, depth, p, in_vmap):
        init = self.find(pool, rest[0], 0)
        outer = self.find(pool, rest[-1], 0)
        if init is None:
            return 0.0
        xs = None
        if kind == "scan":
            xs = self.find(pool, rest[1], 1)
            if xs is not None and self.blocked(xs, depth + 1):
                xs = None
            if xs is not None and xs.value.size == 0:
                xs.state["used"] = True
        cond_kind = rest[1] if kind == "while" else None
        if in_vmap and cond_kind == "carry":
            cond_kind = None  # a batched predicate makes the checker's select_n consume the carry
        ops, how = rest[-3], rest[-2]

        def step(k, n, x):
            sub = [*pool, _Entry(k, depth + 1)] + ([] if x is None else [_Entry(x, depth + 1)])
            acc = self.block(ops, sub, depth + 1, p, n, in_vmap)
            new = {
                "same": lambda: k,
                "split": lambda: jax.random.split(k)[0],
                "fold": lambda: jax.random.fold_in(k, 1),
            }.get(how, lambda: outer.value)()
            return new, acc

        if kind == "while":

            def cond_fn(c):
                pred = c[1] < 2
                if cond_kind == "carry":
                    pred = pred & (jax.random.normal(c[0]) < 10.0)
                elif cond_kind == "outer":
                    pred = pred & (jax.random.normal(outer.value) < 10.0)
                return pred

            def body_fn(c):
                new, acc = step(c[0], c[1], None)
                return new, c[1] + 1, c[2] + acc

            key, _, acc = lax.while_loop(cond_fn, body_fn, (init.value, 0, jnp.float32(0)))
        elif kind == "fori":

            def fori_body(i, c):
                new, acc = step(c[0], i, None)
                return new, c[1] + acc

            key, acc = lax.fori_loop(0, 2, fori_body, (init.value, jnp.float32(0)))
        else:

            def scan_body(c, x):
                new, acc = step(c[0], c[1], x)
                return (new, c[1] + 1), acc

            xs_value = None if xs is None else xs.value
            (key, _), accs = lax.scan(
                scan_body, (init.value, 0), xs_value, length=None if xs is not None else 2
            )
            acc = accs.sum()
        init.state["used"] = True
        if cond_kind != "carry" and len(pool) < MAX_POOL:
            pool.append(_Entry(key, depth))
        return acc


_IDX = st.integers(0, MAX_POOL - 1)
_SAMPLER = st.sampled_from(sorted(SAMPLERS))
_LEAF = st.one_of(
    st.tuples(st.just("draw"), _IDX, _SAMPLER),
    st.tuples(st.just("split"), _IDX, st.integers(0, 3)),
    st.tuples(st.just("fold"), _IDX),
    st.tuples(st.just("clone"), _IDX),
    st.tuples(st.just("unpack"), _IDX),
    st.tuples(st.just("view"), _IDX, st.sampled_from(["none", "bcast", "reshape"])),
    st.tuples(st.just("custom"), _IDX, _SAMPLER, st.sampled_from(["jvp", "vjp"])),
)
_CARRY = st.sampled_from(["same", "split", "fold", "outer"])


def _ops(depth):
    if depth == 0:
        return st.lists(_LEAF, max_size=4)
    sub = _ops(depth - 1)
    ret = st.none() | st.tuples(st.sampled_from(["fwd", "split", "fold"]), _IDX)
    cond_ret = st.none() | st.tuples(st.sampled_from(["fwd", "fold"]), _IDX)
    block = st.one_of(
        st.tuples(st.just("jit"), sub, ret),
        st.tuples(st.just("checkpoint"), sub),
        st.tuples(st.just("cond"), st.lists(sub, min_size=2, max_size=3), cond_ret),
        st.tuples(
            st.just("while"), _IDX, st.sampled_from([None, "carry", "outer"]), sub, _CARRY, _IDX
        ),
        st.tuples(st.just("fori"), _IDX, sub, _CARRY, _IDX),
        st.tuples(st.just("scan"), _IDX, _IDX, sub, _CARRY, _IDX),
        st.tuples(st.just("vmap"), _IDX, sub),
    )
    return st.lists(_LEAF | block, max_size=5)


PROGRAMS = _ops(2)
DIFFERENTIAL = settings(
    max_examples=int(os.environ.get("JAXSCOPE_KEY_FUZZ_EXAMPLES", "80")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@DIFFERENTIAL
@given(PROGRAMS)
def test_differential_against_jax_checker(ops):
    """On every generated program js.key_tree's verdict is JAX's checker's, and it renders."""
    fn = _Program(ops)
    checker = _checker(fn, KEY, True)
    event(f"checker says {'reused' if checker else 'fine'}")
    assert _ours(fn, KEY, True) == checker, ops
