"""`jax.random.split(key, n)` needs a concrete Python int for n, but under jit `step` is traced.
`jax.random.fold_in(key, step)` accepts a traced integer.
"""

import jax


def step_noise(key, step):
    keys = jax.random.split(key, step + 1)
    return jax.random.normal(keys[-1], (4,))
