"""The names are right but written differently: render each path with jax.tree_util.keystr(path),
whose default form is ['encoder']['w'] (not simple=True or a separator of your own).
"""

import jax


def shapes_by_path(tree):
    flat, _ = jax.tree_util.tree_flatten_with_path(tree)
    return {
        jax.tree_util.keystr(path, simple=True, separator="/"): leaf.shape for path, leaf in flat
    }
