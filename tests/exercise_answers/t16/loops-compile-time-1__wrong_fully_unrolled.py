"""`unroll=True` copies the body 100 times again, as a Python loop would: leave unroll at its
default (or a small number).
"""

import jax
import jax.numpy as jnp


def sin_100(x):
    return jax.lax.fori_loop(0, 100, lambda i, v: jnp.sin(v), x, unroll=True)
