"""NumPy's random numbers come from hidden global state: they don't follow the key, can't be
reproduced, and become constants under jit.
"""

import jax.numpy as jnp
import numpy as np


def two_samples(key):
    return jnp.asarray(np.random.normal(size=3)), jnp.asarray(np.random.normal(size=3))
