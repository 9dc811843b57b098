"""Both samples came from the same key, so they are identical. Split it first: `key_a, key_b =
jax.random.split(key)`.
"""

import jax


def two_samples(key):
    return jax.random.normal(key, (3,)), jax.random.normal(key, (3,))
