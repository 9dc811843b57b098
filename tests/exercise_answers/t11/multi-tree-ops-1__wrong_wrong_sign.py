"""Gradient descent goes downhill: new = p - lr * g, not p + lr * g."""

import jax


def sgd_step(params, grads, lr):
    return jax.tree.map(lambda p, g: p + lr * g, params, grads)
