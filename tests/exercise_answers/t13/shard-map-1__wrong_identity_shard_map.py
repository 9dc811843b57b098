"""Your shard_map does not produce the answer: the squares or the sum are finished outside it,
where jit works on the whole array. Do the work per device inside the shard_map (square, sum,
then jax.lax.psum(..., 'data')) and return its result, with out_specs=P().
"""

import jax
import jax.numpy as jnp
from jax.sharding import PartitionSpec as P


def sum_of_squares(x, mesh):
    spec = P("data")
    y = jax.shard_map(lambda b: b, mesh=mesh, in_specs=spec, out_specs=spec)(x)
    return jnp.sum(y**2)
