"""Snippets that go wrong where a jitted function is called: static arguments, methods, non-array
arguments and results, and tracers that leak out of their trace."""

from functools import partial

import jax
import jax.numpy as jnp
from jax import lax

from . import case

X = (jnp.ones(3),)


@partial(jax.jit, static_argnums=1)
def _powers(x, exponents):
    return sum(x**e for e in exponents)


@case("ValueError", "_powers(x, [1, 2])", ("tuple",), "static-args", X)
def static_list(x):
    return _powers(x, [1, 2])


@case("ValueError", "_powers(x, {1: 2})", ("tuple|frozen",), "static-args", X)
def static_dict(x):
    return _powers(x, {1: 2})


@case("ValueError", "_powers(x, e)", ("traced|static_argnums",), "static-args", X, via="call")
def static_array(x):
    e = jnp.array([1, 2])
    return _powers(x, e)


class Scaler:
    def __init__(self, factor):
        self.factor = factor

    @jax.jit
    def apply(self, x):
        return x * self.factor


@case(
    "TypeError",
    "Scaler(2.0).apply(x)",
    ("static_argnums=0|partial", "self"),
    "jit-methods-partial",
    X,
)
def jitted_method(x):
    return Scaler(2.0).apply(x)


@case(
    "TypeError", 'jax.jit(activate)(x, "relu")', ("static_argnames",), "static-args", X, via="call"
)
def string_argument(x):
    def activate(x, kind):
        return jnp.maximum(x, 0) if kind == "relu" else x

    return jax.jit(activate)(x, "relu")


@case(
    "TypeError",
    'return x * 2, "doubled"',
    ("return only arrays|outside",),
    "static-args",
    X,
    via="call",
)
def string_result(x):
    @jax.jit
    def f(x):
        return x * 2, "doubled"

    return f(x)


@case("TypeError", "lax.cond(x.sum() > 0", ("jnp.asarray|jnp.array|tuple",), "cond", X)
def cond_iterator_operand(x):
    parts = iter([x, x * 2])
    return lax.cond(x.sum() > 0, lambda p: x, lambda p: -x, parts)


@case(
    "TypeError",
    "jax.jit(total)(iter",
    ("jnp.asarray|jnp.array|jnp.stack",),
    "jax-numpy",
    X,
    via="call",
)
def iterator_argument(x):
    def total(xs):
        return sum(xs)

    return jax.jit(total)(iter([x, x]))


_LEAKED = []


@case("UnexpectedTracerError", "_LEAKED.append(x)", ("return",), "leaked-tracers", X)
def store_in_global(x):
    _LEAKED.append(x)
    return x * 2


@case(
    "UnexpectedTracerError",
    "stash.append(x)|return use(x)",
    ("return",),
    "leaked-tracers",
    X,
    via="call",
)
def use_leaked_later(x):
    stash = []

    @jax.jit
    def keep(x):
        stash.append(x)
        return x

    keep(x)

    @jax.jit
    def use(x):
        return x + stash[0]

    return use(x)


class Counter:
    def __init__(self):
        self.last = None

    def step(self, x):
        self.last = x * 2
        return x


@case("UnexpectedTracerError", "return c.last + 1", ("return",), "leaked-tracers", X, via="call")
def leak_through_attribute(x):
    c = Counter()
    jax.jit(c.step)(x)
    return c.last + 1


@case("UnexpectedTracerError", "seen.append(c)", ("return",), "leaked-tracers", X)
def leak_from_scan(xs):
    seen = []

    def body(c, x):
        seen.append(c)
        return c + x, None

    lax.scan(body, 0.0, xs)
    return xs + seen[0]


@case(
    "UnexpectedTracerError",
    "_SAVED.append(x)",
    ("return",),
    "leaked-tracers",
    X,
    via="call",
    context=jax.checking_leaks,
)
def checking_leaks_reports(x):
    @jax.jit
    def f(x):
        _SAVED.append(x)
        return x

    return f(x)


_SAVED = []
