"""Where x <= 0 the result must be exactly 0.0, not a small number: clamping to an epsilon gives
sqrt(1e-10) = 1e-5 there. Select the 0.0 with an outer `jnp.where(x > 0, jnp.sqrt(jnp.where(x >
0, x, 1.0)), 0.0)`.
"""

import jax.numpy as jnp


def safe_sqrt(x):
    return jnp.sqrt(jnp.maximum(x, 1e-10))
