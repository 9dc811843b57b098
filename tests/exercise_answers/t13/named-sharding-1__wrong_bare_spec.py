"""A bare PartitionSpec does not say which devices: wrap it with the mesh, jax.device_put(x,
NamedSharding(mesh, P('data', None))).
"""

import jax
from jax.sharding import PartitionSpec as P


def shard_rows(x, mesh):
    return jax.device_put(x, P("data", None))
