"""After splitting, use only the new keys: one sample was drawn from `key` itself, which already
made the split keys, so the numbers are related.
"""

import jax


def two_samples(key):
    key_a, key_b = jax.random.split(key)
    return jax.random.normal(key, (3,)), jax.random.normal(key_b, (3,))
