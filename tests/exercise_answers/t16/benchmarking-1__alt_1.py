import time

import numpy as np


def time_call(f, x, n=5):
    f(x).block_until_ready()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        f(x).block_until_ready()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))
