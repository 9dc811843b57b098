"""The step ignores the optimiser: it subtracts the raw gradient. Turn the gradients into updates
with `opt.update(grads, opt_state, params)` and add them with `optax.apply_updates(params,
updates)`.
"""

import jax
import jax.numpy as jnp


def make_train_step(opt):
    def loss_fn(params, x, y):
        return jnp.mean((x @ params["w"] + params["b"] - y) ** 2)

    def train_step(params, opt_state, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        params = jax.tree.map(lambda p, g: p - g, params, grads)
        return params, opt_state, loss

    return train_step
