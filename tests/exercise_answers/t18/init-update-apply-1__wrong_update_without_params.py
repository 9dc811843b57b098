"""adamw's weight decay needs the current parameters: call `opt.update(grads, opt_state,
params)`.
"""

import optax


def apply_step(opt, params, opt_state, grads):
    updates, opt_state = opt.update(grads, opt_state)
    return optax.apply_updates(params, updates), opt_state
