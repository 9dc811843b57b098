"""`assert` (like `if ...: raise`) needs a concrete True/False, but inside jit and checkify the
condition is a tracer. Use `checkify.check(jnp.all(x > 0), 'message')`.
"""

import jax.numpy as jnp


def checked_log(x):
    assert jnp.all(x > 0), "x must be positive"
    return jnp.log(x)
