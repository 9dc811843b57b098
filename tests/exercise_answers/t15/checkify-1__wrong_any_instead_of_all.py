"""`jnp.any(x > 0)` passes as soon as one entry is positive; every entry must be: `jnp.all(x
> 0)`.
"""

import jax.numpy as jnp


def checked_log(x):
    from jax.experimental import checkify

    checkify.check(jnp.any(x > 0), "x must be positive")
    return jnp.log(x)
