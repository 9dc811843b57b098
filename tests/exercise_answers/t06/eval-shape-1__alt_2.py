import jax
import numpy as np


def param_bytes(init_fn, key):
    shapes = jax.eval_shape(lambda: init_fn(key))
    leaves = jax.tree.leaves(shapes)
    return sum(int(np.prod(s.shape)) * s.dtype.itemsize for s in leaves)
