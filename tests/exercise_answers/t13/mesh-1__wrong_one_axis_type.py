"""axis_types needs one AxisType per mesh axis: two axes, so (AxisType.Auto, AxisType.Auto) (or
(AxisType.Auto,) * 2).
"""

import jax
from jax.sharding import AxisType


def auto_mesh(n_data, n_model):
    return jax.make_mesh((n_data, n_model), ("data", "model"), axis_types=(AxisType.Auto,))
