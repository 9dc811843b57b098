"""A Python `if` needs a concrete True/False, but under jit `x` is a tracer (an abstract array).
Use `if` only on the static `use_relu`; choose between values elementwise with `jnp.maximum(x,
0)` or `jnp.where(x > 0, x, 0)`.
"""

import jax.numpy as jnp


def relu_or_identity(x, use_relu):
    if use_relu and x < 0:
        return jnp.zeros_like(x)
    return x
