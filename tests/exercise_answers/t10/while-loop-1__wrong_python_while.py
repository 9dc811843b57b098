"""A Python `while x < limit:` needs a concrete bool, but under jit `x` is a tracer. Put the state
in a carry and use `jax.lax.while_loop(cond_fun, body_fun, (x, 0))`.
"""

import jax.numpy as jnp


def doublings(x, limit):
    count = 0
    while x < limit:
        x, count = x * 2, count + 1
    return jnp.int32(count)
