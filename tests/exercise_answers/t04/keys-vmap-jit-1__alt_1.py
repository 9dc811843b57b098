import jax
import jax.numpy as jnp


def noisy_batch(key, xs):
    def add_noise(key, x):
        return x + jax.random.normal(key, x.shape)

    ids = jnp.arange(xs.shape[0])
    return jax.vmap(lambda i, x: add_noise(jax.random.fold_in(key, i), x))(ids, xs)
