"""Snippets with shapes that do not fit, immutable arrays and gradient input or output types."""

import jax
import jax.numpy as jnp

from . import case


@case(
    "TypeError",
    "x + b",
    ("shape", "x[:, None]|reshape"),
    "broadcasting-reshaping",
    (jnp.ones(3), jnp.ones(4)),
)
def add_bias(x, b):
    return x + b


@case(
    "TypeError",
    "x @ w",
    ("shape", ".T|transpose"),
    "broadcasting-reshaping",
    (jnp.ones(3), jnp.ones((4, 5))),
)
def project(x, w):
    return x @ w


@case("TypeError", "x.reshape(4, 2)", ("size", "-1"), "broadcasting-reshaping", (jnp.ones(6),))
def reshape_wrong(x):
    return x.reshape(4, 2)


@case(
    "TypeError",
    "jnp.concatenate([a, b])",
    ("shape",),
    "broadcasting-reshaping",
    (jnp.ones((2, 3)), jnp.ones((2, 4))),
)
def join_rows(a, b):
    return jnp.concatenate([a, b])


@case(
    "ValueError",
    "jnp.stack([a, b])",
    ("same shape",),
    "broadcasting-reshaping",
    (jnp.ones(2), jnp.ones(3)),
)
def stack_ragged(a, b):
    return jnp.stack([a, b])


@case(
    "ValueError",
    "jax.vmap(jnp.dot)(a, b)",
    ("in_axes", "size"),
    "in-axes",
    (jnp.ones((3, 2)), jnp.ones((4, 2))),
)
def vmap_sizes(a, b):
    return jax.vmap(jnp.dot)(a, b)


@case("ValueError", "in_axes=1", ("in_axes",), "in-axes", (jnp.ones(3),))
def vmap_axis_out_of_range(x):
    return jax.vmap(jnp.sin, in_axes=1)(x)


@case("TypeError", "jax.grad(f)(x)", ("scalar", "sum|jax.jacobian|vmap"), "grad", (jnp.ones(3),))
def grad_vector_output(x):
    def f(x):
        return x**2

    return jax.grad(f)(x)


@case("TypeError", "jax.grad(jnp.square)(n)", ("float",), "grad", (3,), via="call")
def grad_of_int(n):
    return jax.grad(jnp.square)(n)


@case("TypeError", "jax.grad(loss)(w)", ("has_aux",), "has-aux", (jnp.ones(3),))
def grad_with_aux(w):
    def loss(w):
        return jnp.sum(w**2), {"norm": jnp.linalg.norm(w)}

    return jax.grad(loss)(w)


@case("TypeError", "x[0] = 1.0", (".at[0].set",), "at-set", (jnp.ones(3),))
def assign_in_place(x):
    x[0] = 1.0
    return x


@case("TypeError", "x[1:] += 1.0", (".at[1:].add",), "at-set", (jnp.ones(3),))
def add_in_place(x):
    x[1:] += 1.0
    return x


@case("TypeError", "y[i] = v", (".at[i].set",), "at-set", (jnp.ones(3), 1, 5.0), via="call")
def assign_eagerly(y, i, v):
    y[i] = v
    return y


@case(
    "TypeError",
    "jnp.sum(values)",
    ("jnp.asarray|jnp.array",),
    "jax-numpy",
    ([1.0, 2.0, 3.0],),
    via="call",
)
def sum_of_list(values):
    return jnp.sum(values)


@case(
    "TypeError",
    "jnp.array(x * k for k in range(3))",
    ("[", "jnp.stack|list"),
    "jax-numpy",
    (jnp.ones(2),),
)
def array_of_generator(x):
    return jnp.array(x * k for k in range(3))


@case("ValueError", "scan(", ("leading", "same"), "scan", (jnp.ones(3), jnp.ones(4)))
def scan_ragged_xs(a, b):
    return jax.lax.scan(lambda c, xy: (c + xy[0] * xy[1], None), 0.0, (a, b))
