"""axis=0 reduces down the columns, so you divided each column by its norm. Each row's norm reduces
along axis 1: jnp.linalg.norm(x, axis=1, keepdims=True).
"""

import jax.numpy as jnp


def normalise_rows(x):
    return x / jnp.linalg.norm(x, axis=0, keepdims=True)
