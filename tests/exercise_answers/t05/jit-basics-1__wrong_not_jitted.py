"""Wrap the function: `leaky_relu = jax.jit(lambda x, slope: ...)`."""

import jax.numpy as jnp


def leaky_relu(x, slope):
    return jnp.where(x > 0, x, slope * x)
