"""Only `activation` is static. Arrays marked static are not leaves at all: grad cannot see them,
and jit hashes them (arrays are unhashable). Leave w and b as ordinary fields.
"""

import dataclasses

import jax


@jax.tree_util.register_dataclass
@dataclasses.dataclass
class Dense:
    w: jax.Array = dataclasses.field(metadata={"static": True})
    b: jax.Array = dataclasses.field(metadata={"static": True})
    activation: str = dataclasses.field(default="relu", metadata={"static": True})
