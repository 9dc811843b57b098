"""jnp.arange(start, stop, step) stops *before* stop, so 1.0 is missing (and float steps round
unpredictably). jnp.linspace(0.0, 1.0, n) gives exactly n points, both ends included.
"""

import jax.numpy as jnp


def unit_grid(n):
    return jnp.arange(0.0, 1.0, 1.0 / (n - 1))
