"""Your function changed the tree it was given: writing tree[k] = ... turns the caller's float32
parameters into bfloat16 too. Build and return a new tree (jax.tree.map does) and leave the
input as it was.
"""

import jax
import jax.numpy as jnp


def to_bf16(tree):
    def cast(x):
        if jnp.issubdtype(x.dtype, jnp.floating):
            return x.astype(jnp.bfloat16)
        return x

    for k in tree:
        tree[k] = jax.tree.map(cast, tree[k])
    return tree
