"""jax.debug.callback is meant for debugging: under transformations JAX may drop, duplicate or
reorder it. For a side effect that must happen once per call, in order, use
`jax.experimental.io_callback(..., ordered=True)`.
"""

import jax


def make_logged_double(log):
    def f(x):
        jax.debug.callback(lambda s: log.append(float(s)), x.sum())
        return 2 * x

    return f
