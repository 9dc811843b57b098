"""x[x > 0] has a length that depends on the values, so jit cannot compile it
(NonConcreteBooleanIndexError). Keep the shape: sum jnp.where(x > 0, x, 0.0) and divide by the
number of positive entries.
"""


def mean_positive(x):
    return x[x > 0].mean()
