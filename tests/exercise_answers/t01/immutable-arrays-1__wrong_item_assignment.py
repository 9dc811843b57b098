"""JAX arrays are immutable, so `x[0] = v` is refused. Make a new array with `x.at[0].set(v)` and
return it.
"""


def set_first(x, v):
    x[0] = v
    return x
