"""return the optimiser itself (the object with .init and .update)"""

import optax


def make_optimizer(lr, max_norm):
    return optax.clip_by_global_norm(max_norm), optax.sgd(lr, momentum=0.9)
