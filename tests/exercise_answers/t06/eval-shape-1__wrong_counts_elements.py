"""That is the number of elements, not bytes: multiply each leaf's `size` by its `dtype.itemsize`
(bfloat16 is 2 bytes, float32 4).
"""

import jax


def param_bytes(init_fn, key):
    shapes = jax.eval_shape(init_fn, key)
    return sum(s.size for s in jax.tree.leaves(shapes))
