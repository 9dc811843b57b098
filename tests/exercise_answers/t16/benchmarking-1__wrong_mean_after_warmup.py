"""Slow outliers (a compiling first call, a hiccup of the machine) drag a mean up; report the
median of the timed calls, after a warm-up.
"""

import jax


def time_call(f, x, n=5):
    import time

    jax.block_until_ready(f(x))
    times = []
    for _ in range(n):
        start = time.perf_counter()
        jax.block_until_ready(f(x))
        times.append(time.perf_counter() - start)
    return sum(times) / len(times)
