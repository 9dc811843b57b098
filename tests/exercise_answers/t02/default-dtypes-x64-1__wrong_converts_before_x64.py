"""convert the NumPy values inside the 64-bit block, so they are never float32"""

import jax
import jax.numpy as jnp


def precise_sum(values):
    v = jnp.asarray(values)
    with jax.enable_x64(True):
        return jnp.sum(v.astype(jnp.float64))
