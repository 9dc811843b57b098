"""psum adds the devices' gradients, so the step is n_devices times too large. Each device's loss
is a mean over its shard: average the gradients with pmean.
"""

import jax
import jax.numpy as jnp


def train_step(w, x, y):
    g = jax.grad(lambda w: jnp.mean((x @ w - y) ** 2))(w)
    return w - 0.1 * jax.lax.psum(g, "batch")
