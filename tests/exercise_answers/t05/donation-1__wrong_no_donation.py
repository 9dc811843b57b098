"""Nothing was donated: `params` is still alive after the step. Pass `donate_argnums=0` to jax.jit
so XLA may write the new params into the old buffer.
"""

import jax

sgd_step = jax.jit(lambda params, grads, lr: params - lr * grads)
