"""Gradient descent steps against the gradient: the updates are `-lr * grads`, so the loss goes
down.
"""

import equinox as eqx
import jax
import jax.numpy as jnp


def sgd_step(model, x, y, lr):
    def loss(model):
        return jnp.mean((jax.vmap(model)(x) - y) ** 2)

    grads = eqx.filter_grad(loss)(model)
    return eqx.apply_updates(model, jax.tree.map(lambda g: lr * g, grads))
