"""Square every element of every leaf, add them all up (jax.tree.leaves or jax.tree.reduce with 0.0
reaches every leaf), then take one square root.
"""

import jax
import jax.numpy as jnp


def global_norm(tree):
    return jnp.sqrt(sum(jnp.sum(x**2) for x in jax.tree.leaves(tree["encoder"])))
