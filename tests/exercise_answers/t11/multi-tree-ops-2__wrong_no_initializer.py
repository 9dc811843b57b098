"""Without an initializer, tree.reduce starts from the first leaf itself, so that leaf is never
squared and summed. Pass a start value: jax.tree.reduce(f, tree, 0.0).
"""

import jax
import jax.numpy as jnp


def global_norm(tree):
    return jnp.sqrt(jax.tree.reduce(lambda acc, x: acc + jnp.sum(x**2), tree))
