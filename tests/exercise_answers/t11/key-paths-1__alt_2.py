import jax


def shapes_by_path(tree):
    out = {}
    jax.tree_util.tree_map_with_path(
        lambda p, x: out.__setitem__(jax.tree_util.keystr(p), x.shape), tree
    )
    return out
