"""One key per step, derived from the root key and the step number."""

import jax
import jax.numpy as jnp


def dropout_masks(key, n_steps, shape, rate):
    keys = [jax.random.fold_in(key, i) for i in range(n_steps)]
    return jnp.stack([jax.random.bernoulli(k, shape=shape) for k in keys])
