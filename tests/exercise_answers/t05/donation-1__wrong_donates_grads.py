"""You donated `grads` (argument 1), not `params` (argument 0): donate the buffer the output
replaces, `donate_argnums=0`.
"""

import jax

sgd_step = jax.jit(lambda params, grads, lr: params - lr * grads, donate_argnums=1)
