"""Return both values as a tuple: `return out, hidden`."""

import jax.numpy as jnp


def forward(x):
    hidden = jnp.tanh(2 * x)
    return hidden.sum()
