"""Indexing params[k] and grads[k] only works one level deep; the parameters nest further."""

import jax


def sgd_step(params, grads, lr):
    return [
        p - lr * g for p, g in zip(jax.tree.leaves(params), jax.tree.leaves(grads), strict=True)
    ]
