"""Negating x changes the forward value too. The layer must be the identity going forwards and
negate only the cotangent in its backward rule: use `jax.custom_vjp`.
"""


def reverse_grad(x):
    return -x
