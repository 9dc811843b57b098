"""You counted calls, not traces. Put the counter *inside* the function jit traces: its Python code
runs only while tracing, so the count goes up once per trace.
"""

import jax


def count_traces(f, inputs):
    jitted = jax.jit(f)
    count = 0
    for x in inputs:
        jitted(x)
        count += 1
    return count
