"""jax.tree.leaves gives a flat list and forgets the structure. Return a tree shaped like the
input: jax.tree.map(f, tree).
"""

import jax
import jax.numpy as jnp


def to_bf16(tree):
    return [
        x.astype(jnp.bfloat16) if jnp.issubdtype(x.dtype, jnp.floating) else x
        for x in jax.tree.leaves(tree)
    ]
