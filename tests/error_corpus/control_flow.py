"""Snippets of value-dependent shapes, dynamic slices and lax control flow with mismatched types."""

import jax.numpy as jnp
from jax import lax

from . import case

V = (jnp.array([1.0, -2.0, 3.0, -4.0]),)


@case("NonConcreteBooleanIndexError", "x[x > 0]", "jnp.where", "masking-where", V)
def positive_sum(x):
    return x[x > 0].sum()


@case("NonConcreteBooleanIndexError", "x.at[x < 0].set(0.0)", "jnp.where(", "masking-where", V)
def zero_negatives(x):
    return x.at[x < 0].set(0.0)


@case(
    "ConcretizationTypeError",
    "jnp.where(x > 0)",
    ("size=", "jnp.where(cond, x, y)|three-argument"),
    "masking-where",
    V,
)
def where_positive(x):
    idx = jnp.where(x > 0)
    return idx[0]


@case("ConcretizationTypeError", "jnp.nonzero(x)", "size=", "masking-where", V)
def nonzero_positions(x):
    return jnp.nonzero(x)[0]


@case("ConcretizationTypeError", "jnp.unique(x)", "size=", "masking-where", V)
def distinct(x):
    return jnp.unique(x)


@case("ConcretizationTypeError", "jnp.argwhere(x < 0)", "size=", "masking-where", V)
def negative_positions(x):
    return jnp.argwhere(x < 0)


@case("IndexError", "x[i : i + 2]", "lax.dynamic_slice", "dynamic-slicing", (jnp.arange(6.0), 1))
def window(x, i):
    return x[i : i + 2]


@case(
    "IndexError",
    "x[:n]",
    ("static_argnums", "lax.dynamic_slice|jnp.where"),
    "dynamic-slicing",
    (jnp.arange(6.0), 3),
)
def head(x, n):
    return x[:n].sum()


@case(
    "TypeError",
    "lax.fori_loop(0, 3, body, jnp.int32(0))",
    ("0.0|same dtype",),
    "fori-loop",
    (jnp.ones(3),),
)
def count_half_steps(x):
    def body(i, total):
        return total + 0.5

    return lax.fori_loop(0, 3, body, jnp.int32(0)) * x


@case("TypeError", "lax.cond(", ("same", "dtype|shape"), "cond", (1.0,))
def cond_mixed(x):
    return lax.cond(x > 0, lambda v: v, lambda v: jnp.int32(0), x)


@case("TypeError", "lax.cond(", ("same", "shape"), "cond", (jnp.ones(3),))
def cond_shapes(x):
    return lax.cond(x.sum() > 0, lambda v: v, lambda v: v[:2], x)


@case("TypeError", "lax.scan(", ("carry", "same"), "scan", (jnp.ones(3),))
def scan_grows_carry(xs):
    def step(c, x):
        return c + x, c

    return lax.scan(step, jnp.int32(0), xs)


@case("TypeError", "lax.while_loop(", ("same", "shape|dtype"), "while-loop", (jnp.ones(2),))
def while_changes_shape(x):
    return lax.while_loop(lambda v: v.sum() < 10, lambda v: jnp.concatenate([v, v]), x)


@case("TypeError", "lax.add(x, n)", ("astype", "dtype"), "lax-vs-jnp", (jnp.ones(3), jnp.arange(3)))
def lax_add_mixed(x, n):
    return lax.add(x, n)


@case(
    "TypeError",
    "lax.mul(x, w)",
    ("astype", "dtype"),
    "lax-vs-jnp",
    (jnp.ones(2, jnp.float32), jnp.ones(2, jnp.float16)),
)
def lax_mul_precisions(x, w):
    return lax.mul(x, w)


@case(
    "TypeError",
    "lax.select(x, a, b)",
    ("bool", "x > 0|astype(bool)"),
    "select-where",
    (jnp.ones(3), jnp.ones(3), jnp.zeros(3)),
)
def select_float_predicate(x, a, b):
    return lax.select(x, a, b)


@case("TypeError", "lax.cond(x > 0", ("jnp.where", "scalar"), "cond", (jnp.ones(3),))
def cond_vector_predicate(x):
    return lax.cond(x > 0, lambda v: v, lambda v: -v, x)


@case(
    "TypeError",
    "lax.fori_loop(0, 3, body, x)",
    ("body_fun(i, carry)|(i, carry)",),
    "fori-loop",
    (jnp.ones(2),),
)
def fori_one_argument_body(x):
    def body(carry):
        return carry * 2

    return lax.fori_loop(0, 3, body, x)


@case("TypeError", "lax.scan(step, 0.0, xs)", ("(carry, y)|pair",), "scan", (jnp.ones(3),))
def scan_returns_only_carry(xs):
    def step(c, x):
        return c + x

    return lax.scan(step, 0.0, xs)


@case("TypeError", "lax.switch(i, branches, x)", ("astype", "int"), "switch", (1.0, jnp.ones(2)))
def switch_float_index(i, x):
    branches = [lambda v: v, lambda v: -v]
    return lax.switch(i, branches, x)


@case(
    "TypeError",
    "lax.dynamic_slice(x, (i,), (n,))",
    ("static_argnums", "size"),
    "dynamic-slicing",
    (jnp.arange(6.0), 1, 2),
)
def dynamic_slice_traced_size(x, i, n):
    return lax.dynamic_slice(x, (i,), (n,))
