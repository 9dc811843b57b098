import jax
import jax.numpy as jnp


def normalise_rows(x):
    return x * jax.lax.rsqrt(jnp.sum(x * x, axis=-1, keepdims=True))
