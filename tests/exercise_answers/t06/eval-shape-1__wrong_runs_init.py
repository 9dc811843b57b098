"""You ran init_fn for real, allocating every parameter just to count bytes.
`jax.eval_shape(init_fn, key)` gives ShapeDtypeStructs without computing anything.
"""

import jax


def param_bytes(init_fn, key):
    return sum(p.nbytes for p in jax.tree.leaves(init_fn(key)))
