"""`lower(x).cost_analysis()` estimates the program before XLA optimises it, without fusion, so it
counts every intermediate array as memory traffic. Compile first:
`jax.jit(f).lower(x).compile().cost_analysis()`.
"""

import jax


def arithmetic_intensity(f, x):
    cost = jax.jit(f).lower(x).cost_analysis()
    return float(cost["flops"]) / float(cost["bytes accessed"])
