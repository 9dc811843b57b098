"""You applied the raw gradients: adding them climbs the loss, and it skips everything the
optimiser does (learning rate, momentum, weight decay). Apply the `updates` that `opt.update`
returned: `optax.apply_updates(params, updates)`.
"""

import optax


def apply_step(opt, params, opt_state, grads):
    updates, opt_state = opt.update(grads, opt_state, params)
    return optax.apply_updates(params, grads), opt_state
