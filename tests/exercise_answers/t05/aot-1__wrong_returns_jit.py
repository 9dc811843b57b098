"""`jax.jit(f)` compiles lazily, on its first call: lower it for the given shape with
`.lower(jax.ShapeDtypeStruct(shape, dtype))` and `.compile()` it.
"""

import jax


def compile_for(f, shape, dtype):
    return jax.jit(f)
