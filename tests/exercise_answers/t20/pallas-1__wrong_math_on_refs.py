"""Refs are memory, not values: read them first with x_ref[...] (all of it) before doing
arithmetic.
"""


def axpy_kernel(x_ref, y_ref, o_ref):
    o_ref[...] = 2 * x_ref + y_ref
