import jax.numpy as jnp


def predict(w, x):
    return jnp.dot(x, w)
