"""rate is the probability of DROPPING a unit; bernoulli(k, p) is True with probability p, so a
keep-mask needs `p = 1 - rate`.
"""

import jax
import jax.numpy as jnp


def dropout_masks(key, n_steps, shape, rate):
    keys = [jax.random.fold_in(key, i) for i in range(n_steps)]
    return jnp.stack([jax.random.bernoulli(k, rate, shape) for k in keys])
