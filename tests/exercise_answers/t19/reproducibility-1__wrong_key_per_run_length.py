"""derive step i's key from key and i alone, e.g. jax.random.fold_in(key, i), so a resumed or
longer run repeats the same masks
"""

import jax
import jax.numpy as jnp


def dropout_masks(key, n_steps, shape, rate):
    run_key = jax.random.fold_in(key, n_steps)
    keys = [jax.random.fold_in(run_key, i) for i in range(n_steps)]
    return jnp.stack([jax.random.bernoulli(k, 1.0 - rate, shape) for k in keys])
