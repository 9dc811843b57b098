"""Adding the norms of the leaves gives more than the global norm. Add the squares of every leaf
first, then take a single square root: jnp.sqrt(sum of jnp.sum(x**2)).
"""

import jax
import jax.numpy as jnp


def global_norm(tree):
    return sum(jnp.linalg.norm(jnp.ravel(x)) for x in jax.tree.leaves(tree))
