"""io_callback(host_fn, result_shape_dtypes, *args, ordered=True) runs host_fn with real values each
time the compiled code runs; host_fn returns None here.
"""

from jax.experimental import io_callback


def make_logged_double(log):
    def f(x):
        io_callback(lambda s: log.append(float(s)), None, x.sum(), ordered=True)
        return x**2

    return f
