"""Log one number per call, the sum of the input: `float(x.sum())` (not the array, nor its elements
one by one).
"""

from jax.experimental import io_callback


def make_logged_double(log):
    def f(x):
        io_callback(log.append, None, x, ordered=True)
        return 2 * x

    return f
