"""stop_gradient zeroes the gradient; this layer must pass it back negated. Write a
`jax.custom_vjp` whose backward rule returns `(-g,)`.
"""

import jax


def reverse_grad(x):
    return jax.lax.stop_gradient(x)
