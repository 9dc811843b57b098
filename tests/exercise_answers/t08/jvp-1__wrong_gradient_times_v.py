"""The Hessian is the Jacobian of the gradient, so H·v is a JVP of `jax.grad(f)` in direction v."""

import jax


def hvp(f, x, v):
    return jax.grad(f)(x) * v
