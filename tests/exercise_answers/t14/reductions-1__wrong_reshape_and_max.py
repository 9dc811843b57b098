"""The numbers are right, but this exercise is about `lax.reduce_window`, which slides a window
over any array (strides, padding, any reduction): `lax.reduce_window(x, -jnp.inf, lax.max, (2,
2), (2, 2), 'VALID')`.
"""


def max_pool_2x2(x):
    h, w = x.shape
    return x.reshape(h // 2, 2, w // 2, 2).max(axis=(1, 3))
