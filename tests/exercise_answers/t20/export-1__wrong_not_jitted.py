"""export.export takes a jitted function: wrap fn first, export.export(jax.jit(fn))(spec)."""

import jax
import jax.numpy as jnp
from jax import export


def to_bytes(fn):
    (n,) = export.symbolic_shape("n")
    return export.export(fn)(jax.ShapeDtypeStruct((n,), jnp.float32)).serialize()
