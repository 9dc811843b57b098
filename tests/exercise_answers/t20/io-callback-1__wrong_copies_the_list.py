"""Your callback ran, but the list you were given stayed empty: append to `log` itself (the list
passed to make_logged_double), not to a copy or a new list.
"""

from jax.experimental import io_callback


def make_logged_double(log):
    log = list(log)

    def f(x):
        io_callback(lambda s: log.append(float(s)), None, x.sum(), ordered=True)
        return 2 * x

    return f
