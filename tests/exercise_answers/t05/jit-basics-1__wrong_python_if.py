"""A Python `if` (or `x if c else y`) needs a concrete True/False, but under jit `x` is a tracer:
pick per element with `jnp.where(x > 0, x, slope * x)`.
"""

import jax


@jax.jit
def leaky_relu(x, slope):
    return x if x > 0 else slope * x
