"""export.export(...)(...) gives an Exported object; its .serialize() gives the bytes you can store
or send.
"""

import jax
import jax.numpy as jnp
from jax import export


def to_bytes(fn):
    (n,) = export.symbolic_shape("n")
    exported = export.export(jax.jit(fn))(jax.ShapeDtypeStruct((n,), jnp.float32))
    return exported.mlir_module().encode()
