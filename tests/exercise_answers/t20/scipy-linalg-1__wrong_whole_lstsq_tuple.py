"""jnp.linalg.lstsq returns four things (solution, residuals, rank, singular values): take the
first, jnp.linalg.lstsq(A, y)[0].
"""

import jax.numpy as jnp


def fit_line(t, y):
    A = jnp.stack([t, jnp.ones_like(t)], axis=1)
    return jnp.linalg.lstsq(A, y)
