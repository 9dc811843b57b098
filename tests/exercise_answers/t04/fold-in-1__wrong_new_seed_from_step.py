"""`jax.random.key(step)` starts a brand-new stream from the step number and throws away the key
you were given, so two runs with different keys share their noise. Derive from the key instead:
`jax.random.fold_in(key, step)`.
"""

import jax


def step_noise(key, step):
    return jax.random.normal(jax.random.key(step), (4,))
