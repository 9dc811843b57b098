import jax.numpy as jnp
from jax.experimental import io_callback


def make_logged_double(log):
    def f(x):
        io_callback(lambda s: log.append(s.item()), None, jnp.sum(x), ordered=True)
        return x * 2

    return f
