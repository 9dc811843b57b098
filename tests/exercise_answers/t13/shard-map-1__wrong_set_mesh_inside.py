"""`with jax.set_mesh(mesh):` cannot be entered inside jit, and the check also compiles your
function with jax.jit: give the mesh to shard_map itself, jax.shard_map(..., mesh=mesh, ...).
"""

import jax
import jax.numpy as jnp
from jax.sharding import PartitionSpec as P


def sum_of_squares(x, mesh):
    def per_device(block):
        return jax.lax.psum(jnp.sum(block**2), "data")

    with jax.set_mesh(mesh):
        return jax.shard_map(per_device, in_specs=P("data"), out_specs=P())(x)
