"""`slope` is data, not a setting: making it static compiles a new program for every slope. Leave
it traced (plain `jax.jit(...)`).
"""

import jax
import jax.numpy as jnp


def _f(x, slope):
    return jnp.where(x > 0, x, slope * x)


leaky_relu = jax.jit(_f, static_argnums=1)
