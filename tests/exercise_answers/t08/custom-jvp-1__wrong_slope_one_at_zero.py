"""A custom_jvp rule receives (primals, tangents) and returns (output, output tangent); grad is
derived from it.
"""

import jax
import jax.numpy as jnp


@jax.custom_jvp
def safe_norm(x):
    return jnp.sqrt(jnp.sum(x**2))


@safe_norm.defjvp
def _safe_norm_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    y = safe_norm(x)
    safe_y = jnp.where(y == 0, 1.0, y)
    return y, jnp.where(y == 0, jnp.sum(t), jnp.dot(x, t) / safe_y)
