"""The output ref was not (fully) written, so it still holds garbage (here NaN): assign the result
to o_ref[...]. Writing into an input ref does not reach the output.
"""


def axpy_kernel(x_ref, y_ref, o_ref):
    x_ref[...] = 2 * x_ref[...] + y_ref[...]
