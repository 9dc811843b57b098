"""Reverse mode cannot go back through lax.while_loop: the number of steps is unknown when the
backward pass is built. Run a fixed number of steps: `jax.lax.fori_loop(0, 20, body, x0)` with
Python-int bounds becomes a scan, which grad supports.
"""

import jax
import jax.numpy as jnp


def newton_sqrt(a):
    cond = lambda x: jnp.abs(x * x - a) > 1e-6 * a
    body = lambda x: 0.5 * (x + a / x)
    return jax.lax.while_loop(cond, body, a)
