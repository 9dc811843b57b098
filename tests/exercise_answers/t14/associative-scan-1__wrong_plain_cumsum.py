"""`cumsum(b)` ignores the decay `a`: h_t = a_t * h_(t-1) + b_t multiplies what came before
by a_t.
"""

import jax.numpy as jnp


def linear_recurrence(a, b):
    return jnp.cumsum(b)
