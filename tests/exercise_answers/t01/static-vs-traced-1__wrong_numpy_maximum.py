"""NumPy functions need concrete numbers, so they fail on tracers under jit: use `jnp.maximum`
instead of `np.maximum`.
"""

import numpy as np


def relu_or_identity(x, use_relu):
    if use_relu:
        return np.maximum(x, 0)
    return x
