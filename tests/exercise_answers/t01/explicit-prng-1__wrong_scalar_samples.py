"""`jax.random.normal(k, (3,))` draws one sample"""

import jax


def two_samples(key):
    key_a, key_b = jax.random.split(key)
    return jax.random.normal(key_a), jax.random.normal(key_b)
