import jax


def compile_for(f, shape, dtype):
    return jax.jit(f).trace(jax.ShapeDtypeStruct(shape, dtype)).lower().compile()
