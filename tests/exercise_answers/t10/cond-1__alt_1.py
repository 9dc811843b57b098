import jax
import jax.numpy as jnp


def clip_to_unit_ball(x):
    norm = jnp.linalg.norm(x)
    return jax.lax.cond(norm > 1, lambda: x / norm, lambda: x)
