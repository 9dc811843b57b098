import jax
import jax.numpy as jnp

LOG = []


def forward(x):
    hidden = jnp.tanh(2 * x)
    jax.debug.callback(LOG.append, hidden)  # saves real arrays, at run time
    return hidden.sum(), hidden
