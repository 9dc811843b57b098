"""Calling jax.jit on a new function object in every iteration gives each one its own cache, so
every call traces. Wrap the counting function in jax.jit once, before the loop.
"""

import jax


def count_traces(f, inputs):
    count = 0
    for x in inputs:

        def counted(x):
            nonlocal count
            count += 1
            return f(x)

        jax.jit(counted)(x)
    return count
