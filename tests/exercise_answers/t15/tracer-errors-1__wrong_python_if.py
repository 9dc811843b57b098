"""A Python `if` on an element needs a concrete bool, but under jit it is a tracer
(TracerBoolConversionError). Select with `jnp.where(x > 0, x, 0)` and sum.
"""


def sum_positive(x):
    total = 0.0
    for v in x.ravel():
        if v > 0:
            total = total + v
    return total
