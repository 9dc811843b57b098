"""jnp.asarray and device_put without a sharding put the whole array on one device"""

import jax
import numpy as np
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P


def shard_rows(x, mesh):
    return np.asarray(jax.device_put(x, NamedSharding(mesh, P("data", None))))
