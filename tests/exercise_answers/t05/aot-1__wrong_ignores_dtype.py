"""build the input description from both arguments: jax.ShapeDtypeStruct(shape, dtype)"""

import jax
import jax.numpy as jnp


def compile_for(f, shape, dtype):
    return jax.jit(f).lower(jax.ShapeDtypeStruct(shape, jnp.float32)).compile()
