"""w lives in the output space of f (shape (m,)), x in the input space (shape (n,)): the
vector-Jacobian product is w @ J, of shape (n,).
"""

import jax


def weighted_grad(f, x, w):
    return w[:, None] * jax.jacrev(f)(x)
