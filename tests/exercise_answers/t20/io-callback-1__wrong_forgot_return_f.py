"""Your function returned None: did you forget the `return`?"""

from jax.experimental import io_callback


def make_logged_double(log):
    def f(x):
        io_callback(lambda s: log.append(float(s)), None, x.sum(), ordered=True)
        return 2 * x
