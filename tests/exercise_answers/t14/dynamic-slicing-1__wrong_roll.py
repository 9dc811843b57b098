"""Rolling wraps around: near the end you get elements from the start of `x`. `lax.dynamic_slice`
clamps the start instead, so the window stays inside the array.
"""

import jax.numpy as jnp


def window3(x, i):
    return jnp.roll(x, -i)[:3]
