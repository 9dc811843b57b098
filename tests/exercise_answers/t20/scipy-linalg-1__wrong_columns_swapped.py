"""Return [slope, intercept]: the column of t first, the column of ones second."""

import jax.numpy as jnp


def fit_line(t, y):
    A = jnp.stack([jnp.ones_like(t), t], axis=1)
    return jnp.linalg.lstsq(A, y)[0]
