"""Every step drew its mask from the same key, so every step drops the same units. Give each step
its own key: `jax.random.fold_in(key, step)`.
"""

import jax
import jax.numpy as jnp


def dropout_masks(key, n_steps, shape, rate):
    return jnp.stack([jax.random.bernoulli(key, 1.0 - rate, shape) for _ in range(n_steps)])
