"""A PartitionSpec lists the mesh axis for each array dimension in order: rows are dimension 0, so
P('data', None) splits rows; P(None, 'data') splits columns.
"""

import jax
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P


def shard_rows(x, mesh):
    return jax.device_put(x, NamedSharding(mesh, P(None, "data")))
