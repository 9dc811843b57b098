"""The gradient of `f(x).sum()` is a vector: the Jacobian's rows added together, not the Jacobian.
Use `jax.jacrev(f)(x)` to keep every row.
"""

import jax
import jax.numpy as jnp


def jac_f(x):
    W = jnp.arange(12.0).reshape(4, 3) / 10

    def f(x):
        return jnp.tanh(W @ x)

    return jax.grad(lambda x: f(x).sum())(x)
