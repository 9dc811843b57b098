"""`o_ref = ...` only rebinds the local name; the output buffer is never written. Write into it:
o_ref[...] = 2 * x_ref[...] + y_ref[...].
"""


def axpy_kernel(x_ref, y_ref, o_ref):
    o_ref = 2 * x_ref[...] + y_ref[...]  # noqa: F841 - the mistake itself
