"""In JAX 0.10 jax.make_mesh gives Explicit axes unless you say otherwise: pass
axis_types=(AxisType.Auto, AxisType.Auto), one entry per axis name.
"""

import jax


def auto_mesh(n_data, n_model):
    return jax.make_mesh((n_data, n_model), ("data", "model"))
