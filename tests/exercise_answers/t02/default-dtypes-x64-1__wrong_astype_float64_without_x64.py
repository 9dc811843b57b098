"""With 64-bit mode off, JAX quietly turns float64 requests into float32 (it only warns). Turn it
on for this computation only: `with jax.enable_x64(True): ...`.
"""

import jax.numpy as jnp


def precise_sum(values):
    return jnp.sum(jnp.asarray(values).astype(jnp.float64))
