"""The length is right, but the zeros went in front: pad at the end, `jnp.pad(x, (0, size - n))`
(the pair is (before, after)).
"""

import jax.numpy as jnp


def pad_to_bucket(x):
    n = x.shape[0]
    return jnp.pad(x, (-(-n // 8) * 8 - n, 0))
