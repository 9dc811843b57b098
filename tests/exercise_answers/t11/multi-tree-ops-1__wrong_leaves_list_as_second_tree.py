"""Every tree given to jax.tree.map must have the structure of the first one: passing
jax.tree.leaves(grads) (a flat list) next to the params dict is a different structure. Pass both
trees as they are: jax.tree.map(f, params, grads).
"""

import jax


def sgd_step(params, grads, lr):
    return jax.tree.map(lambda p, g: p - lr * g, params, jax.tree.leaves(grads))
