"""argnums counts from 0, like Python indexing: w is argument 0 and b is argument 1, so use
`argnums=(0, 1)`.
"""

import jax
import jax.numpy as jnp


def grads_wb(w, b, x, y):
    def loss(w, b, x, y):
        return jnp.mean((x @ w + b - y) ** 2)

    return jax.grad(loss, argnums=(1, 2))(w, b, x, y)
