"""optax.clip cuts each element separately, which changes the gradient's direction.
clip_by_global_norm rescales all of it together when its norm is too large.
"""

import optax


def make_optimizer(lr, max_norm):
    return optax.chain(optax.clip(max_norm), optax.sgd(lr, momentum=0.9))
