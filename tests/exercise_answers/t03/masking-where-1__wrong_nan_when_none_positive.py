"""When nothing is positive you divide 0 by 0 and get NaN. Divide by jnp.maximum(count, 1) so the
answer is 0.0.
"""

import jax.numpy as jnp


def mean_positive(x):
    mask = x > 0
    return jnp.sum(jnp.where(mask, x, 0.0)) / jnp.sum(mask)
