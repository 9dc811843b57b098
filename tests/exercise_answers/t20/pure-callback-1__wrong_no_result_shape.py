"""pure_callback(callback, result_shape_dtypes, *args): the second argument says what the callback
returns, e.g. jax.ShapeDtypeStruct(x.shape, x.dtype); the arrays come after it.
"""

import jax
import numpy as np


def running_max(x):
    return jax.pure_callback(np.maximum.accumulate, x)
