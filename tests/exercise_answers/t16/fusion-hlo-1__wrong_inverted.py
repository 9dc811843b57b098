"""Arithmetic intensity is flops per byte: `flops / bytes accessed`."""

import jax


def arithmetic_intensity(f, x):
    cost = jax.jit(f).lower(x).compile().cost_analysis()
    return float(cost["bytes accessed"]) / float(cost["flops"])
