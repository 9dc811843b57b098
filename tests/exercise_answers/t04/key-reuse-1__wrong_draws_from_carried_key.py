"""Inside the loop you split `key` into `key, sub` but drew from `key`, the one you carry to the
next split: that key is used twice. Draw from `sub`, carry `key`.
"""

import jax
import jax.numpy as jnp


def random_walk(key, n):
    x, positions = 0.0, []
    for _ in range(n):
        key, sub = jax.random.split(key)
        x = x + jax.random.normal(key)
        positions.append(x)
    return jnp.stack(positions)
