"""return a tuple: `return a, b`"""

import jax


def two_samples(key):
    return jax.random.normal(key, (2, 3))
