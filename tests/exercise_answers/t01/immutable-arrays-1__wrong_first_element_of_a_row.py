"""For a 2-D `x`, `x[0]` is the whole first row, and all of it becomes `v`; you changed only its
first element. `x.at[0].set(v)` sets the whole row.
"""


def set_first(x, v):
    return x.at[(0,) * x.ndim].set(v)
