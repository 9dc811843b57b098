"""`x[x > 0]` has a size that depends on the values, and jit needs every shape before it runs
(NonConcreteBooleanIndexError). Keep the shape: `jnp.where(x > 0, x, 0).sum()`.
"""


def sum_positive(x):
    return x[x > 0].sum()
