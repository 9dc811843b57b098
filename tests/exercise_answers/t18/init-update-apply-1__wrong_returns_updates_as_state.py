"""Return the new optimiser state that `opt.update` gave you; the old one forgets the momentum and
the step count.
"""

import optax


def apply_step(opt, params, opt_state, grads):
    updates, opt_state = opt.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), updates
