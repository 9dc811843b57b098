"""A dict comprehension walks only the top level, so nested dicts, lists and tuples are left alone
(or break). jax.tree.map(f, tree) reaches every leaf, however deep.
"""

import jax.numpy as jnp


def to_bf16(tree):
    if isinstance(tree, dict):
        return {k: to_bf16(v) for k, v in tree.items()}
    if isinstance(tree, list):
        return [to_bf16(v) for v in tree]
    if isinstance(tree, tuple):
        return tree
    if jnp.issubdtype(tree.dtype, jnp.floating):
        return tree.astype(jnp.bfloat16)
    return tree
