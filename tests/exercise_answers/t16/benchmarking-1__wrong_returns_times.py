"""return `statistics.median(times)` (or `float(np.median(times))`)"""

import time

import jax


def time_call(f, x, n=5):
    jax.block_until_ready(f(x))
    times = []
    for _ in range(n):
        start = time.perf_counter()
        jax.block_until_ready(f(x))
        times.append(time.perf_counter() - start)
    return times
