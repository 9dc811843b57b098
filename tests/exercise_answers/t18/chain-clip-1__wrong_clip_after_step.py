"""optax.chain applies its transformations left to right: put clip_by_global_norm first so it clips
the raw gradient, then the sgd step.
"""

import optax


def make_optimizer(lr, max_norm):
    step = optax.sgd(lr, momentum=0.9)
    return optax.chain(step, optax.clip_by_global_norm(max_norm))
