"""Nothing reached the host: call `io_callback(record, None, x.sum(), ordered=True)` inside f,
where record appends its argument to log.
"""


def make_logged_double(log):
    def f(x):
        return 2 * x

    return f
