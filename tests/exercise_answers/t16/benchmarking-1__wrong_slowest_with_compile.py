"""The first call pays for tracing and compiling. Call `f(x)` once, untimed (and blocked), before
you start measuring.
"""

import time

import jax


def time_call(f, x, n=5):
    times = []
    for _ in range(n + 1):
        start = time.perf_counter()
        jax.block_until_ready(f(x))
        times.append(time.perf_counter() - start)
    return max(times)
