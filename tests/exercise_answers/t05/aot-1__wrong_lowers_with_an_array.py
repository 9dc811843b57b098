"""You created an array of that shape to lower with, and for a big shape there is no memory for it.
Describe the input instead: `jax.ShapeDtypeStruct(shape, dtype)` has a shape and a dtype but no
data.
"""

import jax
import jax.numpy as jnp


def compile_for(f, shape, dtype):
    return jax.jit(f).lower(jnp.zeros(shape, dtype)).compile()
