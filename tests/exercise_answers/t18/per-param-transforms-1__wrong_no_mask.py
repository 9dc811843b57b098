"""Without a mask adamw decays every parameter, biases included. Pass `mask=` a pytree (or a
function of params) that is True only for the weight matrices.
"""

import optax


def make_adamw(lr, weight_decay):
    return optax.adamw(lr, weight_decay=weight_decay)
