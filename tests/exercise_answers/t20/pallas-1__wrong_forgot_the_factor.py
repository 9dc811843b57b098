"""Read a ref with ref[...] and write one with ref[...] = value."""


def axpy_kernel(x_ref, y_ref, o_ref):
    o_ref[...] = x_ref[...] + y_ref[...]
