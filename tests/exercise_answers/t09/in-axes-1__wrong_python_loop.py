"""The values are right, but a Python loop runs once per example while tracing, so the program
grows with the batch. Let vmap batch it: `jax.vmap(predict, in_axes=(None, None, 0))`.
"""

import jax.numpy as jnp


def predict(w, b, x):
    return jnp.tanh(x @ w + b)


def predict_batch(w, b, xs):
    return jnp.stack([predict(w, b, x) for x in xs])
