"""A ring closes: the last device sends to device 0."""

import jax
import jax.numpy as jnp


def shift_right(x):
    n = jax.lax.axis_size("ring")
    shifted = jax.lax.ppermute(x, "ring", [(i, (i + 1) % n) for i in range(n)])
    return jnp.where(jax.lax.axis_index("ring") == 0, jnp.zeros_like(x), shifted)
