"""JAX does not know your class, so the whole object is one opaque leaf: tree.leaves finds no
arrays inside and jit refuses it. Register it: decorate it with
@jax.tree_util.register_pytree_node_class and define tree_flatten / tree_unflatten.
"""


class Linear:
    def __init__(self, w, b, name):
        self.w, self.b, self.name = w, b, name
