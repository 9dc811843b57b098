"""Only leaves have a shape, and the tree nests further than the top level:
jax.tree_util.tree_flatten_with_path(tree) walks every level and gives each leaf its full path,
e.g. ['encoder']['w'].
"""

import jax
import jax.numpy as jnp


def shapes_by_path(tree):
    return {f"[{k!r}]": jax.tree.map(jnp.shape, v) for k, v in tree.items()}
