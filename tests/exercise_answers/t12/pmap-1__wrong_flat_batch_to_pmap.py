"""pmap maps over axis 0 and needs one row per device, so a flat batch longer than the number of
devices is refused. Reshape first: x.reshape(jax.local_device_count(), -1).
"""

import jax
import jax.numpy as jnp


def device_sums(x):
    return jax.pmap(jnp.sum)(x)
