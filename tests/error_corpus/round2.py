"""A second batch of snippets, written after the first was measured, for a fresh held-out half."""

import math

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from . import case

V = (jnp.array([1.0, -2.0, 3.0, -4.0]),)
K = (jax.random.key(1),)


@case("TypeError", "jnp.full((n,), 0.0)", ("static_argnums",), "static-args", (3,))
def filled(n):
    return jnp.full((n,), 0.0)


@case(
    "TypeError", "x.reshape(-1, k)", ("static_argnums", "x.shape"), "static-args", (jnp.ones(6), 3)
)
def chunks(x, k):
    return x.reshape(-1, k).sum(1)


@case("IndexError", "x[jnp.argmax(x) :]", ("lax.dynamic_slice|jnp.where",), "dynamic-slicing", V)
def from_peak(x):
    return x[jnp.argmax(x) :].sum()


@case("TypeError", "x.at[0] = 5.0", (".at[0].set",), "at-set", V)
def at_assign(x):
    x.at[0] = 5.0
    return x


@case(
    "TypeError",
    "a @ b",
    ("shape", ".T|transpose"),
    "broadcasting-reshaping",
    (jnp.ones((2, 3)), jnp.ones((2, 3))),
)
def gram(a, b):
    return a @ b


@case(
    "TracerBoolConversionError",
    "bool(x.sum())",
    ("jnp.where", "lax.cond"),
    "python-control-flow",
    V,
)
def explicit_bool(x):
    flag = bool(x.sum())
    return x * flag


@case(
    "TracerBoolConversionError",
    "while i < n",
    ("lax.while_loop|fori_loop",),
    "while-loop",
    (jnp.ones(2), 3),
)
def repeat_while(x, n):
    i = 0
    while i < n:
        x = x * 2
        i += 1
    return x


@case("TracerArrayConversionError", "np.array([x, 1.0])", ("jnp.array",), "jax-numpy", (2.0,))
def pair_numpy(x):
    return np.array([x, 1.0]).sum()


@case("ConcretizationTypeError", "math.exp(x)", ("jnp.exp",), "jax-numpy", (1.0,))
def exp_with_math(x):
    return math.exp(x) - 1


@case(
    "ConcretizationTypeError",
    "float(jnp.sum(x))",
    ("astype|keep it an array",),
    "static-vs-traced",
    V,
)
def total_as_float(x):
    return x / float(jnp.sum(x))


@case(
    "KeyReuseError",
    "k2 = jax.random.split(key)",
    ("jax.random.split",),
    "key-reuse",
    K,
    context=lambda: jax.debug_key_reuse(True),
)
def split_twice(key):
    k1 = jax.random.split(key)
    k2 = jax.random.split(key)
    return jax.random.normal(k1[0]) + jax.random.normal(k2[0])


@case(
    "TypeError",
    "jax.grad(loss)(params)",
    ("float",),
    "grad",
    ({"w": jnp.ones(2), "n": jnp.int32(3)},),
)
def grad_int_leaf(params):
    def loss(p):
        return jnp.sum(p["w"] * p["n"])

    return jax.grad(loss)(params)


@case("ValueError", "in_axes=(0,)", ("in_axes",), "in-axes", (jnp.ones((3, 2)), jnp.ones((3, 2))))
def in_axes_too_short(a, b):
    return jax.vmap(lambda u, v: u @ v, in_axes=(0,))(a, b)


@case("TypeError", "lax.scan(step, [0.0, 0.0], xs)", ("carry", "same"), "scan", (jnp.ones(3),))
def scan_list_vs_tuple(xs):
    def step(c, x):
        return (c[0] + x, c[1] * x), x

    return lax.scan(step, [0.0, 0.0], xs)


@case("TypeError", "lax.cond(p > 0", ("same", "dtype|shape"), "cond", (1.0,))
def cond_shape_scalar_vs_vector(p):
    return lax.cond(p > 0, lambda: jnp.ones(2), lambda: 0.0)


@case(
    "TypeError", "jnp.sum(rows)", ("jnp.asarray|jnp.array|jnp.stack",), "jax-numpy", (), via="call"
)
def sum_list_of_lists():
    rows = [[1.0, 2.0], [3.0, 4.0]]
    return jnp.sum(rows)


@case("TracerIntegerConversionError", "names[i]", ("jnp.asarray|static",), "indexing", (1,))
def pick_name_length(i):
    names = [3, 5, 7]
    return jnp.float32(names[i])


@case("ConcretizationTypeError", "jnp.unique(x, size=None)", ("size=",), "masking-where", V)
def unique_no_size(x):
    return jnp.unique(x, size=None)
