"""JAX arrays are immutable, so `m[i, i] = 0` is refused. `m.at[i, i].set(0.0)` returns a new array
with those entries replaced.
"""

import jax.numpy as jnp


def zero_diagonal(m):
    i = jnp.arange(m.shape[0])
    m[i, i] = 0.0
    return m
