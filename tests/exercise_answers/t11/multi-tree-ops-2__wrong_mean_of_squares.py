"""jnp.mean(x**2) divides by the number of elements; the norm adds the squares: jnp.sum(x**2) for
every leaf.
"""

import jax
import jax.numpy as jnp


def global_norm(tree):
    return jnp.sqrt(sum(jnp.mean(x**2) for x in jax.tree.leaves(tree)))
