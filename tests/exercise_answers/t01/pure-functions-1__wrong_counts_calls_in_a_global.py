"""Changing a global (`global n` then `n += 1`) is a side effect: under jit it runs once, while JAX
traces, not on every call. Return what you want to keep instead.
"""

import jax.numpy as jnp

n_calls = 0


def scaled_sum(x, scale):
    global n_calls
    n_calls += 1
    return jnp.sum(x * scale)
