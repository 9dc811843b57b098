"""Without donation XLA must keep the old state alive while it writes the new one: twice the
memory. `jax.jit(step, donate_argnums=0)` lets it reuse the old buffers.
"""

import jax


def compile_step(step):
    return jax.jit(step)
