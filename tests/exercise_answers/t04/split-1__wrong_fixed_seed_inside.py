"""Your result ignores the key argument: a key made from a fixed seed (`jax.random.key(0)` inside
the function, or a key made once outside it) gives the same numbers whatever key you are given.
Split the key you get.
"""

import jax


def init_params(key):
    key_w, key_b = jax.random.split(jax.random.key(0))
    return {"w": jax.random.normal(key_w, (3, 2)), "b": jax.random.uniform(key_b, (2,))}
