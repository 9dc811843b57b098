"""The gradient from filter_grad has None where the model has non-array leaves, so a jax.tree.map
over (model, grads) meets None. Use `eqx.apply_updates(model, updates)`, which skips them.
"""

import equinox as eqx
import jax
import jax.numpy as jnp


def sgd_step(model, x, y, lr):
    def loss(model):
        return jnp.mean((jax.vmap(model)(x) - y) ** 2)

    grads = eqx.filter_grad(loss)(model)
    return jax.tree.map(lambda p, g: p - lr * g, model, grads)
