"""Nothing was flagged for an input with a negative entry: add `checkify.check(jnp.all(x > 0), 'x
must be positive')` before the log.
"""

import jax.numpy as jnp


def checked_log(x):
    return jnp.log(x)
