"""jnp.where picks the value, but the gradient flows through both branches: sqrt's derivative at x
<= 0 is inf or nan, and 0 * nan is nan. Also feed sqrt a safe input: `jnp.sqrt(jnp.where(x > 0,
x, 1.0))` inside the outer where.
"""

import jax.numpy as jnp


def safe_sqrt(x):
    return jnp.where(x > 0, jnp.sqrt(x), 0.0)
