"""`w` and `b` were both drawn from `key` itself, so their random bits are the same: split first
(`key_w, key_b = jax.random.split(key)`) and give each draw its own key.
"""

import jax


def init_params(key):
    return {"w": jax.random.normal(key, (3, 2)), "b": jax.random.uniform(key, (2,))}
