"""0 is not positive (and log(0) is -inf), yet [0.0, 1.0] got through: check `jnp.all(x > 0)`, not
`x >= 0`.
"""

import jax.numpy as jnp


def checked_log(x):
    from jax.experimental import checkify

    checkify.check(jnp.all(x >= 0), "x must be positive")
    return jnp.log(x)
