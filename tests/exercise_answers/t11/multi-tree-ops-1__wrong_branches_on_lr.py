"""Python cannot decide the branch"""

import jax


def sgd_step(params, grads, lr):
    if lr <= 0:
        return params
    return jax.tree.map(lambda p, g: p - lr * g, params, grads)
