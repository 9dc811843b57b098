"""That is one gradient for the whole batch (the average). Per-example gradients keep a batch axis:
`jax.vmap(jax.grad(loss), in_axes=(None, 0, 0))(params, xs, ys)`.
"""

import jax
import jax.numpy as jnp


def loss(params, x, y):
    return (jnp.dot(x, params["w"]) + params["b"] - y) ** 2


def per_example_grads(params, xs, ys):
    return jax.grad(lambda p: jnp.mean(jax.vmap(loss, (None, 0, 0))(p, xs, ys)))(params)
