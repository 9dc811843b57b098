"""`if norm > 1:` asks Python for a concrete bool, but under jit the norm is a tracer. Let JAX
choose at run time: `jax.lax.cond(norm > 1, lambda x: x / norm, lambda x: x, x)`.
"""

import jax.numpy as jnp


def clip_to_unit_ball(x):
    norm = jnp.linalg.norm(x)
    if norm > 1:
        return x / norm
    return x
