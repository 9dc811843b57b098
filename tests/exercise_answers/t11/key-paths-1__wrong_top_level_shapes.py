"""Only leaves have a shape, and the tree nests further than the top level:
jax.tree_util.tree_flatten_with_path(tree) walks every level and gives each leaf its full path,
e.g. ['encoder']['w'].
"""


def shapes_by_path(tree):
    return {f"[{k!r}]": v.shape for k, v in tree.items()}
