"""Your gradients are right, but this exercise trains jax.custom_jvp: decorate safe_norm with
`@jax.custom_jvp` and give it its JVP rule with `@safe_norm.defjvp`.
"""

import jax.numpy as jnp


def safe_norm(x):
    sq = jnp.sum(x**2)
    safe_sq = jnp.where(sq == 0, 1.0, sq)
    return jnp.where(sq == 0, 0.0, jnp.sqrt(safe_sq))
