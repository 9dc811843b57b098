"""The gradient is zero: stop_gradient was put around the prediction (or the whole loss), which
makes everything constant. Stop only the target.
"""

import jax
import jax.numpy as jnp


def td_loss(w, x, r, x_next, gamma):
    target = r + gamma * (x_next @ w)
    return jax.lax.stop_gradient(0.5 * jnp.mean((target - x @ w) ** 2))
