"""Appending to a list is a side effect: under jit it runs once, while JAX traces, and stores a
tracer instead of your numbers. Return what you want to keep instead.
"""

import jax.numpy as jnp

calls = []


def scaled_sum(x, scale):
    calls.append(x)
    return jnp.sum(x * scale)
