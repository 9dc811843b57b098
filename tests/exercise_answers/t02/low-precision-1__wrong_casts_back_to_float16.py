"""You squared and summed in float32, then turned the result back into float16, which overflows to
inf above 65504. Return the float32 sum as it is.
"""

import jax.numpy as jnp


def sum_of_squares(x):
    x32 = x.astype(jnp.float32)
    return jnp.sum(x32 * x32).astype(jnp.float16)
