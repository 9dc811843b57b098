"""draw each sample with jax.random.normal from its own split key"""

import jax


def two_samples(key):
    key_a, key_b = jax.random.split(key)
    return jax.random.uniform(key_a, (3,)), jax.random.uniform(key_b, (3,))
