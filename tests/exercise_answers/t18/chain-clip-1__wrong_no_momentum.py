"""optax.chain(a, b) runs a, then b, and is itself an optimiser."""

import optax


def make_optimizer(lr, max_norm):
    return optax.chain(optax.clip_by_global_norm(max_norm), optax.sgd(lr))
