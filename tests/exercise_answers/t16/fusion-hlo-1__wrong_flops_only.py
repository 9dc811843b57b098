"""That is one of the two counts on its own: arithmetic intensity is the ratio `cost['flops'] /
cost['bytes accessed']`.
"""

import jax


def arithmetic_intensity(f, x):
    cost = jax.jit(f).lower(x).compile().cost_analysis()
    return float(cost["flops"])
