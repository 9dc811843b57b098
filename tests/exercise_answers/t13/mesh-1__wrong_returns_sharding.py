"""return the mesh itself: jax.make_mesh(shape, names, axis_types=...)"""

import jax
from jax.sharding import AxisType, NamedSharding
from jax.sharding import PartitionSpec as P


def auto_mesh(n_data, n_model):
    mesh = jax.make_mesh((n_data, n_model), ("data", "model"), axis_types=(AxisType.Auto,) * 2)
    return NamedSharding(mesh, P())
