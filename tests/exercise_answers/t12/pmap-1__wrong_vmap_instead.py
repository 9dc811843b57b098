"""The numbers are right but everything ran on one device: vmap (and a plain jnp.sum over an axis)
vectorise on a single device. jax.pmap runs one copy per device, each on its row.
"""

import jax
import jax.numpy as jnp


def device_sums(x):
    return jax.vmap(jnp.sum)(x.reshape(jax.local_device_count(), -1))
