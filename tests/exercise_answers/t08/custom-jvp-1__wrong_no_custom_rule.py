"""The derivative of sqrt at 0 is infinite, and 0 · inf is nan, so the automatic gradient of the
norm at x = 0 is nan. Decorate with `@jax.custom_jvp` and give a rule whose tangent is 0 there.
"""

import jax.numpy as jnp


def safe_norm(x):
    return jnp.sqrt(jnp.sum(x**2))
