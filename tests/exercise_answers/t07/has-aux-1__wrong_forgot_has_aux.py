"""loss_with_preds returns a pair (loss, preds), and grad refuses a pair. Tell it the second item
is a passenger: `jax.value_and_grad(loss_with_preds, has_aux=True)`.
"""

import jax
import jax.numpy as jnp


def train_info(w, x, y):
    def loss_with_preds(w, x, y):
        preds = x @ w
        return jnp.mean((preds - y) ** 2), preds

    (loss, preds), grads = jax.value_and_grad(loss_with_preds)(w, x, y)
    return loss, preds, grads
