"""Sum over the feature axis (the last one, d) after broadcasting to (n, m, d), so that the (n, m)
pairs remain: jnp.sum(diff ** 2, axis=-1).
"""

import jax.numpy as jnp


def pairwise_sq_dists(x, y):
    diff = x[:, None, :] - y[None, :, :]
    return jnp.sum(diff**2, axis=0)
