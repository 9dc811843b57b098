"""x - y subtracts row i of y from row i of x (it only works when both have n rows) and gives n
numbers, not an (n, m) table. Insert axes so the shapes broadcast to (n, m, d): x[:, None, :] -
y[None, :, :].
"""

import jax.numpy as jnp


def pairwise_sq_dists(x, y):
    return jnp.sum((x - y) ** 2, axis=-1)
