"""str(path) prints the key objects, e.g. (DictKey(key='enc'), ...). jax.tree_util.keystr(path)
renders the readable form ['enc']['w'].
"""

import jax


def shapes_by_path(tree):
    flat, _ = jax.tree_util.tree_flatten_with_path(tree)
    return {str(path): leaf.shape for path, leaf in flat}
