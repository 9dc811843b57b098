"""Your matrix is transposed: the outer vmap decides the first axis. Map over xs in the outer vmap,
`in_axes=(0, None)`, and over ys in the inner one, `in_axes=(None, 0)`.
"""

import jax
import jax.numpy as jnp


def rbf(x, y):
    return jnp.exp(-jnp.sum((x - y) ** 2))


def kernel_matrix(xs, ys):
    return jax.vmap(jax.vmap(rbf, in_axes=(0, None)), in_axes=(None, 0))(xs, ys)
