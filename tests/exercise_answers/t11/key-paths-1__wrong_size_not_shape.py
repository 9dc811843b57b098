"""The value for each path is the leaf's shape, leaf.shape: a tuple like (3, 2)."""

import jax


def shapes_by_path(tree):
    flat, _ = jax.tree_util.tree_flatten_with_path(tree)
    return {jax.tree_util.keystr(path): leaf.size for path, leaf in flat}
