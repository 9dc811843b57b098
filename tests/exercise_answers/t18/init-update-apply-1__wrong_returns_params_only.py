"""return the pair (new_params, new_opt_state)"""

import optax


def apply_step(opt, params, opt_state, grads):
    updates, opt_state = opt.update(grads, opt_state, params)
    return optax.apply_updates(params, updates)
