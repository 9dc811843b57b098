"""You returned the steps themselves: entry i must be the position, the sum of the first i + 1
steps. Add each step to a running `x` (or take jnp.cumsum of the steps).
"""

import jax
import jax.numpy as jnp


def random_walk(key, n):
    steps = []
    for _ in range(n):
        key, sub = jax.random.split(key)
        steps.append(jax.random.normal(sub))
    return jnp.stack(steps)
