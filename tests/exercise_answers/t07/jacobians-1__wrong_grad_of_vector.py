"""f returns a vector, so jax.grad refuses it (it needs a scalar output). The full matrix of
derivatives is `jax.jacrev(f)(x)` (or `jax.jacfwd(f)(x)`).
"""

import jax
import jax.numpy as jnp


def jac_f(x):
    W = jnp.arange(12.0).reshape(4, 3) / 10

    def f(x):
        return jnp.tanh(W @ x)

    return jax.grad(f)(x)
