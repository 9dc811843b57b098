import jax.numpy as jnp


def safe_sqrt(x):
    positive = x > 0
    return jnp.where(positive, jnp.sqrt(jnp.where(positive, x, 0.0) + ~positive), 0.0)
