"""jnp.asarray and device_put without a sharding put the whole array on one device: pass
NamedSharding(mesh, P('data', None)) to jax.device_put.
"""

import jax.numpy as jnp


def shard_rows(x, mesh):
    return jnp.asarray(x)
