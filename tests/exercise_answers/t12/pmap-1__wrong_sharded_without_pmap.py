"""The sums are right and spread over the devices, but no pmap ran: placing the data with
device_put or jit's shardings lets XLA split the work. This exercise is about jax.pmap:
jax.pmap(jnp.sum)(x.reshape(jax.local_device_count(), -1)).
"""

import jax
import jax.numpy as jnp
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P


def device_sums(x):
    n = jax.local_device_count()
    mesh = jax.make_mesh((n,), ("d",))
    rows = jax.device_put(x.reshape(n, -1), NamedSharding(mesh, P("d")))
    return jnp.sum(rows, axis=1)
