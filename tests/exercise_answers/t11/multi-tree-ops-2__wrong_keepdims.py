"""The global norm is one number, a scalar of shape (): reduce every leaf completely with
jnp.sum(x**2) (no axis=, no keepdims) and add those sums.
"""

import jax
import jax.numpy as jnp


def global_norm(tree):
    every = jnp.concatenate([jnp.ravel(x) for x in jax.tree.leaves(tree)])
    return jnp.sqrt(jnp.sum(every**2, keepdims=True))
