"""Your samples ignore the key argument: a key made from a fixed seed (`jax.random.key(0)` inside
the function, or a key made once outside it) gives the same pair whatever key you are given.
Split `key` itself.
"""

import jax


def two_samples(key):
    key_a, key_b = jax.random.split(jax.random.key(0))
    return jax.random.normal(key_a, (3,)), jax.random.normal(key_b, (3,))
