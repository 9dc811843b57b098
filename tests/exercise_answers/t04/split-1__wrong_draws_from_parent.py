"""You split `key` but then still drew from `key`: once a key has been split it is spent. Draw only
from the new keys split returned.
"""

import jax


def init_params(key):
    key_w, key_b = jax.random.split(key)
    return {"w": jax.random.normal(key, (3, 2)), "b": jax.random.uniform(key_b, (2,))}
