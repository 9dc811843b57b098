"""NumPy's random numbers come from hidden global state: they don't follow the key, can't be
reproduced, and become constants under jit. Use jax.random with the key you are given.
"""

import numpy as np


def two_samples(key):
    return np.random.normal(size=3), np.random.normal(size=3)
