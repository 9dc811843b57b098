"""Return the norm as a float32 array, the dtype of the leaves: no .astype(...) or float() around
it (clipping code keeps the global norm in float32).
"""

import jax
import jax.numpy as jnp


def global_norm(tree):
    total = jax.tree.reduce(lambda acc, x: acc + jnp.sum(x**2), tree, 0.0)
    return jnp.sqrt(total).astype(jnp.bfloat16)
