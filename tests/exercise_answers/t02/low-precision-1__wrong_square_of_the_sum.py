"""Return one float32 number, the sum of the squares: square every entry, then add all the squares
up: jnp.sum(x32 * x32).
"""

import jax.numpy as jnp


def sum_of_squares(x):
    return jnp.sum(x.astype(jnp.float32)) ** 2
