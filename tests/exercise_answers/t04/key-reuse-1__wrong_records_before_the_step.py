"""Your walk starts with 0, so you recorded the position before taking the step: entry i is the
position *after* i + 1 steps. Add the step to x first, then append x.
"""

import jax
import jax.numpy as jnp


def random_walk(key, n):
    x, positions = 0.0, []
    for _ in range(n):
        key, sub = jax.random.split(key)
        positions.append(x)
        x = x + jax.random.normal(sub)
    return jnp.stack([jnp.asarray(p, jnp.float32) for p in positions])
