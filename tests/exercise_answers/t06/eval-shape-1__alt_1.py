import functools

import jax


def param_bytes(init_fn, key):
    shapes = jax.eval_shape(functools.partial(init_fn, key))
    return sum(s.size * s.dtype.itemsize for s in jax.tree.leaves(shapes))
