"""That is the fastest call, not the typical one: report the median of the timed calls
(`statistics.median(times)`).
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
    return min(times)
