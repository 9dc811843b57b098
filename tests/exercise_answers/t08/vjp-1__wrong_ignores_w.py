"""`y, f_vjp = jax.vjp(f, x)` runs f forwards; `f_vjp(w)` pulls the output cotangent w back to the
inputs.
"""

import jax
import jax.numpy as jnp


def weighted_grad(f, x, w):
    return jax.grad(lambda x: jnp.sum(f(x)))(x)
