"""The global norm is the square root of the sum of squares of all leaves."""

import jax
import jax.numpy as jnp


def global_norm(tree):
    return jax.tree.reduce(lambda acc, x: acc + jnp.sum(x**2), tree, 0.0)
