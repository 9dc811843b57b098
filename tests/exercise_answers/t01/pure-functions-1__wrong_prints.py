"""print is a side effect: under jit it runs once, while JAX traces, and shows a tracer, not your
numbers. Drop it (jax.debug.print runs on every call if you need to look).
"""

import jax.numpy as jnp


def scaled_sum(x, scale):
    print("scaled_sum got", x)
    return jnp.sum(x * scale)
