"""update(grads, state, params) turns gradients into updates and a new state; apply_updates adds the
updates to the parameters.
"""

import optax


def apply_step(opt, params, opt_state, grads):
    updates, opt_state = opt.update(grads, opt.init(params), params)
    return optax.apply_updates(params, updates), opt_state
