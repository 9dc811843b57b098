"""float()/int() would need its value, which under jit is not known while tracing"""

import jax
import jax.numpy as jnp


def global_norm(tree):
    total = sum(float(jnp.sum(x**2)) for x in jax.tree.leaves(tree))
    return jnp.sqrt(jnp.float32(total))
