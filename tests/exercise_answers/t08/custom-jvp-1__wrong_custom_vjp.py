"""A custom_jvp rule receives (primals, tangents) and returns (output, output tangent); grad is
derived from it.
"""

import jax
import jax.numpy as jnp


@jax.custom_vjp
def safe_norm(x):
    return jnp.sqrt(jnp.sum(x**2))


def _fwd(x):
    y = safe_norm(x)
    return y, (x, y)


def _bwd(res, g):
    x, y = res
    return (jnp.where(y == 0, 0.0, g * x / jnp.where(y == 0, 1.0, y)),)


safe_norm.defvjp(_fwd, _bwd)
