"""Return an int: the sum of `s.size * s.dtype.itemsize` over the leaves (sizes and itemsizes are
ints already; don't convert to float).
"""

import jax


def param_bytes(init_fn, key):
    shapes = jax.eval_shape(init_fn, key)
    return float(sum(s.size * s.dtype.itemsize for s in jax.tree.leaves(shapes)))
