"""Log the sum of the input x, `float(x.sum())`: not of the output, nor x * 2."""

from jax.experimental import io_callback


def make_logged_double(log):
    def f(x):
        y = 2 * x
        io_callback(lambda s: log.append(float(s)), None, y.sum(), ordered=True)
        return y

    return f
