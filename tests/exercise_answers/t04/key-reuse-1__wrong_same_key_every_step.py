"""Every step of your walk is the same number: the loop draws from the same key each time. Split
inside the loop: `key, sub = jax.random.split(key)`, then draw from `sub`.
"""

import jax
import jax.numpy as jnp


def random_walk(key, n):
    x, positions = 0.0, []
    for _ in range(n):
        x = x + jax.random.normal(key)
        positions.append(x)
    return jnp.stack(positions)
