"""adamw takes mask=: a pytree of booleans, or a function that builds one from params."""

import jax
import optax


def make_adamw(lr, weight_decay):
    mask = lambda params: jax.tree.map(lambda x: x.ndim > 2, params)
    return optax.adamw(lr, weight_decay=weight_decay, mask=mask)
