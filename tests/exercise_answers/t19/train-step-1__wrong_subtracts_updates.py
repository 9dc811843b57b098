"""value_and_grad gives loss and gradients; opt.update turns gradients into updates;
apply_updates applies them.
"""

import jax
import jax.numpy as jnp


def make_train_step(opt):
    def loss_fn(params, x, y):
        return jnp.mean((x @ params["w"] + params["b"] - y) ** 2)

    def train_step(params, opt_state, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        updates, opt_state = opt.update(grads, opt_state, params)
        return jax.tree.map(lambda p, u: p - u, params, updates), opt_state, loss

    return train_step
