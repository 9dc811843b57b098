"""jax.jvp returns a pair (f(x), J·v); the Hessian-vector product is the second element: `_, hv =
jax.jvp(jax.grad(f), (x,), (v,))`.
"""

import jax


def hvp(f, x, v):
    return jax.jvp(jax.grad(f), (x,), (v,))
