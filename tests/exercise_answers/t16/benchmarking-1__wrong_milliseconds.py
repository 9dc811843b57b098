"""Return seconds, not milliseconds: `time.perf_counter()` differences are already in seconds."""

import jax


def time_call(f, x, n=5):
    import statistics
    import time

    jax.block_until_ready(f(x))
    times = []
    for _ in range(n):
        start = time.perf_counter()
        jax.block_until_ready(f(x))
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)
