"""the shape tuple and the names tuple go in the same order"""

import jax
from jax.sharding import AxisType


def auto_mesh(n_data, n_model):
    return jax.make_mesh((n_data, n_model), ("model", "data"), axis_types=(AxisType.Auto,) * 2)
