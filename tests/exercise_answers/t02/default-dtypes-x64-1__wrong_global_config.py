"""jax.config.update('jax_enable_x64', True) switches 64-bit mode on for the whole process and
leaves it on. Use the scoped `with jax.enable_x64(True):` so it ends with your function.
"""

import jax
import jax.numpy as jnp


def precise_sum(values):
    jax.config.update("jax_enable_x64", True)
    return jnp.sum(jnp.asarray(values))
