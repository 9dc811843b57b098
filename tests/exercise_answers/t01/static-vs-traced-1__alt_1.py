import jax.numpy as jnp


def relu_or_identity(x, use_relu):
    return jnp.where(x > 0, x, 0.0) if use_relu else x
