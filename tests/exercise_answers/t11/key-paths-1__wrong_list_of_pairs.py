"""return a dict {keystr(path): leaf.shape}"""

import jax


def shapes_by_path(tree):
    flat, _ = jax.tree_util.tree_flatten_with_path(tree)
    return [(jax.tree_util.keystr(path), leaf.shape) for path, leaf in flat]
