"""Optax updates already point downhill (they carry the minus sign), so they are added, not
subtracted: `optax.apply_updates(params, updates)`.
"""

import jax


def apply_step(opt, params, opt_state, grads):
    updates, opt_state = opt.update(grads, opt_state, params)
    return jax.tree.map(lambda p, u: p - u, params, updates), opt_state
