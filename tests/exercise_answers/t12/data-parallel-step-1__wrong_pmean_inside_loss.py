"""You used a collective, but inside the loss that jax.grad differentiates: each device still gets
the gradient of its own shard. Take the local gradient first, then average the gradients: g =
jax.lax.pmean(jax.grad(loss)(w), 'batch').
"""

import jax
import jax.numpy as jnp


def train_step(w, x, y):
    g = jax.grad(lambda w: jax.lax.pmean(jnp.mean((x @ w - y) ** 2), "batch"))(w)
    return w - 0.1 * g
