"""jnp.linalg.lstsq(A, y) solves an overdetermined system; so does jax.scipy.linalg.solve(A.T @ A,
A.T @ y).
"""

import jax.numpy as jnp


def fit_line(t, y):
    A = jnp.stack([t, jnp.ones_like(t)], axis=1)
    return jnp.linalg.solve(A[:2], y[:2])
