"""Keep the dtype: `x @ w` of float32 arrays is float32, so there is nothing to convert."""

import jax.numpy as jnp


def predict(w, x):
    return (x @ w).astype(jnp.float16)
