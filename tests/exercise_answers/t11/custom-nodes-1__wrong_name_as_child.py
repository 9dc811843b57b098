"""`name` is a string, not an array: returned among the children it becomes a leaf, and jit and
grad refuse it. Return it as aux data (the second item of tree_flatten).
"""

import jax


@jax.tree_util.register_pytree_node_class
class Linear:
    def __init__(self, w, b, name):
        self.w, self.b, self.name = w, b, name

    def tree_flatten(self):
        return (self.w, self.b, self.name), None

    @classmethod
    def tree_unflatten(cls, name, children):
        return cls(*children)
