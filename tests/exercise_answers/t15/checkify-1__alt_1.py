import jax.numpy as jnp


def checked_log(x):
    from jax.experimental import checkify

    checkify.check(~jnp.any(x <= 0), "x has an entry <= 0: {}", jnp.min(x))
    return jnp.log(x)
