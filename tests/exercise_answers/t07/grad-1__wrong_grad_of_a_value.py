"""jax.grad takes the function itself and returns a new function: `jax.grad(loss)(w, x, y)`, not
`jax.grad(loss(w, x, y))`.
"""

import jax
import jax.numpy as jnp


def loss_grad(w, x, y):
    def loss(w, x, y):
        return jnp.mean((x @ w - y) ** 2)

    return jax.grad(loss(w, x, y))
