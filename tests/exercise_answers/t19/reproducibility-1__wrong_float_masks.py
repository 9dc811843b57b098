"""return a boolean array of shape (n_steps, *shape)"""

import jax
import jax.numpy as jnp


def dropout_masks(key, n_steps, shape, rate):
    def one(step):
        keep = jax.random.bernoulli(jax.random.fold_in(key, step), 1.0 - rate, shape)
        return keep.astype(jnp.float32)

    return jax.vmap(one)(jnp.arange(n_steps))
