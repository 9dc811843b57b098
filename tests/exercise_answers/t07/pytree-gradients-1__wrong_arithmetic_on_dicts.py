"""params and grads are dicts, and Python can't subtract dicts. Update every leaf at once:
`jax.tree.map(lambda p, g: p - lr * g, params, grads)`.
"""

import jax
import jax.numpy as jnp


def sgd_step(params, x, y, lr):
    def loss(params, x, y):
        return jnp.mean((x @ params["w"] + params["b"] - y) ** 2)

    grads = jax.grad(loss)(params, x, y)
    return params - lr * grads
