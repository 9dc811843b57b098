"""Donate only `params`: you also donated `grads` (argument 1), whose buffer the result cannot
reuse (JAX warns 'Some donated buffers were not usable') and which the caller may still need.
Use `donate_argnums=0`.
"""

import jax

sgd_step = jax.jit(lambda params, grads, lr: params - lr * grads, donate_argnums=(0, 1))
