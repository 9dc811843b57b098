"""The function jax.vjp returns gives one cotangent per input of f, in a tuple: unpack it with
`(g,) = f_vjp(w)`.
"""

import jax


def weighted_grad(f, x, w):
    _, f_vjp = jax.vjp(f, x)
    return f_vjp(w)
