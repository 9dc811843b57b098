"""A dict comprehension walks only the top level, so nested dicts, lists and tuples are left alone
(or break). jax.tree.map(f, tree) reaches every leaf, however deep.
"""

import jax.numpy as jnp


def to_bf16(tree):
    return {k: v.astype(jnp.bfloat16) for k, v in tree.items()}
