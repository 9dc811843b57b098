import jax
from jax.sharding import PartitionSpec as P


def to_columns(x, mesh):
    with jax.sharding.use_abstract_mesh(mesh.abstract_mesh):
        return jax.sharding.reshard(2 * x, P(None, "data"))
