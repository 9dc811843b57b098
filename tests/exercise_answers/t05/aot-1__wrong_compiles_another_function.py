"""lower it for the given shape with `.lower(jax.ShapeDtypeStruct(shape, dtype))` and `.compile()`
it.
"""

import jax


def compile_for(f, shape, dtype):
    spec = jax.ShapeDtypeStruct(shape, dtype)
    return jax.jit(lambda x: x).lower(spec).compile()
