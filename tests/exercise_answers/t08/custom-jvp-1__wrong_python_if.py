"""x is a tracer: under jit only its shape and dtype are known, not its value, so Python cannot
decide the branch
"""

import jax.numpy as jnp


def safe_norm(x):
    if not jnp.any(x):
        return jnp.float32(0.0)
    return jnp.sqrt(jnp.sum(x**2))
