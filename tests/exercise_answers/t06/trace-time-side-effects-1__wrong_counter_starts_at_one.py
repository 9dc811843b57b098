"""Your count is one too many: start the counter at 0, so that each trace adds exactly one."""

import jax


def count_traces(f, inputs):
    count = 1

    def counted(x):
        nonlocal count
        count += 1
        return f(x)

    jitted = jax.jit(counted)
    for x in inputs:
        jitted(x)
    return count
