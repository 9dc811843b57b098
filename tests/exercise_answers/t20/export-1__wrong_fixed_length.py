"""An export made for float32[3] only accepts length 3. Make the length symbolic: (n,) =
export.symbolic_shape('n'), then export for jax.ShapeDtypeStruct((n,), jnp.float32).
"""

import jax
import jax.numpy as jnp
from jax import export


def to_bytes(fn):
    spec = jax.ShapeDtypeStruct((3,), jnp.float32)
    return export.export(jax.jit(fn))(spec).serialize()
