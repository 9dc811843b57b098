"""The result is right, but jit wrote the per-device code for you: this exercise is about writing
it yourself with jax.shard_map(..., mesh=mesh, in_specs=..., out_specs=...).
"""

import jax.numpy as jnp


def sum_of_squares(x, mesh):
    return jnp.sum(x**2)
