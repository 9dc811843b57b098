"""An Equinox model also holds things that are not arrays (the activation function, ints), and
jax.grad refuses them. `eqx.filter_grad(loss)(model)` differentiates the array leaves and treats
the rest as static.
"""

import equinox as eqx
import jax
import jax.numpy as jnp


def sgd_step(model, x, y, lr):
    def loss(model):
        return jnp.mean((jax.vmap(model)(x) - y) ** 2)

    grads = jax.grad(loss)(model)
    return eqx.apply_updates(model, jax.tree.map(lambda g: -lr * g, grads))
