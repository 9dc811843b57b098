"""A Python loop runs while JAX traces, so the jaxpr (and the compiled program) holds 100 copies of
the body. `lax.fori_loop(0, 100, body, x)` or `lax.scan` keeps one copy.
"""

import jax.numpy as jnp


def sin_100(x):
    for _ in range(100):
        x = jnp.sin(x)
    return x
