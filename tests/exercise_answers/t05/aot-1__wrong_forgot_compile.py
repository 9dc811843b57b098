"""`.lower(...)` gives a Lowered (StableHLO, not yet compiled): call `.compile()` on it to get the
executable.
"""

import jax


def compile_for(f, shape, dtype):
    return jax.jit(f).lower(jax.ShapeDtypeStruct(shape, dtype))
