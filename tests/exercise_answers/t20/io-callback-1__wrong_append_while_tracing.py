"""log.append inside a jitted function runs once, while JAX traces, and stores a tracer. To act on
every call, hand the value to the host: io_callback(record, None, x.sum(), ordered=True).
"""


def make_logged_double(log):
    def f(x):
        log.append(x.sum())
        return 2 * x

    return f
