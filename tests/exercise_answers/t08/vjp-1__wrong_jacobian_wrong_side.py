"""w lives in the output space of f (shape (m,)), x in the input space (shape (n,)): the
vector-Jacobian product is w @ J, of shape (n,). Let jax.vjp do it: `y, f_vjp = jax.vjp(f, x)`
then `f_vjp(w)`.
"""

import jax


def weighted_grad(f, x, w):
    return jax.jacrev(f)(x) @ w
