"""jax.pure_callback(host_fn, jax.ShapeDtypeStruct(shape, dtype), *args, vmap_method=...)"""

import jax
import numpy as np


def running_max(x):
    out = jax.ShapeDtypeStruct(x.shape, x.dtype)
    return jax.pure_callback(np.cumsum, out, x, vmap_method="sequential")
