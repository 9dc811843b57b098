"""The leaves are right but a container changed type: a tuple came back as a list (or the other way
round). Rebuild each container as its own type, or let jax.tree.map(f, tree) rebuild the tree as
it was.
"""

import jax.numpy as jnp


def to_bf16(tree):
    if isinstance(tree, dict):
        return {k: to_bf16(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return [to_bf16(v) for v in tree]
    if jnp.issubdtype(tree.dtype, jnp.floating):
        return tree.astype(jnp.bfloat16)
    return tree
