"""bfloat16 has float32's range, so nothing overflows, but only about 3 significant digits: the sum
comes out inaccurate. Square and sum in float32: x.astype(jnp.float32).
"""

import jax.numpy as jnp


def sum_of_squares(x):
    xb = x.astype(jnp.bfloat16)
    return jnp.sum(xb * xb).astype(jnp.float32)
