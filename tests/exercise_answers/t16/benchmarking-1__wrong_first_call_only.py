"""The first call pays for tracing and compiling. Call `f(x)` once, untimed (and blocked), before
you start measuring.
"""

import jax


def time_call(f, x, n=5):
    import time

    start = time.perf_counter()
    jax.block_until_ready(f(x))
    return time.perf_counter() - start
